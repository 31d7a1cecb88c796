/**
 * The analyzer contract: what the engine (src/analyze.ts) promises an analyzer, and what an
 * analyzer promises back. Analyzers are pure: they never read a file, call the network or run a
 * program. They say what they want (claims, scopes, input kinds) and the engine reads it, with one
 * set of size limits, decoding and fail-closed rules for every analyzer.
 *
 * One scan, as the engine runs it:
 *   1. list the changed files; each analyzer `claims` the paths it understands (excludes from the
 *      policy apply unless the analyzer sets `honoursExcludes: false`);
 *   2. `prepare(claimed)` each analyzer that claimed a file or owns an extra input (parsers load
 *      here, by dynamic import, and only those the claimed files need: a scan that touches no SQL
 *      never loads a SQL parser, and the CLI's `--help` loads no analyzer at all);
 *   3. read the claimed files at base and head (`FileChange`);
 *   4. ask `scopes()` which directories it must see whole (a Terraform module, a manifest root and
 *      what its kustomization references); the engine lists them at both sides, reads the files a
 *      scope includes, and asks again with what it has read, until no new directory is named
 *      (bounded rounds, so a reference cycle ends);
 *   5. `derive()` once, for inputs computed from what was read by a program the analyzer was given
 *      (a `kubectl kustomize` render); they join the extra inputs;
 *   6. `analyzeAll()` once with every change, the unchanged files of the scopes and the extra
 *      inputs it owns; an analyzer without `analyzeAll` gets `analyze()` per changed file.
 * Anything that cannot be read becomes a finding (the analyzer's `unparsedRule`, or
 * `gate/incomplete-analysis` for limits and source errors): never a silent pass.
 */
import type { Finding, Side } from "../model/finding.js";
import type { RuleMeta } from "../model/rule.js";
import type { ChangedFile, ChangeStatus } from "../source/source.js";

export type AuthorKind = "human" | "agent" | "bot";

export const SQL_DIALECTS = ["postgresql", "mysql", "mariadb", "sqlite", "sqlserver", "bigquery", "snowflake"] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

/** One side of a file, decoded. */
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

/** What analyzers may know about the pull request beyond its files. Analyzer options live in the analyzer. */
export interface AnalysisContext {
  authorKind: AuthorKind;
}

/** Path globs from the policy's `paths` section, added to the built-in globs of each analyzer. */
export interface PathOptions {
  sql?: readonly string[];
  terraform?: readonly string[];
  /** Terraform plan files committed in the change (`terraform show -json` output or text plans). */
  terraform_plans?: readonly string[];
  kubernetes?: readonly string[];
  exclude?: readonly string[];
}

/**
 * A directory an analyzer must see whole. The engine lists it at base and head and reads every
 * file `include` accepts; changed files among them come as `FileChange`s (claimed or not), the
 * others once, as `unchanged` (an unchanged file has the same text at both sides).
 */
export interface Scope {
  /** Repository-relative directory without a trailing slash; `""` is the repository root. */
  dir: string;
  /** Whether files in subdirectories belong to it (a manifest root) or only its own files (a Terraform module). */
  recursive: boolean;
  /** Which files of the directory the analyzer wants, by repository-relative path. */
  include(path: string): boolean;
  /**
   * Files wanted by path whatever `include` says (a kustomization's generator inputs:
   * `app.properties`, `.env`), read even when the directory was already asked for with another
   * `include`. A path that exists at neither side is skipped.
   */
  files?: readonly string[];
}

/**
 * Input that is not a file of the change: a Terraform plan from `scan --terraform-plan`, a plan
 * artifact uploaded by the repository's CI. Routed to the analyzer whose `inputKinds` names its kind;
 * an input no analyzer owns becomes `gate/incomplete-analysis`.
 */
export interface ExtraInput {
  kind: string;
  /** Where findings on it are reported (`plan.json`, `artifact:terraform-plan/plan.json`). */
  path: string;
  /** Raw bytes: the owning analyzer decides how to decode and how large is too large. */
  bytes: Uint8Array;
}

/** Everything an analyzer judges at once. Changes come in listing order, unchanged files sorted by path. */
export interface ChangeSetInput {
  changes: readonly FileChange[];
  /** Files of the declared scopes that the change does not touch. */
  unchanged: readonly FileText[];
  /** The scopes that were read, as declared (deduplicated by directory). */
  scopes: readonly Scope[];
  /** The extra inputs of this analyzer's kinds. */
  inputs: readonly ExtraInput[];
  /**
   * Files of the scopes that could not be read (an error, binary content, over a limit): each is
   * already a finding of its own; an analyzer that models the directory must not take their absence
   * for "nothing there".
   */
  unread?: readonly string[];
}

/** What `scopes()` is given: the claimed files, and the texts read so far (changes and earlier scopes). */
export interface ScopeQuery {
  claimed: readonly ChangedFile[];
  /** Every text read so far, base and head sides, for references (a kustomization's `resources`). */
  texts: readonly (FileText & { side: Side })[];
}

/**
 * A pure analyzer. Construct it with its own options (the SQL dialect, extra globs); the engine
 * passes only the per-change context.
 */
export interface Analyzer {
  /** Short name shown in reports (`sql`, `terraform`, `kubernetes`, `gate`). */
  readonly id: string;
  /** The rule reported when a claimed file cannot be read as text or the analyzer throws on it. */
  readonly unparsedRule: RuleMeta;
  /** `false` when the policy's `paths.exclude` must not apply (the gate's own files: excludes never switch the gate off). */
  readonly honoursExcludes?: boolean;
  /** Kinds of `ExtraInput` this analyzer owns (`terraform-plan`). */
  readonly inputKinds?: readonly string[];
  /** Whether this analyzer wants the file. Called with the head path and, for renames, the base path. */
  claims(path: string): boolean;
  /** Whether the analyzer needs the file's content or judges by path alone (the gate analyzer mostly does). Default: true. */
  needsContent?(change: { path: string; status: ChangeStatus }): boolean;
  /**
   * Asynchronous preparation (loading parsers), run only when the analyzer has work in this scan,
   * before any `analyze`/`analyzeAll`. `claimed` is the files it claimed, so it can load only the
   * parsers those need (a Prisma migration needs no TypeScript compiler); without it, prepare for
   * any file. May run again in a later scan with other files: load what is still missing.
   */
  prepare?(claimed?: readonly ChangedFile[]): Promise<void>;
  /**
   * Directories to see whole, from the claimed files and what has been read. Called again after each
   * round of reads while it names new directories; return every scope each time (the engine dedupes).
   */
  scopes?(query: ScopeQuery): readonly Scope[];
  /** Findings for one changed file. Used when there is no `analyzeAll`, and as its fallback when it throws. */
  analyze(change: FileChange, context: AnalysisContext): Finding[];
  /**
   * Findings for the whole change set, for analyzers whose judgement of one file depends on
   * another (a table created by an earlier migration; a resource moved to an unchanged file).
   * If it throws, the engine judges each change with `analyze` and reports the failure.
   */
  analyzeAll?(input: ChangeSetInput, context: AnalysisContext): Finding[];
  /**
   * Inputs derived from what the engine read, once, after the scopes and before `analyzeAll` (the
   * Kubernetes analyzer's renders of its kustomizations). The work is done by a program the caller
   * handed the analyzer in its options, never one the analyzer finds for itself, so the analyzer
   * stays pure and a caller that hands none gets the static reading. It sees only `input`: the
   * files the engine read through the Source, with its limits. What it returns joins `inputs`; if
   * it throws, that is the analyzer's `unparsedRule` finding and `analyzeAll` runs without them.
   */
  derive?(input: ChangeSetInput): Promise<readonly ExtraInput[]>;
}
