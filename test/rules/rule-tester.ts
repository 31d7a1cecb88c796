/**
 * A RuleTester for `sql/*` rules: each firing case lists exactly the findings of the rule under test
 * (line, endLine, object, and severity where it differs from the rule's default), each passing case
 * must produce none. Other rules' findings in the same SQL are ignored, so every case tests one rule.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { getRule } from "../../rules/index.js";
import type { Finding, Severity } from "../../src/model/finding.js";
import { analyzeSqlText, loadSqlParsers, type SqlContext } from "../../src/analyzers/sql/index.js";

export interface ExpectedFinding {
  line: number;
  /** Omit for a one-line statement. */
  endLine?: number;
  object?: string;
  /** Defaults to the rule's own severity. */
  severity?: Severity;
  /** A part of the message that must be there (CASCADE, "looks like a rename" …). */
  message?: string | RegExp;
  acknowledged?: string;
}

export interface FiringCase {
  name?: string;
  code: string;
  findings: ExpectedFinding[];
  context?: Partial<SqlContext>;
}

export interface PassingCase {
  name?: string;
  code: string;
  context?: Partial<SqlContext>;
}

export interface RuleCases {
  fires: FiringCase[];
  passes: (string | PassingCase)[];
}

export function analyze(code: string, context: Partial<SqlContext> = {}): Finding[] {
  return analyzeSqlText(code, { file: "db/migrate/test.sql", side: "head", dialect: "postgresql", ...context });
}

export function runRuleTests(ruleId: string, cases: RuleCases): void {
  const rule = getRule(ruleId);
  const all = [...cases.fires, ...cases.passes.map((c) => (typeof c === "string" ? { code: c } : c))];
  const codes = all.map((c) => caseKey(c.code, c.context));
  const duplicates = codes.filter((code, i) => codes.indexOf(code) !== i);

  describe(ruleId, () => {
    beforeAll(async () => {
      await loadSqlParsers();
    });

    it("has firing and passing cases, none duplicated", () => {
      expect(cases.fires.length).toBeGreaterThan(0);
      expect(cases.passes.length).toBeGreaterThan(0);
      expect(duplicates).toEqual([]);
      for (const c of cases.fires) expect(c.findings.length, `firing case without findings: ${c.code}`).toBeGreaterThan(0);
    });

    for (const c of cases.fires) {
      it(`fires: ${c.name ?? c.code.replace(/\s+/g, " ").slice(0, 70)}`, () => {
        const found = analyze(c.code, c.context).filter((f) => f.rule === ruleId);
        expect(found.map(shape), c.code).toEqual(
          c.findings.map((e) => ({
            rule: ruleId,
            line: e.line,
            endLine: e.endLine,
            object: e.object,
            severity: e.severity ?? (c.context?.rollback ? "low" : rule.severity),
          })),
        );
        c.findings.forEach((e, i) => {
          const actual = found[i]!;
          expect(actual.category).toBe(rule.category);
          expect(actual.message).not.toContain("\n");
          if (e.message !== undefined) expect(actual.message).toMatch(e.message);
          if (e.acknowledged !== undefined) expect(actual.acknowledged).toBe(e.acknowledged);
        });
      });
    }

    for (const p of cases.passes) {
      const c = typeof p === "string" ? { code: p } : p;
      it(`passes: ${c.name ?? c.code.replace(/\s+/g, " ").slice(0, 70)}`, () => {
        const found = analyze(c.code, c.context).filter((f) => f.rule === ruleId);
        expect(found, c.code).toEqual([]);
      });
    }
  });
}

/** Same SQL under another dialect or context is a different case. */
function caseKey(code: string, context: Partial<SqlContext> = {}): string {
  return JSON.stringify([code, context.dialect, context.rollback, context.startLine, context.transaction, [...(context.createdTables ?? [])]]);
}

function shape(f: Finding) {
  return { rule: f.rule, line: f.line, endLine: f.endLine, object: f.object, severity: f.severity };
}
