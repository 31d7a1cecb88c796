/**
 * The shared vocabulary of changegate (DESIGN §2). Analyzers produce findings, the policy
 * decides on them, reports render them. Field names are a public contract (JSON output,
 * annotations, config globs): add fields, never rename them.
 */
import { compareText } from "../util/compare.js";

export const SEVERITIES = ["low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

export const CATEGORIES = ["data-loss", "outage", "lock", "integrity", "security", "gate"] as const;
export type Category = (typeof CATEGORIES)[number];

/** Which side of the change a finding's line refers to: the head file, or the base file for removed things. */
export type Side = "head" | "base";

export interface Finding {
  /** Stable rule id, e.g. `sql/drop-table`. */
  rule: string;
  severity: Severity;
  category: Category;
  /** Repository-relative path with forward slashes. */
  file: string;
  /** 1-based first line of the statement, block or object. */
  line: number;
  /** 1-based last line, when the statement spans several. */
  endLine?: number;
  /** The object the finding is about: a table, column, resource address, `Kind/namespace/name`. */
  object?: string;
  /** One line saying what this change does; the rule's `why` and `safeAlternative` say the rest. */
  message: string;
  /**
   * What was reviewed, normalised: the statement, block or object with all its operands (whitespace
   * and comments folded, no line numbers). A sign-off is bound to it, so changing any operand of a
   * gating statement voids the sign-off; rewording a message does not.
   */
  statement?: string;
  side: Side;
  /**
   * Set when the author marked the change as intended (squawk-ignore, safety_assured, atlas:nolint …).
   * An acknowledged finding still gates: the marker is shown to the reviewer, never obeyed.
   */
  acknowledged?: string;
  /** Set for findings in rollback code (down migrations): not what runs forward. */
  rollback?: boolean;
}

export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export function atLeast(severity: Severity, minimum: Severity): boolean {
  return severityRank(severity) >= severityRank(minimum);
}

/** Stable order for output: file, then line, then rule id. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    compareText(a.file, b.file) ||
    a.line - b.line ||
    compareText(a.rule, b.rule) ||
    compareText(a.object ?? "", b.object ?? "")
  );
}
