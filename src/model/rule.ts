import type { Category, Finding, Severity, Side } from "./finding.js";

/**
 * A rule is a record (one file per rule under `rules/`): the id is the public contract, the
 * prose lives here so detectors never write it and reports render it from one place.
 */
export interface RuleMeta {
  /** `area/kebab-name`; never renamed, only aliased. */
  id: string;
  title: string;
  /** The default severity; a detector may raise it (CASCADE) or lower it (rollback code). */
  severity: Severity;
  category: Category;
  /** Why it matters: the risk in two or three sentences. */
  why: string;
  /** What to do instead. */
  safeAlternative: string;
  /**
   * Whether the risk is only to what exists before the change (rows, readers, a table's lock): on a
   * table created earlier in the same change the operation loses nothing, so the reporter drops it.
   */
  existingOnly?: boolean;
  /** The severity when the statement cascades to what depends on the object (`CASCADE`); the reporter applies it. */
  cascadeSeverity?: Severity;
  /** Documentation anchor, relative to the repository's docs. */
  docs: string;
  /** Old ids that still resolve to this rule in config, suppressions and `explain`. */
  aliases?: readonly string[];
  deprecated?: { since: string; replacedBy: readonly string[]; reason: string };
  /**
   * Examples that double as tests: each `fires` entry must produce this rule, each `passes`
   * entry must not. They run through the analyzer that owns the rule's area (`sql/` the SQL and
   * migration analyzer, `tf/` Terraform, `k8s/` Kubernetes, `gate/` the gate).
   */
  examples: { fires: readonly RuleExample[]; passes: readonly RuleExample[] };
}

/**
 * One example: a text in the analyzer's own language (SQL for `sql/*` rules: one new migration), or
 * a change between two trees, for what only a diff can show (a removed resource block, a deleted
 * manifest). Trees map repository-relative paths to file texts.
 */
export type RuleExample = string | ChangeExample;

export interface ChangeExample {
  base: Readonly<Record<string, string>>;
  head: Readonly<Record<string, string>>;
  /** Extra inputs (a plan JSON), by kind and reported path. */
  inputs?: readonly { kind: string; path: string; text: string }[];
  /** One line saying what the example shows, for the docs. */
  note?: string;
}

/** The project on GitHub: rule docs, the JSON Schema and SARIF's `informationUri` point here. */
export const REPOSITORY_URL = "https://github.com/changegate/changegate";

/**
 * A rule's documentation as a URL that works anywhere (a terminal, SARIF, a check run): its
 * anchor in docs/rules.md on GitHub. `docs` is the record's repository-relative `docs` field.
 */
export function docsUrl(docs: string): string {
  return `${REPOSITORY_URL}/blob/main/${docs.replace(/^\.?\//, "")}`;
}

/** An example as text for docs and `explain`: a change is shown file by file, base then head. */
export function exampleText(example: RuleExample): string {
  if (typeof example === "string") return example;
  const parts: string[] = [];
  if (example.note) parts.push(`# ${example.note}`);
  for (const [side, tree] of [["base", example.base], ["head", example.head]] as const) {
    for (const [path, text] of Object.entries(tree)) parts.push(`# ${path} (${side})\n${text.trimEnd()}`);
  }
  for (const input of example.inputs ?? []) parts.push(`# ${input.path} (${input.kind})\n${input.text.trimEnd()}`);
  return parts.join("\n");
}

export interface Location {
  file: string;
  line: number;
  endLine?: number;
  side: Side;
}

export interface FindingOptions {
  object?: string;
  statement?: string;
  severity?: Severity;
  acknowledged?: string;
  rollback?: boolean;
}

/** The one way to make a finding: rule metadata supplies severity and category. */
export function finding(rule: RuleMeta, at: Location, message: string, options: FindingOptions = {}): Finding {
  const result: Finding = {
    rule: rule.id,
    severity: options.severity ?? rule.severity,
    category: rule.category,
    file: at.file,
    line: at.line,
    message,
    side: at.side,
  };
  if (at.endLine !== undefined && at.endLine !== at.line) result.endLine = at.endLine;
  if (options.object !== undefined) result.object = options.object;
  if (options.statement !== undefined) result.statement = options.statement;
  if (options.acknowledged !== undefined) result.acknowledged = options.acknowledged;
  if (options.rollback) result.rollback = true;
  return result;
}
