import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../rules/index.js";
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
    expect(flag.stderr).toContain('changegate: scan: unknown option "--bogus"; `changegate scan --help` lists the options');
    const typo = await run(["scan", "--formt", "json"]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('unknown option "--formt"; did you mean --format?');

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
    expect(missing.stderr).toContain("changegate: scan: --base needs a value\n");
    const stray = await run(["scan", "somewhere"]);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("scan takes no arguments");
  });

  it.each([
    [["scan", "--format"], "changegate: scan: --format needs a value: text, json, markdown, sarif\n"],
    [["scan", "--author"], "changegate: scan: --author needs a value: human, agent, bot\n"],
    [["scan", "--fail-on"], "changegate: scan: --fail-on needs a value: needs-signoff, low, medium, high, critical\n"],
    [["scan", "--format", "--author", "agent"], 'changegate: scan: --format needs a value: text, json, markdown, sarif (a value starting with "-" is written --format=VALUE)\n'],
    [["scan", "--config"], "changegate: scan: --config needs a value\n"],
    [["scan", "--exit-zero=yes"], "changegate: scan: --exit-zero takes no value\n"],
  ])("a missing or misplaced option value gets changegate's own message, exit 2: %j", async (argv, message) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr.startsWith(message), result.stderr).toBe(true);
    expect(result.stderr).not.toMatch(/argument missing|ambiguous|-XYZ/);
    expect(result.stderr).toContain("Usage:");
  });

  it("rejects a bad --fail-on, and --fail-on with --exit-zero", async () => {
    const bad = await run(["scan", "--fail-on", "severe"]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--fail-on must be one of needs-signoff, low, medium, high, critical (got "severe")');
    const both = await run(["scan", "--exit-zero", "--fail-on", "high"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--exit-zero and --fail-on exclude each other");
  });

  it("documents --fail-on and --exit-zero in the help", async () => {
    const help = (await run(["scan", "--help"])).stdout;
    expect(help).toContain("[--fail-on needs-signoff|low|medium|high|critical | --exit-zero]");
    expect(help).toMatch(/--fail-on WHEN +When to exit 1/);
    expect(help).toMatch(/--exit-zero +Exit 0 whatever the verdict/);
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
    // A URL, not a path: it works outside a checkout of changegate (an installed package, CI logs).
    expect(result.stdout).toContain("Docs: https://github.com/changegate/changegate/blob/main/docs/rules.md#sql-drop-table\n");
  });

  it("fails on an unknown id with the close matches (exit 2)", async () => {
    const result = await run(["explain", "sql/drop-tabel"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown rule id "sql/drop-tabel"');
    expect(result.stderr).toContain("Did you mean:");
    expect(result.stderr).toContain("sql/drop-table");
    const nothing = await run(["explain", "zzzzzzzzzzzzzzzz"]);
    expect(nothing.code).toBe(2);
    expect(nothing.stderr).toContain("`changegate explain` lists them all (and https://github.com/changegate/changegate/blob/main/docs/rules.md)");
  });

  it("lists every rule with no id: id, severity, one line each", async () => {
    const result = await run(["explain"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const lines = result.stdout.split("\n");
    expect(lines[0]).toBe(`${ALL_RULES.length} rules (id, default severity, what it finds):`);
    const rows = lines.filter((l) => /^ {2}[a-z0-9]+\/[a-z0-9-]+ /.test(l));
    expect(rows.map((l) => l.trim().split(/\s+/)[0])).toEqual(ALL_RULES.map((r) => r.id));
    expect(rows).toContain(`  ${"sql/drop-table".padEnd(Math.max(...ALL_RULES.map((r) => r.id.length)))}  critical  Table dropped`);
    for (const row of rows) expect(row.trim().split(/\s+/)[1]).toMatch(/^(low|medium|high|critical)$/);
    expect(result.stdout).toContain("Docs: https://github.com/changegate/changegate/blob/main/docs/rules.md\n");
  });

  it("takes at most one id", async () => {
    const result = await run(["explain", "a", "b"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("explain takes at most one RULE_ID");
  });
});
