import { globMatcher, pathProblem } from "./util/glob.js";
import { createGateAnalyzer, incompleteAnalysisFinding, type PolicyProblem } from "./analyzers/gate/index.js";
import { createKubernetesAnalyzer, type KustomizeRenderer } from "./analyzers/kubernetes/index.js";
import { createMigrationAnalyzer } from "./analyzers/migrations/index.js";
import { createTerraformAnalyzer } from "./analyzers/terraform/index.js";
import type { AnalysisContext, Analyzer, AuthorKind, ExtraInput, FileChange, FileText, PathOptions, Scope, ScopeQuery, SqlDialect } from "./analyzers/types.js";
import { compareFindings, type Finding, type Side } from "./model/finding.js";
import { finding } from "./model/rule.js";
import { DEFAULT_POLICY_PATH } from "./policy/read.js";
import { SourceError, type ChangedFile, type Source } from "./source/source.js";
import { compareText } from "./util/compare.js";

export { DEFAULT_POLICY_PATH };

/** Larger files are not parsed: they are reported as `gate/incomplete-analysis` for a person to read. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 1024 * 1024;

export interface AnalysisOptions {
  paths?: PathOptions;
  sqlDialect?: SqlDialect;
  /** The policy's `terraform.require_plan`: a Terraform change without an analysed plan is a finding. */
  requireTerraformPlan?: boolean;
  authorKind?: AuthorKind;
  policyPath?: string;
  maxFileBytes?: number;
  /** How many files are read at once. */
  concurrency?: number;
  validatePolicy?: (text: string) => PolicyProblem[];
  /** Inputs that are not files of the change (plans), routed to the analyzer that owns their kind. */
  inputs?: readonly ExtraInput[];
  /**
   * Renders kustomizations for the Kubernetes analyzer (`createKustomizeRenderer()`, one per scan:
   * it counts the scan's renders and logs how each kustomization was read). Without it they are
   * read statically.
   */
  kustomize?: KustomizeRenderer;
  /** Replaces the built-in analyzers (tests). */
  analyzers?: readonly Analyzer[];
}

/** Bounds on what scopes may pull in: a module or manifest root is read whole, a repository is not. */
export const SCOPE_LIMITS = {
  /** Rounds of `scopes()` (a kustomization referencing a base referencing a component …). */
  rounds: 8,
  /** Unchanged files read for one analyzer's scopes. */
  files: 5000,
  /** Their bytes together. */
  bytes: 128 * 1024 * 1024,
} as const;

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
  /** Unchanged files read as context for the analyzers' scopes. */
  contextFiles: number;
  /** Reads that failed in the source (API errors): the App fails the check and offers a re-run. */
  errors: { file: string; message: string; retryable: boolean }[];
}

export function createAnalyzers(options: AnalysisOptions): Analyzer[] {
  return [
    createMigrationAnalyzer({ paths: options.paths?.sql ?? [], dialect: options.sqlDialect ?? "postgresql" }),
    createKubernetesAnalyzer({ paths: options.paths?.kubernetes ?? [], ...(options.kustomize ? { renderer: options.kustomize } : {}) }),
    createTerraformAnalyzer({
      paths: options.paths?.terraform ?? [],
      planPaths: options.paths?.terraform_plans ?? [],
      requirePlan: options.requireTerraformPlan ?? false,
    }),
    createGateAnalyzer({
      policyPath: options.policyPath ?? DEFAULT_POLICY_PATH,
      // The proposed policy is always validated, so its errors show on the pull request that makes them.
      // The validator (YAML and the schema) loads only for a change that holds a policy file.
      ...(options.validatePolicy
        ? { validatePolicy: options.validatePolicy }
        : { loadValidatePolicy: () => import("./policy/load.js").then((module) => module.validatePolicyText) }),
    }),
  ];
}

/** One analyzer's share of the scan. */
interface Assignment {
  analyzer: Analyzer;
  /** Indexes into the claimed work list, in listing order. */
  claimed: number[];
  inputs: ExtraInput[];
}

/**
 * The pure core between "change set" and "findings", the same for the CLI and the App: list the
 * changed files, read only what an analyzer claims (and the directories it must see whole),
 * analyse, and turn every failure into a finding. The contract is in analyzers/types.ts.
 */
export async function analyzeChangeSet(source: Source, options: AnalysisOptions = {}): Promise<AnalysisResult> {
  const analyzers = options.analyzers ?? createAnalyzers(options);
  const context: AnalysisContext = { authorKind: options.authorKind ?? "human" };
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const concurrency = options.concurrency ?? 8;
  const excluded = globMatcher(options.paths?.exclude ?? [], { dot: true });

  const findings: Finding[] = [];
  const errors: AnalysisResult["errors"] = [];
  const listing = await source.changedFiles();
  if (listing.truncated) {
    findings.push(incompleteAnalysisFinding(".", `Only part of the change could be listed: ${listing.truncated.reason}`));
  }

  const files: AnalyzedFile[] = [];
  const work: { file: ChangedFile; claimedBy: Analyzer[] }[] = [];
  const assignments = new Map<Analyzer, Assignment>(analyzers.map((analyzer) => [analyzer, { analyzer, claimed: [], inputs: [] }]));
  for (const file of listing.files) {
    // A name no file system checks out cannot be matched against globs in bounded time: a person reads it.
    const tooLong = pathProblem(file.path) ?? (file.previousPath === undefined ? null : pathProblem(file.previousPath));
    if (tooLong) {
      findings.push(incompleteAnalysisFinding(file.path, `${file.path.length > 120 ? `${file.path.slice(0, 120)}…` : file.path} was not analysed: ${tooLong}.`));
      continue;
    }
    const isExcluded = excluded(file.path) || (file.previousPath !== undefined && excluded(file.previousPath));
    const claimedBy = analyzers.filter(
      (analyzer) =>
        // Excludes never hide an analyzer's files that say they must not be hidden (the gate's own).
        !(isExcluded && analyzer.honoursExcludes !== false) &&
        (analyzer.claims(file.path) || (file.previousPath !== undefined && analyzer.claims(file.previousPath))),
    );
    if (claimedBy.length === 0) continue;
    for (const analyzer of claimedBy) assignments.get(analyzer)!.claimed.push(work.length);
    files.push({ path: file.path, status: file.status, analyzers: claimedBy.map((a) => a.id) });
    work.push({ file, claimedBy });
  }
  for (const input of options.inputs ?? []) {
    const owner = analyzers.find((analyzer) => analyzer.inputKinds?.includes(input.kind));
    if (owner) assignments.get(owner)!.inputs.push(input);
    else findings.push(incompleteAnalysisFinding(input.path, `No analyzer reads ${input.kind} input, so ${input.path} was not analysed.`));
  }

  // A source that lists directories by request (the GitHub trees API) starts listing the directories
  // the claimed files already name while the files are read, so the scopes cost no round trip of their own.
  if (source.warm) {
    const dirs = new Set<string>();
    for (const { analyzer, claimed } of assignments.values()) {
      if (!analyzer.scopes || claimed.length === 0) continue;
      try {
        for (const scope of analyzer.scopes({ claimed: claimed.map((index) => work[index]!.file), texts: [] })) dirs.add(scope.dir);
      } catch {
        // Asked again, with the same failure reported, once the files are read.
      }
    }
    if (dirs.size > 0) source.warm([...dirs]);
  }

  // Only analyzers with work prepare (load parsers); one that cannot prepare fails closed on its files.
  // Preparing runs while the files are read: loading a parser never delays the first request.
  const active = [...assignments.values()].filter((a) => a.claimed.length > 0 || a.inputs.length > 0);
  const unprepared = new Set<Analyzer>();
  const prepared = Promise.all(
    active.map(async ({ analyzer, claimed, inputs }) => {
      try {
        await analyzer.prepare?.(claimed.map((index) => work[index]!.file));
      } catch (error) {
        unprepared.add(analyzer);
        const message = `The ${analyzer.id} analyzer could not start: ${describe(error)}`;
        for (const index of claimed) findings.push(analyzerFailure(analyzer, work[index]!.file, message));
        for (const input of inputs) findings.push(finding(analyzer.unparsedRule, { file: input.path, line: 1, side: "head" }, message, { object: input.path }));
      }
    }),
  );

  // Files are read with bounded concurrency; per-file analyzers run as each file arrives.
  const changes = new Array<FileChange | undefined>(work.length);
  await forEachBounded(work, concurrency, async ({ file, claimedBy }, index) => {
    const needsContent = claimedBy.some((a) => a.needsContent?.(file) ?? true);
    let change: FileChange | undefined;
    let failure: unknown;
    try {
      change = needsContent ? await readChange(source, file, maxBytes) : { ...file, base: null, head: null };
    } catch (error) {
      failure = error;
    }
    await prepared;
    const ready = claimedBy.filter((a) => !unprepared.has(a));
    if (ready.length === 0) return;
    if (change === undefined) {
      if (failure instanceof SourceError) errors.push({ file: file.path, message: failure.message, retryable: failure.retryable });
      findings.push(unreadable(file, ready, failure));
      return;
    }
    changes[index] = change;
    for (const analyzer of ready) if (!analyzer.analyzeAll) findings.push(...analyzeOne(analyzer, change, context));
  });
  await prepared;

  let contextFiles = 0;
  for (const { analyzer, claimed, inputs } of active) {
    if (!analyzer.analyzeAll || unprepared.has(analyzer)) continue;
    // Listing order, not the order the reads finished in: the result must not depend on timing.
    const own = claimed.map((index) => changes[index]).filter((change): change is FileChange => change !== undefined);
    const scoped = analyzer.scopes
      ? await readScopes(source, analyzer, { listing: listing.files, work, changes, claimed, own }, { maxBytes, concurrency, findings, errors })
      : { changes: own, unchanged: [], scopes: [], unread: [] };
    // Claimed files whose reading failed are findings already; an analyzer modelling their directory must know they are missing.
    scoped.unread.push(...claimed.filter((index) => changes[index] === undefined).map((index) => work[index]!.file.previousPath ?? work[index]!.file.path));
    contextFiles += scoped.unchanged.length;
    if (scoped.changes.length === 0 && scoped.unchanged.length === 0 && inputs.length === 0) continue;
    let all = inputs;
    if (analyzer.derive) {
      try {
        all = [...inputs, ...(await analyzer.derive({ ...scoped, inputs }))];
      } catch (error) {
        const at = scoped.changes[0]?.path ?? inputs[0]?.path ?? ".";
        findings.push(finding(analyzer.unparsedRule, { file: at, line: 1, side: "head" }, `The ${analyzer.id} analyzer could not derive its inputs: ${describe(error)}`, { object: at }));
      }
    }
    let found: Finding[] | null = null;
    try {
      found = analyzer.analyzeAll({ ...scoped, inputs: all }, context);
    } catch (error) {
      // Fail closed without losing the other files: judge each file on its own, as `analyze` does.
      found = null;
      for (const input of inputs) {
        findings.push(finding(analyzer.unparsedRule, { file: input.path, line: 1, side: "head" }, `The ${analyzer.id} analyzer failed: ${describe(error)}`, { object: input.path }));
      }
    }
    if (found) findings.push(...found);
    else for (const change of scoped.changes) findings.push(...analyzeOne(analyzer, change, context));
  }

  return {
    base: source.base,
    head: source.head,
    findings: dedupe(findings).sort(compareFindings),
    files,
    unclaimed: listing.files.length - files.length,
    contextFiles,
    errors,
  };
}

interface ScopeState {
  listing: readonly ChangedFile[];
  work: readonly { file: ChangedFile; claimedBy: Analyzer[] }[];
  changes: (FileChange | undefined)[];
  claimed: readonly number[];
  own: FileChange[];
}

interface ReadLimits {
  maxBytes: number;
  concurrency: number;
  findings: Finding[];
  errors: AnalysisResult["errors"];
}

/**
 * Reads the directories an analyzer asks to see whole, round by round until it names no new one.
 * Changed files inside a scope join the analyzer's changes (read if no analyzer claimed them);
 * unchanged ones are read once, at the head side (their text is the same at base).
 */
async function readScopes(
  source: Source,
  analyzer: Analyzer,
  state: ScopeState,
  limits: ReadLimits,
): Promise<{ changes: FileChange[]; unchanged: FileText[]; scopes: Scope[]; unread: string[] }> {
  const changedByPath = new Map<string, number>();
  const listedAt = new Map<string, number>();
  state.listing.forEach((file, index) => {
    changedByPath.set(file.path, -1);
    listedAt.set(file.path, index);
  });
  state.work.forEach(({ file }, index) => changedByPath.set(file.path, index));
  // A rename's old path is listed at base only: it is part of the rename, not an unchanged file.
  const renamedFrom = new Set(state.listing.flatMap((file) => (file.previousPath === undefined ? [] : [file.previousPath])));

  const changes = [...state.own];
  const inChanges = new Set(changes.map((change) => change.path));
  const unchanged: FileText[] = [];
  const unread: string[] = [];
  const scopes = new Map<string, Scope>();
  const namedSeen = new Set<string>();
  let bytes = 0;
  let overLimit = false;
  const texts = (): ScopeQuery["texts"] => [
    ...changes.flatMap((change) => [
      ...(change.base ? [{ ...change.base, side: "base" as const }] : []),
      ...(change.head ? [{ ...change.head, side: "head" as const }] : []),
    ]),
    ...unchanged.map((file) => ({ ...file, side: "head" as const })),
  ];
  const claimed = state.claimed.map((index) => state.work[index]!.file);

  for (let round = 0; round < SCOPE_LIMITS.rounds; round++) {
    let asked: readonly Scope[];
    try {
      asked = analyzer.scopes!({ claimed, texts: texts() });
    } catch (error) {
      limits.findings.push(incompleteAnalysisFinding(claimed[0]?.path ?? ".", `The ${analyzer.id} analyzer could not say which directories it needs: ${describe(error)}`));
      break;
    }
    const fresh: Scope[] = [];
    const named: string[] = [];
    for (const scope of asked) {
      for (const file of scope.files ?? []) {
        const path = normaliseDir(file);
        if (path !== null && path !== "" && !pathProblem(path) && !namedSeen.has(path)) {
          namedSeen.add(path);
          named.push(path);
        }
      }
      const dir = normaliseDir(scope.dir);
      if (dir === null || scopes.has(dir)) continue;
      const normalised = { ...scope, dir };
      scopes.set(dir, normalised);
      fresh.push(normalised);
    }
    if (fresh.length === 0 && named.length === 0) break;

    const wanted: string[] = [];
    const extraChanges: number[] = [];
    const want = (path: string) => {
      const index = changedByPath.get(path);
      if (index === undefined) {
        if (!renamedFrom.has(path)) wanted.push(path);
      } else if (index >= 0) {
        extraChanges.push(index);
      } else {
        // Changed, but claimed by no analyzer: read it now as a change.
        extraChanges.push(-1 - listedAt.get(path)!);
      }
      inChanges.add(path);
    };
    for (const path of named) if (!inChanges.has(path)) want(path);
    for (const scope of fresh) {
      let paths: string[];
      try {
        // A directory removed at head is still listed at base: its files are all changes then.
        const [head, base] = await Promise.all([source.list("head", scope.dir), source.list("base", scope.dir)]);
        paths = [...new Set([...head, ...base])];
      } catch (error) {
        if (error instanceof SourceError) limits.errors.push({ file: scope.dir || ".", message: error.message, retryable: error.retryable });
        limits.findings.push(incompleteAnalysisFinding(scope.dir || ".", `Could not list ${scope.dir || "the repository"} for the ${analyzer.id} analyzer: ${describe(error)}.`));
        continue;
      }
      for (const path of paths.sort()) {
        if (!inScope(scope, path) || !scope.include(path) || inChanges.has(path)) continue;
        want(path);
      }
    }

    for (const index of extraChanges) {
      if (index >= 0) {
        const change = state.changes[index];
        if (change && change.base === null && change.head === null && change.status !== "added" && change.status !== "deleted") {
          // Read by path alone for another analyzer: read it in full for this one.
          await addChange(state.work[index]!.file);
        } else if (change) changes.push(change);
        else if (state.work[index]) await addChange(state.work[index]!.file);
      } else {
        const file = state.listing[-1 - index];
        if (file) await addChange(file);
      }
    }

    const unique = [...new Set(wanted)];
    if (unchanged.length + unique.length > SCOPE_LIMITS.files) {
      overLimit = true;
      unread.push(...unique.slice(Math.max(0, SCOPE_LIMITS.files - unchanged.length)));
      unique.length = Math.max(0, SCOPE_LIMITS.files - unchanged.length);
    }
    await forEachBounded(unique, limits.concurrency, async (path) => {
      try {
        const text = await readText(source, "head", path, limits.maxBytes);
        if (text === null) return;
        bytes += text.text.length;
        if (bytes > SCOPE_LIMITS.bytes) {
          overLimit = true;
          unread.push(path);
          return;
        }
        unchanged.push(text);
      } catch (error) {
        unread.push(path);
        if (error instanceof SourceError) limits.errors.push({ file: path, message: error.message, retryable: error.retryable });
        limits.findings.push(unreadable({ path, status: "modified" }, [analyzer], error));
      }
    });
  }
  if (overLimit) {
    const dirs = [...scopes.keys()].map((dir) => dir || ".").join(", ");
    limits.findings.push(
      incompleteAnalysisFinding(
        claimed[0]?.path ?? ".",
        `The ${analyzer.id} analyzer needs more unchanged files than one scan reads (over ${SCOPE_LIMITS.files.toLocaleString("en")} files or ${formatBytes(SCOPE_LIMITS.bytes)} in ${dirs}); what it could not read was not analysed.`,
      ),
    );
  }
  unchanged.sort((a, b) => compareText(a.path, b.path));
  unread.sort();
  return { changes, unchanged, scopes: [...scopes.values()], unread };

  async function addChange(file: ChangedFile): Promise<void> {
    try {
      changes.push(await readChange(source, file, limits.maxBytes));
    } catch (error) {
      unread.push(file.path);
      if (error instanceof SourceError) limits.errors.push({ file: file.path, message: error.message, retryable: error.retryable });
      limits.findings.push(unreadable(file, [analyzer], error));
    }
  }
}

/** `a/b/` → `a/b`, `./a` → `a`, `.` → `""`; null for what leaves the repository. */
export function normaliseDir(dir: string): string | null {
  const parts: string[] = [];
  for (const part of dir.replaceAll("\\", "/").split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (parts.length === 0) return null;
      parts.pop();
    } else parts.push(part);
  }
  return dir.startsWith("/") ? null : parts.join("/");
}

function inScope(scope: Scope, path: string): boolean {
  if (scope.dir !== "" && !path.startsWith(`${scope.dir}/`)) return false;
  const rest = scope.dir === "" ? path : path.slice(scope.dir.length + 1);
  return scope.recursive || !rest.includes("/");
}

/** One analyzer on one file; an exception becomes the analyzer's unparsed finding for the file. */
function analyzeOne(analyzer: Analyzer, change: FileChange, context: AnalysisContext): Finding[] {
  try {
    return analyzer.analyze(change, context);
  } catch (error) {
    return [analyzerFailure(analyzer, change, `The ${analyzer.id} analyzer failed on this file: ${describe(error)}`)];
  }
}

function analyzerFailure(analyzer: Analyzer, file: { path: string; status: ChangedFile["status"] }, message: string): Finding {
  const side: Side = file.status === "deleted" ? "base" : "head";
  return finding(analyzer.unparsedRule, { file: file.path, line: 1, side }, message, { object: file.path });
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
    const analyzer = claimedBy.find((a) => a.needsContent?.(file) ?? true) ?? claimedBy[0]!;
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
