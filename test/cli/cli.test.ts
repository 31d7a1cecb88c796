import { describe, expect, it } from "vitest";
import { run } from "./io.js";

describe("changegate CLI: arguments", () => {
  it("prints help on --help (exit 0) and the usage on no arguments (exit 2)", async () => {
    const help = await run(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("changegate scan [--repo DIR]");
    expect(help.stdout).toContain("Exit status:");
    expect((await run(["scan", "--help"])).code).toBe(0);
    const none = await run([]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Usage:");
  });

  it("prints the version", async () => {
    const result = await run(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("rejects unknown commands and flags with exit 2 and the usage", async () => {
    const command = await run(["scna"]);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('unknown command "scna"');
    expect(command.stderr).toContain("Usage:");

    const flag = await run(["scan", "--bogus"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--bogus'/);

    const early = await run(["--repo", "."]);
    expect(early.code).toBe(2);
    expect(early.stderr).toMatch(/unknown option "--repo"/);
  });

  it("rejects bad values for --format and --author, and stray arguments", async () => {
    const format = await run(["scan", "--format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("--format must be one of text, json, markdown, sarif");
    const author = await run(["scan", "--author", "robot"]);
    expect(author.code).toBe(2);
    expect(author.stderr).toContain("--author must be one of human, agent, bot");
    const missing = await run(["scan", "--base"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--base/);
    const stray = await run(["scan", "somewhere"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("scan takes no arguments");
  });

  it("says which --terraform-plan file cannot be read (exit 2)", async () => {
    const result = await run(["scan", "--terraform-plan", "no-such-plan.json"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot read --terraform-plan no-such-plan.json: no such file");
  });
});

describe("changegate explain", () => {
  it("prints a known rule: title, severity, category, why, safer alternative, examples, docs", async () => {
    const result = await run(["explain", "sql/drop-table"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^sql\/drop-table — Table dropped/);
    expect(result.stdout).toContain("Severity:  critical");
    expect(result.stdout).toContain("Category:  data-loss");
    expect(result.stdout).toContain("Why it matters");
    expect(result.stdout).toContain("Safer alternative");
    expect(result.stdout).toContain("Fires on");
    expect(result.stdout).toContain("DROP TABLE users;");
    expect(result.stdout).toContain("Docs: docs/rules.md#sql-drop-table");
  });

  it("fails on an unknown id with the close matches (exit 2)", async () => {
    const result = await run(["explain", "sql/drop-tabel"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown rule id "sql/drop-tabel"');
    expect(result.stderr).toContain("Did you mean:");
    expect(result.stderr).toContain("sql/drop-table");
    const nothing = await run(["explain", "zzzzzzzzzzzzzzzz"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("docs/rules.md");
  });

  it("needs exactly one id", async () => {
    expect((await run(["explain"])).code).toBe(2);
    expect((await run(["explain", "a", "b"])).code).toBe(2);
  });
});
