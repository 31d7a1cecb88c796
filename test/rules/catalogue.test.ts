/**
 * The rule catalogue is a public contract (config files, suppressions, JSON output): this test pins the
 * full list of ids so that adding or removing one shows up in review, runs every rule's doc examples
 * through the analyzer that owns it, and requires docs, examples and a test file of its own for every
 * rule (`npm run new-rule` writes all of them).
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ALL_RULES, getRule } from "../../rules/index.js";
import { CATEGORIES, SEVERITIES } from "../../src/model/finding.js";
import { loadSqlParsers } from "../../src/analyzers/sql/index.js";
import { exampleText } from "../../src/model/rule.js";
import { exampleRules } from "./examples.js";

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
  "sql/delete-rows",
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
  "sql/transaction-conflict",
  "sql/truncate",
  "sql/unparsed",
  "sql/update-all-rows",
  "sql/update-rows",
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

  it("keeps each rule in a file whose path mirrors its id, with a test file of its own that names it", () => {
    for (const rule of ALL_RULES) {
      const [area, name] = rule.id.split("/") as [string, string];
      const record = join("rules", area, `${name}.ts`);
      expect(existsSync(record), `${record} is missing`).toBe(true);
      expect(readFileSync(record, "utf8"), record).toContain(`id: "${rule.id}"`);
      const own = join("test", "rules", area, `${name}.test.ts`);
      expect(existsSync(own), `${own} is missing`).toBe(true);
      expect(readFileSync(own, "utf8"), `${own} does not name ${rule.id}`).toMatch(new RegExp(`"${rule.id}"|rules/${area}/${name}\\.js`));
    }
  });

  it("keeps no scaffold placeholder in a record", () => {
    for (const rule of ALL_RULES) expect(JSON.stringify(rule), rule.id).not.toMatch(/\bTODO\b/);
  });

  for (const rule of ALL_RULES) {
    it(`runs the examples of ${rule.id}`, async () => {
      for (const [example, expected] of [...rule.examples.fires.map((e) => [e, true] as const), ...rule.examples.passes.map((e) => [e, false] as const)]) {
        const rules = await exampleRules(example, rule.id);
        if (rules === null) continue;
        if (expected) expect(rules, `fires example: ${exampleText(example)}`).toContain(rule.id);
        else expect(rules, `passes example: ${exampleText(example)}`).not.toContain(rule.id);
      }
    });
  }
});
