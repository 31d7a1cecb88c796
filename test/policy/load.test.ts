import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  DEFAULT_RULES,
  loadPolicy,
  MAX_POLICY_BYTES,
  parsePolicy,
  validatePolicyText,
  type PolicyError,
} from "../../src/policy/load.js";
import { effectiveRules } from "../../src/policy/floor.js";
import { analysisOptionsFromPolicy } from "../../src/policy/options.js";

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/policy/${name}`, import.meta.url), "utf8");

function errorsOf(text: string): PolicyError[] {
  const result = parsePolicy(text);
  if (result.ok) throw new Error("expected the policy to be invalid");
  return result.errors;
}

describe("parsePolicy: valid files", () => {
  it("parses the DESIGN §3 example with every field", () => {
    const result = parsePolicy(fixture("design-example.yml"));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const { policy } = result;
    expect(policy.mode).toBe("enforce");
    expect(policy.sql.dialect).toBe("postgresql");
    expect(policy.agents).toEqual({ logins: ["acme-release-bot[bot]"], extra_approvals: 1 });
    expect(policy.rules).toHaveLength(2);
    expect(policy.rules[0]!.require).toEqual({ approvals: 1, from: { teams: ["acme/dba"], users: ["alice"] } });
    expect(policy.rules[1]!.block).toMatch(/as a person/);
    expect(policy.rules[1]!.when.author).toBe("agent");
    expect(policy.ignore).toEqual([{ findings: ["sql/blocking-index"], paths: ["db/seeds/**"] }]);
    expect(analysisOptionsFromPolicy(policy)).toEqual({
      paths: { sql: ["db/**/*.sql"], terraform: ["infra/**"], terraform_plans: [], kubernetes: ["deploy/**/*.yaml"], exclude: ["**/testdata/**"] },
      sqlDialect: "postgresql",
      requireTerraformPlan: false,
    });
  });

  it("fills defaults: a file with only `version: 1` is the built-in policy", () => {
    const result = parsePolicy(fixture("minimal.yml"));
    expect(result.ok && result.policy).toEqual(DEFAULT_POLICY);
    expect(result.ok && effectiveRules(result.policy).map((r) => r.rule)).toEqual(DEFAULT_RULES);
  });

  it("a file's `rules:` add to the built-in rules: they are a floor", () => {
    const result = parsePolicy("version: 1\nrules:\n  - name: Labels only\n    labels: [db]\n");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.policy.defaults).toBe(true);
    expect(result.policy.rules.map((r) => r.name)).toEqual(["Labels only"]);
    expect(effectiveRules(result.policy).map((r) => [r.rule.name, r.builtin])).toEqual([
      ["Labels only", false],
      ["High-severity changes", true],
      ["Agent-authored changes", true],
      ["Changes to the gate", true],
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("`defaults: false` turns the floor off: only the file's rules apply", () => {
    const result = parsePolicy("version: 1\ndefaults: false\nrules:\n  - name: Labels only\n    labels: [db]\n");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(effectiveRules(result.policy).map((r) => r.rule.name)).toEqual(["Labels only"]);
  });

  it("a built-in rule shares no name with a file's rule", () => {
    const result = parsePolicy("version: 1\nrules:\n  - name: high-severity changes\n    labels: [db]\n");
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(effectiveRules(result.policy).map((r) => r.rule.name)).toEqual([
      "high-severity changes",
      "High-severity changes (built-in)",
      "Agent-authored changes",
      "Changes to the gate",
    ]);
  });

  it.each([
    ["`defaults` is not a boolean", "version: 1\ndefaults: no-thanks\n", /^defaults: expected true or false/],
  ])("refuses %s", (_name, text, message) => {
    expect(errorsOf(text)[0]!.message).toMatch(message);
  });

  it("accepts anchors and aliases within the limit", () => {
    const text = `version: 1
x-dba: &dba { teams: ["acme/dba"] }
`;
    // unknown top-level key still refused even when used as an anchor holder
    expect(errorsOf(text)[0]!.message).toMatch(/unknown key "x-dba"/);
    const ok = parsePolicy(`version: 1
rules:
  - name: A
    when: { findings: &drops ["sql/drop-table"] }
    require: { approvals: 1 }
  - name: B
    when: { findings: *drops, author: agent }
    block: no
`);
    expect(ok.ok).toBe(true);
  });
});

describe("parsePolicy: errors name the line and column", () => {
  const cases: { name: string; text: string; line: number; column: number; message: RegExp }[] = [
    { name: "unknown top-level key", text: "version: 1\nmodes: enforce\n", line: 2, column: 1, message: /unknown key "modes"; did you mean "mode"\?/ },
    { name: "unknown nested key", text: "version: 1\nsignoff:\n  invalidates: on_any_push\n", line: 3, column: 3, message: /signoff: unknown key "invalidates"; did you mean "invalidate"/ },
    { name: "wrong type", text: "version: 1\nagents:\n  extra_approvals: lots\n", line: 3, column: 20, message: /agents\.extra_approvals: expected a number, got string "lots"/ },
    { name: "a string where a list belongs", text: "version: 1\nignore:\n  - findings: sql/drop-index\n", line: 3, column: 15, message: /ignore\[0\].findings: expected a list, got string "sql\/drop-index"/ },
    { name: "a complex key", text: "version: 1\n? [a, b]\n: c\n", line: 2, column: 3, message: /keys must be plain strings/ },
    { name: "not a mapping", text: "- version: 1\n", line: 1, column: 1, message: /\(top level\): expected a mapping, got a list/ },
    { name: "bad enum", text: "version: 1\nmode: strict\n", line: 2, column: 7, message: /mode: must be one of "enforce", "report-only"/ },
    { name: "bad dialect", text: "version: 1\nsql: { dialect: oracle }\n", line: 2, column: 17, message: /sql\.dialect: must be one of/ },
    { name: "missing version", text: "mode: enforce\n", line: 1, column: 1, message: /version: required/ },
    { name: "wrong version", text: "version: 2\n", line: 1, column: 10, message: /version: must be 1/ },
    { name: "duplicate key", text: "version: 1\nmode: enforce\nmode: report-only\n", line: 3, column: 1, message: /duplicate key/ },
    { name: "YAML syntax error", text: "version: 1\nrules: [\n", line: 3, column: 1, message: /./ },
    {
      name: "bad picomatch glob",
      text: "version: 1\nrules:\n  - name: A\n    when: { paths: [\"db/[abc\"] }\n    require: { approvals: 1 }\n",
      line: 4,
      column: 21,
      message: /rules\[0\]\.when\.paths\[0\]: invalid glob "db\/\[abc"/,
    },
    {
      name: "leading slash in a path glob",
      text: "version: 1\npaths:\n  sql: [\"/db/**\"]\n",
      line: 3,
      column: 9,
      message: /relative to the repository root/,
    },
    {
      name: "unknown finding id with close matches",
      text: "version: 1\nrules:\n  - name: A\n    when:\n      findings: [sql/drop-tabel]\n    require: { approvals: 1 }\n",
      line: 5,
      column: 18,
      message: /unknown finding id "sql\/drop-tabel"; did you mean .*sql\/drop-table/,
    },
    {
      name: "finding glob matching nothing",
      text: "version: 1\nrules:\n  - name: A\n    when:\n      findings: [\"sql/nothing-*\"]\n    require: { approvals: 1 }\n",
      line: 5,
      column: 18,
      message: /matches no known finding id/,
    },
    {
      name: "bare * as a finding glob",
      text: "version: 1\nrules:\n  - name: A\n    when: { findings: [\"*\"] }\n    require: { approvals: 1 }\n",
      line: 4,
      column: 24,
      message: /use "\*\*"/,
    },
    {
      name: "block and require together",
      text: "version: 1\nrules:\n  - name: A\n    require: { approvals: 1 }\n    block: no\n",
      line: 5,
      column: 12,
      message: /either blocks or requires/,
    },
    {
      name: "rule that does nothing",
      text: "version: 1\nrules:\n  - name: A\n    when: { severity: high }\n",
      line: 3,
      column: 5,
      message: /does nothing/,
    },
    {
      name: "duplicate rule names",
      text: "version: 1\nrules:\n  - name: A\n    labels: [x]\n  - name: a\n    labels: [y]\n",
      line: 5,
      column: 11,
      message: /duplicate rule name/,
    },
    {
      name: "request_review without from",
      text: "version: 1\nrules:\n  - name: A\n    require: { approvals: 1 }\n    request_review: true\n",
      line: 5,
      column: 21,
      message: /request_review needs require\.from/,
    },
    {
      name: "ignoring gate findings",
      text: "version: 1\nignore:\n  - findings: [gate/config-change]\n",
      line: 3,
      column: 16,
      message: /cannot be ignored/,
    },
    {
      name: "empty ignore entry",
      text: "version: 1\nignore:\n  - reason: all of it\n",
      line: 3,
      column: 5,
      message: /needs findings, paths or both/,
    },
    { name: "bad team", text: "version: 1\nrules:\n  - name: A\n    require: { from: { teams: [dba] } }\n", line: 4, column: 32, message: /org\/team-slug/ },
    { name: "approvals out of range", text: "version: 1\nrules:\n  - name: A\n    require: { approvals: 0 }\n", line: 4, column: 27, message: /rules\[0\]\.require\.approvals/ },
    { name: "empty file", text: "", line: 1, column: 1, message: /empty/ },
    { name: "two documents", text: "version: 1\n---\nversion: 1\n", line: 2, column: 1, message: /./ },
  ];

  it.each(cases)("$name", ({ text, line, column, message }) => {
    const errors = errorsOf(text);
    const hit = errors.find((e) => message.test(e.message));
    expect(hit, JSON.stringify(errors)).toBeDefined();
    expect({ line: hit!.line, column: hit!.column }).toEqual({ line, column });
  });

  it("reports schema errors and id/glob problems of a file at once, in line order", () => {
    const errors = errorsOf(fixture("invalid-many.yml"));
    expect(errors.map((e) => [e.line, e.column, e.message.split(":")[0]])).toEqual([
      [6, 32, "rules[0].when.findings[1]"],
      [7, 17, "rules[0].when.severity"],
      [8, 7, "rules[0].when"],
      [10, 18, "rules[0].require.approvals"],
      [12, 13, "ignore[0].paths[0]"],
    ]);
    expect(errors[0]!.message).toMatch(/did you mean .*sql\/truncate/);
  });

  it("validatePolicyText returns located problems for the gate analyzer, none for a valid file", () => {
    expect(validatePolicyText(fixture("design-example.yml"))).toEqual([]);
    expect(validatePolicyText("version: 1\nmode: strict\n")).toEqual([{ message: expect.stringMatching(/mode/), line: 2, column: 7 }]);
  });
});

describe("parsePolicy: hostile YAML is refused", () => {
  const quick = (text: string) => errorsOf(text);

  it("alias bombs", () => {
    expect(quick(fixture("alias-bomb.yml"))[0]!.message).toMatch(/alias bomb/);
  });

  it("deep flow nesting, before parsing", () => {
    expect(quick(`version: 1\nx: ${"[".repeat(200_000)}`)[0]!.message).toMatch(/nests deeper/);
  });

  it("deep block nesting", () => {
    const lines = ["version: 1"];
    for (let i = 0; i < 60; i++) lines.push(`${"  ".repeat(i)}k${i}:`);
    lines.push(`${"  ".repeat(60)}v: 1`);
    expect(quick(lines.join("\n"))[0]!.message).toMatch(/nests deeper/);
  });

  it("huge files", () => {
    const text = `version: 1\n${"# padding\n".repeat(MAX_POLICY_BYTES / 10 + 1)}`;
    expect(quick(text)).toEqual([{ message: expect.stringMatching(/over the 256 KiB limit/), line: 1, column: 1 }]);
  });

  it("custom tags are not resolved", () => {
    expect(errorsOf("version: 1\nmode: !!js/function 'x'\n").length).toBeGreaterThan(0);
  });
});

describe("loadPolicy", () => {
  it("a missing file on the base revision means the default policy", async () => {
    const loaded = await loadPolicy(async () => null);
    expect(loaded).toEqual({ source: "default", path: ".github/changegate.yml", policy: DEFAULT_POLICY });
  });

  it("reads the given path through the reader, as bytes or text", async () => {
    const asked: string[] = [];
    const bytes = await loadPolicy(async (path) => {
      asked.push(path);
      return new TextEncoder().encode("version: 1\nmode: report-only\n");
    }, "config/gate.yml");
    expect(asked).toEqual(["config/gate.yml"]);
    expect(bytes.source === "file" && bytes.policy.mode).toBe("report-only");
    const text = await loadPolicy(async () => "version: 1\n");
    expect(text.source).toBe("file");
  });

  it("an invalid file is `invalid` with located errors", async () => {
    const loaded = await loadPolicy(async () => "version: 1\nmode: strict\n");
    expect(loaded).toMatchObject({ source: "invalid", path: ".github/changegate.yml", errors: [{ line: 2, column: 7 }] });
  });

  it("refuses bytes that are not UTF-8 or too large", async () => {
    const bad = await loadPolicy(async () => new Uint8Array([0x76, 0xff, 0xfe]));
    expect(bad).toMatchObject({ source: "invalid", errors: [{ message: expect.stringMatching(/UTF-8/) }] });
    const big = await loadPolicy(async () => new Uint8Array(MAX_POLICY_BYTES + 1).fill(0x20));
    expect(big).toMatchObject({ source: "invalid", errors: [{ message: expect.stringMatching(/limit/) }] });
  });

  it("a reader that throws propagates: the caller fails closed", async () => {
    await expect(
      loadPolicy(async () => {
        throw new Error("API rate limited");
      }),
    ).rejects.toThrow("API rate limited");
  });

  it("the default policy cannot be mutated by a caller", () => {
    expect(() => (DEFAULT_POLICY.rules as unknown[]).push({})).toThrow();
  });
});

describe("parsePolicy: line endings and encodings", () => {
  it("locates errors in CRLF files and accepts a byte-order mark", () => {
    expect(errorsOf("version: 1\r\nmode: strict\r\n")).toMatchObject([{ line: 2, column: 7 }]);
    expect(parsePolicy("\uFEFFversion: 1\n").ok).toBe(true);
  });
});
