import type { Finding, Severity, Side } from "../model/finding.js";
import { finding, type RuleMeta } from "../model/rule.js";

/** Where a finding goes, and what holds for every finding reported there. */
export interface ReportPlace {
  file: string;
  side: Side;
  line: number;
  endLine?: number;
  /** Rollback code (a down migration) never runs forward: its findings are `low` with `rollback: true`. */
  rollback?: boolean;
  /** Tables created earlier in the same change (lower-cased, unqualified), forward or rollback as `rollback` says. */
  created?: ReadonlySet<string>;
  /** The author's acknowledgement marker (`safety_assured`, a suppression comment): shown, never obeyed. */
  acknowledged?: string;
}

export interface ReportOptions {
  object?: string;
  statement?: string;
  /**
   * The table the operation acts on. When it was created earlier in the same change, a rule about
   * what exists (`existingOnly`) has nothing to lose there and no finding is made.
   */
  table?: string;
  /** The statement cascades (`CASCADE`): the rule's `cascadeSeverity` applies. */
  cascade?: boolean;
  /** A severity the detector knows better than the rule's default (a rename that is certainly one). */
  severity?: Severity;
}

/**
 * The one way a detector reports: every reader (SQL per dialect, keyword reading, each ORM) goes
 * through here, so the same operation gets the same rule and severity whichever reader saw it.
 * Returns null when the operation loses nothing (a table created earlier in the same change).
 */
export function report(rule: RuleMeta, place: ReportPlace, message: string, options: ReportOptions = {}): Finding | null {
  if (rule.existingOnly && options.table !== undefined && place.created?.has(unqualified(options.table))) return null;
  const severity = place.rollback ? "low" : options.cascade && rule.cascadeSeverity ? rule.cascadeSeverity : options.severity;
  return finding(rule, { file: place.file, line: place.line, ...(place.endLine !== undefined ? { endLine: place.endLine } : {}), side: place.side }, message, {
    ...(options.object !== undefined ? { object: options.object } : {}),
    ...(options.statement !== undefined ? { statement: options.statement } : {}),
    ...(severity !== undefined ? { severity } : {}),
    ...(place.rollback ? { rollback: true } : {}),
    ...(place.acknowledged !== undefined ? { acknowledged: place.acknowledged } : {}),
  });
}

/** A table name as the created-in-this-change sets hold it: last part, unquoted, lower-cased. */
export function unqualified(name: string): string {
  const last = name.split(".").pop() ?? name;
  return last.replace(/^["`[]|["`\]]$/g, "").toLowerCase();
}
