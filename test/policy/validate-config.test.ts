import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateConfigCommand } from "../../src/commands/validate-config.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "changegate-validate-"));
  dirs.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

async function run(args: string[], cwd: string) {
  let stdout = "";
  let stderr = "";
  const code = await validateConfigCommand(args, { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s), cwd });
  return { code, stdout, stderr };
}

describe("changegate validate-config", () => {
  it("validates .github/changegate.yml by default: OK and exit 0", async () => {
    const result = await run([], repo({ ".github/changegate.yml": "version: 1\nmode: report-only\n" }));
    expect(result).toEqual({ code: 0, stdout: ".github/changegate.yml: OK (report-only, the built-in rules)\n", stderr: "" });
  });

  it("counts a file's rules beside the built-in ones", async () => {
    const text = 'version: 1\nrules:\n  - name: Agents never drop\n    when: { author: agent, findings: ["sql/drop-*"] }\n    block: "As a person."\n';
    const result = await run([], repo({ ".github/changegate.yml": text }));
    expect(result).toEqual({ code: 0, stdout: ".github/changegate.yml: OK (enforce, 1 rule beside the built-in ones)\n", stderr: "" });
  });

  it("warns, without failing, when `defaults: false` leaves findings ungated, naming what it drops", async () => {
    const text = 'version: 1\ndefaults: false\nrules:\n  - name: Agents never drop\n    when: { author: agent, findings: ["sql/drop-*"] }\n    block: "As a person."\n';
    const result = await run(["p.yml"], repo({ "p.yml": text }));
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([
      'p.yml:2:11: warning: defaults: false drops the built-in rule "High-severity changes": no rule here gates critical and high findings on pull requests by people, coding agents or bots, so they can merge without sign-off',
      'p.yml:2:11: warning: defaults: false drops the built-in rule "Agent-authored changes": no rule here gates critical, high and medium findings on pull requests by coding agents, so they can merge without sign-off',
      "p.yml: OK (enforce, 1 rule, built-in rules off)",
    ]);
  });

  it("no warning when `defaults: false` comes with rules that gate in the floor's place", async () => {
    const text = "version: 1\ndefaults: false\nrules:\n  - name: All high\n    when: { severity: high }\n    require: { approvals: 2 }\n  - name: Agents\n    when: { author: agent, severity: medium }\n    require: { approvals: 1 }\n";
    const result = await run(["p.yml"], repo({ "p.yml": text }));
    expect(result).toEqual({ code: 0, stdout: "p.yml: OK (enforce, 2 rules, built-in rules off)\n", stderr: "" });
  });

  it("prints file:line:column: message per error and exits 1", async () => {
    const cwd = repo({ "policy.yml": "version: 1\nmode: strict\nsignoff:\n  invalidates: on_any_push\n" });
    const result = await run(["policy.yml"], cwd);
    expect(result.code).toBe(1);
    expect(result.stdout.split("\n").filter(Boolean)).toEqual([
      'policy.yml:2:7: mode: must be one of "enforce", "report-only"',
      'policy.yml:4:3: signoff: unknown key "invalidates"; did you mean "invalidate"?',
    ]);
    expect(result.stderr).toBe("policy.yml: 2 errors\n");
  });

  it("no default file: the built-in policy applies, exit 0", async () => {
    const result = await run([], repo());
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/built-in default policy applies/);
  });

  it("accepts stream-like outputs (the CLI's CommandIo)", async () => {
    let out = "";
    const code = await validateConfigCommand(["p.yml"], {
      stdout: { write: (s: string) => (out += s) },
      stderr: { write: () => true },
      cwd: repo({ "p.yml": "version: 1\n" }),
    });
    expect([code, out]).toEqual([0, "p.yml: OK (enforce, the built-in rules)\n"]);
  });

  it.each([
    [["missing.yml"], /cannot read missing\.yml: no such file/],
    [["--strict"], /unknown option --strict/],
    [["a.yml", "b.yml"], /at most one FILE/],
  ])("usage errors exit 2: %j", async (args, message) => {
    const result = await run(args, repo());
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("refuses hostile files with a located error", async () => {
    const result = await run(["bomb.yml"], repo({ "bomb.yml": `version: 1\nx: ${"[".repeat(10_000)}\n` }));
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^bomb\.yml:2:\d+: the policy nests deeper than 24 levels\n$/);
  });
});
