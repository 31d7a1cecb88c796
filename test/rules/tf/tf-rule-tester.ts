/**
 * A RuleTester for `tf/*` rules: each case is a change between two trees (and plans), run through
 * the whole engine; firing cases list exactly the findings of the rule under test, passing cases
 * must produce none. Other rules' findings are ignored, so every case tests one rule.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { getRule } from "../../../rules/index.js";
import type { Severity } from "../../../src/model/finding.js";
import { scanTrees, type PlanInput } from "../../analyzers/terraform/helpers.js";

export interface ExpectedTfFinding {
  file: string;
  line: number;
  object: string;
  severity?: Severity;
  side?: "base" | "head";
  message?: string | RegExp;
}

export interface TfCase {
  name: string;
  base: Record<string, string>;
  head: Record<string, string>;
  plans?: PlanInput[];
  paths?: { terraform?: string[]; terraform_plans?: string[] };
}

export interface TfFiringCase extends TfCase {
  findings: ExpectedTfFinding[];
}

export function runTfRuleTests(ruleId: string, cases: { fires: TfFiringCase[]; passes: TfCase[] }): void {
  const rule = getRule(ruleId);
  describe(ruleId, () => {
    it("has firing and passing cases", () => {
      expect(cases.fires.length).toBeGreaterThan(0);
      expect(cases.passes.length).toBeGreaterThan(0);
    });
    for (const c of cases.fires) {
      it(`fires: ${c.name}`, async () => {
        const found = (await run(c)).filter((f) => f.rule === ruleId);
        expect(found.map((f) => ({ file: f.file, line: f.line, object: f.object, severity: f.severity, side: f.side }))).toEqual(
          c.findings.map((e) => ({ file: e.file, line: e.line, object: e.object, severity: e.severity ?? rule.severity, side: e.side ?? "head" })),
        );
        c.findings.forEach((e, i) => {
          expect(found[i]!.category).toBe(rule.category);
          expect(found[i]!.statement, "a finding carries the statement a sign-off is bound to").toBeTruthy();
          if (e.message !== undefined) expect(found[i]!.message).toMatch(e.message);
        });
      });
    }
    for (const c of cases.passes) {
      it(`passes: ${c.name}`, async () => {
        expect((await run(c)).filter((f) => f.rule === ruleId)).toEqual([]);
      });
    }
  });
}

function run(c: TfCase) {
  return scanTrees(c.base, c.head, { ...(c.plans ? { plans: c.plans } : {}), ...(c.paths ? { paths: c.paths } : {}) });
}

const FIXTURE = fileURLToPath(new URL("../../../fixtures/terraform/rds-db-instance", import.meta.url));

/** The RDS `db_instance` module (four files) under `dir`, as a tree. */
export function rdsModule(dir = "infra/rds"): Record<string, string> {
  const tree: Record<string, string> = {};
  for (const name of readdirSync(FIXTURE)) tree[`${dir}/${name}`] = readFileSync(join(FIXTURE, name), "utf8");
  return tree;
}

/** The 1-based line of the first line of `text` containing `needle`. */
export function lineOf(text: string, needle: string): number {
  const index = text.split("\n").findIndex((l) => l.includes(needle));
  if (index < 0) throw new Error(`${needle} not found`);
  return index + 1;
}

/** Cuts the top-level block starting with `header` out of `text` (up to the `}` at column 0). */
export function cutBlock(text: string, header: string): { rest: string; block: string } {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.startsWith(header));
  if (start < 0) throw new Error(`${header} not found`);
  const end = lines.findIndex((l, i) => i > start && l === "}");
  const block = lines.slice(start, end + 1).join("\n");
  return { rest: [...lines.slice(0, start), ...lines.slice(end + 1)].join("\n"), block };
}
