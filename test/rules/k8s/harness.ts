/**
 * A RuleTester for `k8s/*` rules: each case is a change between two trees, run through the whole
 * engine (MemorySource, every built-in analyzer) as a scan would. A firing case lists exactly the
 * findings of the rule under test; a passing case must produce none of them.
 */
import { describe, expect, it } from "vitest";
import { getRule } from "../../../rules/index.js";
import { analyzeChangeSet } from "../../../src/analyze.js";
import type { Finding, Severity, Side } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";

export interface ExpectedK8sFinding {
  file: string;
  line: number;
  side?: Side;
  object: string;
  severity?: Severity;
  message?: RegExp;
}

export interface K8sCase {
  name: string;
  base: Tree;
  head: Tree;
  kubernetesPaths?: string[];
}

export interface K8sRuleCases {
  fires: (K8sCase & { findings: ExpectedK8sFinding[] })[];
  passes: K8sCase[];
}

export async function scan(base: Tree, head: Tree, kubernetesPaths: string[] = []): Promise<Finding[]> {
  const result = await analyzeChangeSet(new MemorySource(base, head), { paths: { kubernetes: kubernetesPaths } });
  return result.findings;
}

export function runK8sRuleTests(ruleId: string, cases: K8sRuleCases): void {
  const rule = getRule(ruleId);
  describe(ruleId, () => {
    it("has firing and passing cases", () => {
      expect(cases.fires.length).toBeGreaterThan(0);
      expect(cases.passes.length).toBeGreaterThan(0);
      for (const c of cases.fires) expect(c.findings.length, c.name).toBeGreaterThan(0);
    });
    for (const c of cases.fires) {
      it(`fires: ${c.name}`, async () => {
        const found = (await scan(c.base, c.head, c.kubernetesPaths)).filter((f) => f.rule === ruleId);
        expect(found.map(shape)).toEqual(
          c.findings.map((e) => ({ file: e.file, line: e.line, side: e.side ?? "head", object: e.object, severity: e.severity ?? rule.severity })),
        );
        c.findings.forEach((e, i) => {
          const actual = found[i]!;
          expect(actual.category).toBe(rule.category);
          expect(actual.message).not.toContain("\n");
          expect(actual.statement, "a sign-off is bound to the statement").toBeTruthy();
          if (e.message) expect(actual.message).toMatch(e.message);
        });
      });
    }
    for (const c of cases.passes) {
      it(`passes: ${c.name}`, async () => {
        const found = (await scan(c.base, c.head, c.kubernetesPaths)).filter((f) => f.rule === ruleId);
        expect(found).toEqual([]);
      });
    }
  });
}

function shape(f: Finding) {
  return { file: f.file, line: f.line, side: f.side, object: f.object, severity: f.severity };
}
