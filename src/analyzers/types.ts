import type { Finding } from "../model/finding.js";
import type { RuleMeta } from "../model/rule.js";
import type { ChangeStatus } from "../source/source.js";

export type AuthorKind = "human" | "agent" | "bot";

export const SQL_DIALECTS = ["postgresql", "mysql", "mariadb", "sqlite", "sqlserver", "bigquery", "snowflake"] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** One side of a changed file, decoded. */
export interface FileText {
  path: string;
  text: string;
}

/** A changed file as an analyzer sees it: both sides read and decoded (null where the file does not exist). */
export interface FileChange {
  path: string;
  status: ChangeStatus;
  previousPath?: string;
  base: FileText | null;
  head: FileText | null;
}

/** What analyzers may know about the pull request beyond its files. */
export interface AnalysisContext {
  authorKind: AuthorKind;
  sqlDialect: SqlDialect;
  /** Where the policy file lives, so the gate analyzer can recognise changes to it. */
  policyPath: string;
}

/** Path globs from the policy's `paths` section, added to the built-in framework globs. */
export interface PathOptions {
  sql?: readonly string[];
  terraform?: readonly string[];
  kubernetes?: readonly string[];
  exclude?: readonly string[];
}

/**
 * A pure analyzer: it claims paths, then turns a file change into findings. It never does I/O;
 * the engine reads what it claims and turns its failures into findings.
 */
export interface Analyzer {
  readonly id: string;
  /** The rule reported when a claimed file cannot be read as text or the analyzer throws. */
  readonly unparsedRule: RuleMeta;
  /** Whether this analyzer wants the file. `previousPath` matters for renames. */
  claims(path: string): boolean;
  /** Whether the analyzer needs the file's content, or judges by path alone (the gate analyzer mostly does). */
  needsContent?(change: { path: string; status: ChangeStatus }): boolean;
  analyze(change: FileChange, context: AnalysisContext): Finding[];
  /**
   * Optional: analyses every claimed file of the change set at once, in place of `analyze` per file,
   * for analyzers whose judgement of one file depends on another (a table created by an earlier
   * migration of the same pull request). It gets the files that could be read, in listing order.
   * If it throws, the engine falls back to `analyze` for each file.
   */
  analyzeAll?(changes: readonly FileChange[], context: AnalysisContext): Finding[];
}
