import picomatch from "picomatch";
import { createGateAnalyzer, incompleteAnalysisFinding, type PolicyProblem } from "./analyzers/gate/index.js";
import { createMigrationAnalyzer } from "./analyzers/migrations/index.js";
import { loadSqlParsers } from "./analyzers/sql/index.js";
import type { AnalysisContext, Analyzer, AuthorKind, FileChange, FileText, PathOptions, SqlDialect } from "./analyzers/types.js";
import { compareFindings, type Finding, type Side } from "./model/finding.js";
import { finding } from "./model/rule.js";
import { DEFAULT_POLICY_PATH, validatePolicyText } from "./policy/load.js";
import { SourceError, type ChangedFile, type Source } from "./source/source.js";

export { DEFAULT_POLICY_PATH };

/** Larger files are not parsed: they are reported as `gate/incomplete-analysis` for a person to read. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface AnalysisOptions {
  paths?: PathOptions;
  sqlDialect?: SqlDialect;
  authorKind?: AuthorKind;
  policyPath?: string;
  maxFileBytes?: number;
  /** How many files are read at once. */
  concurrency?: number;
  validatePolicy?: (text: string) => PolicyProblem[];
  /** Replaces the built-in analyzers (tests). */
  analyzers?: readonly Analyzer[];
}

export interface AnalyzedFile {
  path: string;
  status: ChangedFile["status"];
  analyzers: string[];
}

export interface AnalysisResult {
  base: string;
  head: string;
  findings: Finding[];
  /** The changed files some analyzer claimed. */
  files: AnalyzedFile[];
  /** How many changed files no analyzer claimed (they were never read). */
  unclaimed: number;
  /** Reads that failed in the source (API errors): the App fails the check and offers a re-run. */
  errors: { file: string; message: string; retryable: boolean }[];
}

export function createAnalyzers(options: AnalysisOptions): Analyzer[] {
  return [
    createMigrationAnalyzer(options.paths ?? {}),
    createGateAnalyzer({
      policyPath: options.policyPath ?? DEFAULT_POLICY_PATH,
      // The proposed policy is always validated, so its errors show on the pull request that makes them.
      validatePolicy: options.validatePolicy ?? validatePolicyText,
    }),
  ];
}

/**
 * The pure core between "change set" and "findings", the same for the CLI and the App: list the
 * changed files, read only what an analyzer claims, analyse, and turn every failure into a finding.
 */
export async function analyzeChangeSet(source: Source, options: AnalysisOptions = {}): Promise<AnalysisResult> {
  await loadSqlParsers();
  const analyzers = options.analyzers ?? createAnalyzers(options);
  const context: AnalysisContext = {
    authorKind: options.authorKind ?? "human",
    sqlDialect: options.sqlDialect ?? "postgresql",
    policyPath: options.policyPath ?? DEFAULT_POLICY_PATH,
  };
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const excluded = options.paths?.exclude?.length ? picomatch([...options.paths.exclude], { dot: true }) : () => false;

  const findings: Finding[] = [];
  const errors: AnalysisResult["errors"] = [];
  const listing = await source.changedFiles();
  if (listing.truncated) {
    findings.push(incompleteAnalysisFinding(".", `Only part of the change could be listed: ${listing.truncated.reason}`));
  }

  const files: AnalyzedFile[] = [];
  const work: { file: ChangedFile; claimedBy: Analyzer[] }[] = [];
  for (const file of listing.files) {
    const claimedBy = analyzers.filter((analyzer) => {
      // The gate's own files are never excluded: exclusions must not switch the gate off.
      if (analyzer.id !== "gate" && (excluded(file.path) || (file.previousPath !== undefined && excluded(file.previousPath)))) {
        return false;
      }
      return analyzer.claims(file.path) || (file.previousPath !== undefined && analyzer.claims(file.previousPath));
    });
    if (claimedBy.length === 0) continue;
    files.push({ path: file.path, status: file.status, analyzers: claimedBy.map((a) => a.id) });
    work.push({ file, claimedBy });
  }

  // Files are read with bounded concurrency; per-file analyzers run as each file arrives, while
  // analyzers that judge the change set as a whole get every file they claimed once all are read.
  const collected = new Map<Analyzer, (FileChange | undefined)[]>();
  for (const analyzer of analyzers) if (analyzer.analyzeAll) collected.set(analyzer, new Array<FileChange | undefined>(work.length));
  await forEachBounded(work, options.concurrency ?? 8, async ({ file, claimedBy }, index) => {
    const needsContent = claimedBy.some((a) => a.needsContent?.(file) ?? true);
    let change: FileChange;
    try {
      change = needsContent ? await readChange(source, file, maxBytes) : { ...file, base: null, head: null };
    } catch (error) {
      if (error instanceof SourceError) errors.push({ file: file.path, message: error.message, retryable: error.retryable });
      findings.push(unreadable(file, claimedBy, error));
      return;
    }
    for (const analyzer of claimedBy) {
      const batch = collected.get(analyzer);
      if (batch) batch[index] = change;
      else findings.push(...analyzeOne(analyzer, change, context));
    }
  });
  for (const [analyzer, batch] of collected) {
    // Listing order, not the order the reads finished in: the result must not depend on timing.
    const changes = batch.filter((change): change is FileChange => change !== undefined);
    if (changes.length === 0) continue;
    let found: Finding[] | null = null;
    try {
      found = analyzer.analyzeAll!(changes, context);
    } catch {
      // Fail closed without losing the other files: judge each file on its own, as `analyze` does.
      found = null;
    }
    if (found) findings.push(...found);
    else for (const change of changes) findings.push(...analyzeOne(analyzer, change, context));
  }

  return {
    base: source.base,
    head: source.head,
    findings: dedupe(findings).sort(compareFindings),
    files,
    unclaimed: listing.files.length - files.length,
    errors,
  };
}

/** One analyzer on one file; an exception becomes the analyzer's unparsed finding for the file. */
function analyzeOne(analyzer: Analyzer, change: FileChange, context: AnalysisContext): Finding[] {
  try {
    return analyzer.analyze(change, context);
  } catch (error) {
    const side: Side = change.head ? "head" : "base";
    return [
      finding(analyzer.unparsedRule, { file: change.path, line: 1, side }, `The ${analyzer.id} analyzer failed on this file: ${describe(error)}`, {
        object: change.path,
      }),
    ];
  }
}

/** A file that cannot be read as text: binary, not UTF-8, or larger than the limit. */
export class UnreadableFileError extends Error {
  constructor(
    message: string,
    readonly kind: "binary" | "encoding" | "size",
    readonly side: Side,
  ) {
    super(message);
    this.name = "UnreadableFileError";
  }
}

async function readChange(source: Source, file: ChangedFile, maxBytes: number): Promise<FileChange> {
  const basePath = file.previousPath ?? file.path;
  const [base, head] = await Promise.all([
    file.status === "added" ? null : readText(source, "base", basePath, maxBytes),
    file.status === "deleted" ? null : readText(source, "head", file.path, maxBytes),
  ]);
  const change: FileChange = { path: file.path, status: file.status, base, head };
  if (file.previousPath !== undefined) change.previousPath = file.previousPath;
  return change;
}

async function readText(source: Source, side: Side, path: string, maxBytes: number): Promise<FileText | null> {
  const bytes = await source.read(side, path);
  if (bytes === null) return null;
  if (bytes.byteLength > maxBytes) {
    throw new UnreadableFileError(
      `${path} is ${formatBytes(bytes.byteLength)} at the ${side} side, over the ${formatBytes(maxBytes)} analysis limit`,
      "size",
      side,
    );
  }
  if (bytes.includes(0)) throw new UnreadableFileError(`${path} is binary at the ${side} side`, "binary", side);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new UnreadableFileError(`${path} is not UTF-8 text at the ${side} side`, "encoding", side);
  }
  return { path, text };
}

function unreadable(file: ChangedFile, claimedBy: Analyzer[], error: unknown): Finding {
  const side: Side = error instanceof UnreadableFileError ? error.side : file.status === "deleted" ? "base" : "head";
  if (error instanceof UnreadableFileError && error.kind !== "size") {
    // Content the analyzer's parser cannot read is that analyzer's "unparsed" finding.
    const analyzer = claimedBy.find((a) => a.id !== "gate") ?? claimedBy[0]!;
    return finding(analyzer.unparsedRule, { file: file.path, line: 1, side }, `${error.message}: nothing in it could be analysed.`, {
      object: file.path,
    });
  }
  const retry = error instanceof SourceError && error.retryable ? " Re-run the check to try again." : "";
  return incompleteAnalysisFinding(file.path, `Could not analyse ${file.path}: ${describe(error)}.${retry}`, side);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;
}

function dedupe(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.rule}\0${f.file}\0${f.side}\0${f.line}\0${f.object ?? ""}\0${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function forEachBounded<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  });
  await Promise.all(workers);
}
