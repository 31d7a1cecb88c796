import type { Finding } from "../../../src/model/finding.js";
import { analyzeSqlText, type SqlContext } from "../../../src/analyzers/sql/index.js";

export function sql(text: string, context: Partial<SqlContext> = {}): Finding[] {
  return analyzeSqlText(text, { file: "db/migrations/001.sql", side: "head", dialect: "postgresql", ...context });
}

/** The parts tests compare: rule, lines, object and severity. */
export function brief(findings: Finding[]) {
  return findings.map((f) => ({ rule: f.rule, line: f.line, endLine: f.endLine, object: f.object, severity: f.severity }));
}

export function rulesOf(findings: Finding[]): string[] {
  return findings.map((f) => f.rule);
}
