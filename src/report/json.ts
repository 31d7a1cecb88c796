import type { Finding } from "../model/finding.js";
import type { Decision, RuleResult } from "../policy/types.js";
import type { ReportInput } from "./input.js";

/**
 * One finding in the JSON output. The field names are a stable contract (DESIGN §6): `endLine` and
 * `object` are always present (null when unknown) so consumers can rely on the shape.
 */
export interface JsonFinding {
  rule: string;
  severity: Finding["severity"];
  category: Finding["category"];
  file: string;
  line: number;
  endLine: number | null;
  object: string | null;
  message: string;
  side: Finding["side"];
  acknowledged?: string;
  rollback?: boolean;
}

export interface JsonRuleResult extends Omit<RuleResult, "findings"> {
  findings: JsonFinding[];
}

export interface JsonDecision extends Omit<Decision, "rules" | "nonGating" | "ignored"> {
  rules: JsonRuleResult[];
  nonGating: JsonFinding[];
  ignored: JsonFinding[];
}

export interface JsonReport {
  base: string;
  head: string;
  findings: JsonFinding[];
  decision: JsonDecision;
  policy?: ReportInput["policy"];
  files?: ReportInput["files"];
  unclaimed?: number;
  errors?: ReportInput["errors"];
}

export function toJsonFinding(f: Finding): JsonFinding {
  const out: JsonFinding = {
    rule: f.rule,
    severity: f.severity,
    category: f.category,
    file: f.file,
    line: f.line,
    endLine: f.endLine ?? null,
    object: f.object ?? null,
    message: f.message,
    side: f.side,
  };
  if (f.acknowledged !== undefined) out.acknowledged = f.acknowledged;
  if (f.rollback) out.rollback = true;
  return out;
}

export function toJsonReport(input: ReportInput): JsonReport {
  const { rules, nonGating, ignored, ...rest } = input.decision;
  const report: JsonReport = {
    base: input.base,
    head: input.head,
    findings: input.findings.map(toJsonFinding),
    decision: {
      ...rest,
      rules: rules.map((r) => ({ ...r, findings: r.findings.map(toJsonFinding) })),
      nonGating: nonGating.map(toJsonFinding),
      ignored: ignored.map(toJsonFinding),
    },
  };
  if (input.policy) report.policy = input.policy;
  if (input.files) report.files = input.files;
  if (input.unclaimed !== undefined) report.unclaimed = input.unclaimed;
  if (input.errors) report.errors = input.errors;
  return report;
}

/** The `--format json` output: one JSON document, pretty-printed, newline-terminated. */
export function renderJsonReport(input: ReportInput): string {
  return JSON.stringify(toJsonReport(input), null, 2) + "\n";
}
