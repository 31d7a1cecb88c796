/**
 * The rule catalogue is a public contract (config files, suppressions, JSON output): this test pins the
 * full list of ids so that adding or removing one shows up in review, runs every `sql/*` rule's doc
 * examples through the analyzer, and requires docs, examples and a test file for every rule.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_RULES, getRule } from "../../rules/index.js";
import { sqlRules } from "../../rules/sql/index.js";
import { CATEGORIES, SEVERITIES } from "../../src/model/finding.js";
import { analyzeChangeSet } from "../../src/analyze.js";
import { analyzeSqlText, loadSqlParsers } from "../../src/analyzers/sql/index.js";
import { exampleText, type RuleExample } from "../../src/model/rule.js";
import { MemorySource } from "../../src/source/memory.js";

const PINNED_IDS = [
  "gate/config-change",
  "gate/incomplete-analysis",
  "k8s/cascade-delete",
  "k8s/delete-config",
  "k8s/delete-crd",
  "k8s/delete-namespace",
  "k8s/delete-storage",
  "k8s/delete-workload",
  "k8s/immutable-change",
  "k8s/privilege-escalation",
  "k8s/prune-enabled",
  "k8s/scale-to-zero",
  "k8s/unparsed",
  "sql/blocking-index",
  "sql/column-type-change",
  "sql/delete-all-rows",
  "sql/detach-partition",
  "sql/disable-rls",
  "sql/disable-triggers",
  "sql/drop-column",
  "sql/drop-constraint",
  "sql/drop-database",
  "sql/drop-default",
  "sql/drop-expression",
  "sql/drop-index",
  "sql/drop-object",
  "sql/drop-role",
  "sql/drop-schema",
  "sql/drop-table",
  "sql/edited-migration",
  "sql/identity-change",
  "sql/merge-delete",
  "sql/not-null",
  "sql/opaque-code",
  "sql/owner-change",
  "sql/prisma-warning",
  "sql/privilege-grant",
  "sql/rename",
  "sql/replication",
  "sql/sequence-reset",
  "sql/table-lock",
  "sql/table-rebuild",
  "sql/table-rewrite",
  "sql/truncate",
  "sql/unparsed",
  "sql/update-all-rows",
  "sql/validating-constraint",
  "tf/backend-change",
  "tf/count-shrink",
  "tf/destroy",
  "tf/module-removed",
  "tf/plan-incomplete",
  "tf/protection-removed",
  "tf/replace",
  "tf/unparsed",
];

/** DESIGN §2: these ids and default severities are the floor. */
const CONTRACT_SEVERITIES: Record<string, string> = {
  "sql/drop-database": "critical",
  "sql/drop-schema": "critical",
  "sql/drop-table": "critical",
  "sql/truncate": "critical",
  "sql/delete-all-rows": "critical",
  "sql/update-all-rows": "high",
  "sql/drop-column": "high",
  "sql/column-type-change": "high",
  "sql/rename": "high",
  "sql/drop-object": "medium",
  "sql/drop-index": "medium",
  "sql/drop-constraint": "medium",
  "sql/blocking-index": "medium",
  "sql/not-null": "medium",
  "sql/validating-constraint": "medium",
  "sql/table-rewrite": "medium",
  "sql/disable-rls": "critical",
  "sql/privilege-grant": "critical",
  "sql/drop-role": "high",
  "sql/disable-triggers": "high",
  "sql/replication": "high",
  "sql/opaque-code": "medium",
  "sql/edited-migration": "high",
  "sql/unparsed": "high",
  "tf/destroy": "high",
  "tf/replace": "high",
  "tf/protection-removed": "high",
  "tf/module-removed": "high",
  "tf/count-shrink": "high",
  "tf/backend-change": "high",
  "tf/plan-incomplete": "high",
  "tf/unparsed": "high",
  "gate/config-change": "high",
  "gate/incomplete-analysis": "high",
  "k8s/delete-namespace": "critical",
  "k8s/delete-storage": "critical",
  "k8s/delete-crd": "critical",
  "k8s/cascade-delete": "critical",
  "k8s/delete-workload": "high",
  "k8s/delete-config": "high",
  "k8s/scale-to-zero": "high",
  "k8s/immutable-change": "high",
  "k8s/prune-enabled": "high",
  "k8s/privilege-escalation": "high",
  "k8s/unparsed": "high",
};

/**
 * Rules whose examples are not SQL the SQL analyzer reads: gate rules (paths and prose), rules decided
 * from the change set (edited migrations) and rules of the migration analyzer (framework files).
 */
const SQL_ANALYZER_RULES = new Set(sqlRules.map((r) => r.id).filter((id) => id !== "sql/edited-migration"));

function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...testFiles(path));
    else if (entry.endsWith(".test.ts")) out.push(path);
  }
  return out;
}

describe("rule catalogue", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("pins the full list of rule ids", () => {
    expect(ALL_RULES.map((r) => r.id)).toEqual(PINNED_IDS);
  });

  it("keeps the DESIGN §2 ids and default severities", () => {
    for (const [id, severity] of Object.entries(CONTRACT_SEVERITIES)) expect(getRule(id).severity, id).toBe(severity);
  });

  it("has complete records", () => {
    for (const rule of ALL_RULES) {
      expect(rule.id, rule.id).toMatch(/^[a-z0-9]+\/[a-z0-9-]+$/);
      expect(SEVERITIES, rule.id).toContain(rule.severity);
      expect(CATEGORIES, rule.id).toContain(rule.category);
      expect(rule.title.length, rule.id).toBeGreaterThan(5);
      expect(rule.why.length, rule.id).toBeGreaterThan(60);
      expect(rule.safeAlternative.length, rule.id).toBeGreaterThan(40);
      expect(rule.docs, rule.id).toBe(`docs/rules.md#${rule.id.replace("/", "-")}`);
      expect(rule.examples.fires.length, `${rule.id} needs a firing example`).toBeGreaterThan(0);
      expect(rule.examples.passes.length, `${rule.id} needs a passing example`).toBeGreaterThan(0);
    }
  });

  it("keeps each sql rule in a file named after it", () => {
    for (const rule of sqlRules) {
      const name = rule.id.slice("sql/".length);
      const path = join("rules", "sql", `${name}.ts`);
      expect(existsSync(path), path).toBe(true);
      expect(readFileSync(path, "utf8"), path).toContain(`id: "${rule.id}"`);
    }
  });

  it("has a test file for every rule", () => {
    const all = testFiles("test");
    const contents = all.map((path) => readFileSync(path, "utf8"));
    for (const rule of ALL_RULES) {
      const own = join("test", "rules", ...rule.id.split("/")) + ".test.ts";
      if (SQL_ANALYZER_RULES.has(rule.id) || rule.id === "sql/edited-migration" || rule.id.startsWith("tf/")) {
        expect(existsSync(own), `${own} is missing`).toBe(true);
      } else {
        // Rules detected by other analyzers are tested there; require that some test names them.
        expect(existsSync(own) || contents.some((c) => c.includes(`"${rule.id}"`)), `no test mentions ${rule.id}`).toBe(true);
      }
    }
  });

  for (const rule of ALL_RULES.filter((r) => SQL_ANALYZER_RULES.has(r.id) || r.examples.fires.some((e) => typeof e !== "string"))) {
    it(`runs the examples of ${rule.id}`, async () => {
      for (const [example, expected] of [...rule.examples.fires.map((e) => [e, true] as const), ...rule.examples.passes.map((e) => [e, false] as const)]) {
        const rules = await exampleRules(example);
        if (rules === null) continue;
        if (expected) expect(rules, `fires example: ${exampleText(example)}`).toContain(rule.id);
        else expect(rules, `passes example: ${exampleText(example)}`).not.toContain(rule.id);
      }
    });
  }
});

/**
 * The rules an example produces: a text goes to the SQL analyzer as one new migration; a change
 * runs through the whole engine with every built-in analyzer, as a scan would. Null for prose
 * examples of rules that judge paths alone (gate rules).
 */
async function exampleRules(example: RuleExample): Promise<string[] | null> {
  if (typeof example === "string") {
    return analyzeSqlText(example, { file: "example.sql", side: "head", dialect: "postgresql" }).map((f) => f.rule);
  }
  const inputs = (example.inputs ?? []).map((input) => ({ kind: input.kind, path: input.path, bytes: new TextEncoder().encode(input.text) }));
  const result = await analyzeChangeSet(new MemorySource({ ...example.base }, { ...example.head }), { inputs });
  return result.findings.map((f) => f.rule);
}
