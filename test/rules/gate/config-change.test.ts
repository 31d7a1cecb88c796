import { describe, expect, it } from "vitest";
import { configChange } from "../../../rules/gate/config-change.js";
import { changeFindings } from "../examples.js";

const ofRule = async (base: Record<string, string>, head: Record<string, string>) =>
  (await changeFindings({ base, head })).filter((f) => f.rule === configChange.id).map((f) => `${f.file}:${f.line} ${f.severity} ${f.side}`);

describe("gate/config-change", () => {
  it("fires on a changed CODEOWNERS file and a new workflow", async () => {
    expect(await ofRule({ ".github/CODEOWNERS": "* @acme/core\n" }, { ".github/CODEOWNERS": "* @acme/everyone\n", ".github/workflows/ci.yml": "on: push\n" })).toEqual([
      ".github/CODEOWNERS:1 medium head",
      ".github/workflows/ci.yml:1 medium head",
    ]);
  });

  it("fires on the base side when the policy file is deleted", async () => {
    expect(await ofRule({ ".github/changegate.yml": "version: 1\n" }, {})).toEqual([".github/changegate.yml:1 high base"]);
  });

  it("does not fire on application code, even under .github", async () => {
    expect(await ofRule({}, { "src/server.ts": "export {};\n", ".github/ISSUE_TEMPLATE/bug.md": "Describe the bug\n" })).toEqual([]);
  });

  it("reads a realistic policy change and reports the proposed policy's errors at their line", async () => {
    const base = { ".github/changegate.yml": "version: 1\nsignoff:\n  rules:\n    - name: dba\n      when:\n        severity: high\n" };
    const head = { ".github/changegate.yml": "version: 1\nmode: sometimes\nsignoff:\n  rules:\n    - name: dba\n      when:\n        severity: high\n" };
    const findings = (await changeFindings({ base, head })).filter((f) => f.rule === configChange.id);
    expect(findings[0]).toMatchObject({ file: ".github/changegate.yml", line: 1, side: "head" });
    expect(findings.some((f) => f.line === 2), JSON.stringify(findings)).toBe(true);
  });

  it("tells the reviewer what a proposed `defaults: false` drops, at its line", async () => {
    const base = { ".github/changegate.yml": "version: 1\n" };
    const head = { ".github/changegate.yml": 'version: 1\ndefaults: false\nrules:\n  - name: Label SQL\n    when: { findings: ["sql/*"] }\n    labels: [sql]\n' };
    const findings = (await changeFindings({ base, head })).filter((f) => f.rule === configChange.id);
    expect(findings.map((f) => [f.line, f.message.replace(/:.*/, "")])).toEqual([
      [1, "This pull request changes the changegate policy; it is still judged by the base branch's policy."],
      [2, "The proposed policy leaves findings ungated"],
      [2, "The proposed policy leaves findings ungated"],
    ]);
    expect(findings[1]!.message).toContain('drops the built-in rule "High-severity changes"');
    expect(findings[2]!.message).toContain('drops the built-in rule "Agent-authored changes"');
  });
});
