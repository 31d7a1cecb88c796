import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { analyzeChangeSet, DEFAULT_POLICY_PATH, type AnalysisResult } from "../analyze.js";
import { createKustomizeRenderer, describeKustomizeReading } from "../analyzers/kubernetes/render.js";
import { TERRAFORM_PLAN_INPUT } from "../analyzers/terraform/index.js";
import type { AuthorKind, ExtraInput } from "../analyzers/types.js";
import { atLeast, type Finding, type Severity } from "../model/finding.js";
// Not policy/index.js: the policy parser and schema load only when the base has a policy file.
import { decide } from "../policy/decide.js";
import { analysisOptionsFromPolicy } from "../policy/options.js";
import { formatPolicyError, loadPolicy, type LoadedPolicy } from "../policy/read.js";
import type { PullRequestFacts } from "../policy/types.js";
import { lineKey, type PolicyOrigin, type ReportInput } from "../report/input.js";
import { renderJsonReport } from "../report/json.js";
import { renderMarkdownReport } from "../report/markdown.js";
import { renderSarifReport } from "../report/sarif.js";
import { renderTextReport, shouldColor } from "../report/text.js";
import { openScanSource, type GitSource } from "../source/git.js";
import { SourceError, type Source } from "../source/source.js";
import { EXIT_GATED, EXIT_PASS, EXIT_USAGE, UsageError, type CommandIo, type FailOn, type Format } from "./io.js";

export { AUTHOR_KINDS, FAIL_ON, FORMATS, type FailOn, type Format } from "./io.js";

/** Reads queued to `git cat-file --batch` at once (their bytes are held for the analysis anyway). */
const SCAN_READS_IN_FLIGHT = 256;

export interface ScanArgs {
  repo?: string;
  base?: string;
  head?: string;
  /** Scan the working tree (uncommitted and untracked files) as the head side. */
  workingTree?: boolean;
  /** A policy file on disk, used instead of the base revision's `.github/changegate.yml`. */
  config?: string;
  author?: AuthorKind;
  format?: Format;
  terraformPlans?: readonly string[];
  /** When the verdict exits 1 (default `needs-signoff`); `never` always exits 0 once the report is out. */
  failOn?: FailOn;
  /** The repository, already being opened with these arguments (the CLI starts git while the analyzers load). */
  source?: Promise<GitSource>;
}


export interface ScanResult {
  exitCode: number;
  report?: ReportInput;
}

/** `changegate scan`: analyse base..head of a local repository, decide with the base revision's policy, print the report. */
export async function scanCommand(args: ScanArgs, io: CommandIo): Promise<number> {
  return (await runScan(args, io)).exitCode;
}

export async function runScan(args: ScanArgs, io: CommandIo): Promise<ScanResult> {
  try {
    const report = await buildReport(args, io);
    io.stdout.write(render(report, args.format ?? "text", io));
    return { exitCode: exitCodeFor(report, args.failOn ?? "needs-signoff"), report };
  } catch (error) {
    if (error instanceof UsageError || error instanceof SourceError) {
      io.stderr.write(`changegate: ${error.message}\n`);
      return { exitCode: EXIT_USAGE };
    }
    throw error;
  }
}

/**
 * The verdict as an exit code. `needs-signoff`: 1 while a sign-off is needed or a rule blocks.
 * A severity: 1 when a finding of at least that severity is reported (findings the policy
 * ignores aside) or the change is blocked (a block rule, an invalid base policy, an analysis
 * error), whatever sign-off the policy asks. `never` (`--exit-zero`): 0, so CI can upload the
 * report before a later step fails the job; a scan that could not run still exits 2.
 */
export function exitCodeFor(report: Pick<ReportInput, "findings" | "decision">, failOn: FailOn): number {
  const { decision } = report;
  if (failOn === "never") return EXIT_PASS;
  if (failOn === "needs-signoff") return decision.outcome === "pass" ? EXIT_PASS : EXIT_GATED;
  if (decision.outcome === "blocked") return EXIT_GATED;
  const ignored = new Set(decision.ignored);
  const level: Severity = failOn;
  return report.findings.some((f) => !ignored.has(f) && atLeast(f.severity, level)) ? EXIT_GATED : EXIT_PASS;
}

async function buildReport(args: ScanArgs, io: CommandIo): Promise<ReportInput> {
  const opening = args.source ?? openScanSource(args, io.cwd);
  // A usage error in the plans is reported first, as before; the source is then never used.
  opening.catch(() => undefined);
  const plans = await readPlans(args.terraformPlans ?? [], io.cwd);
  const source = await opening;
  source.prefetch();
  try {
    return await reportOn(source, args, io, plans);
  } finally {
    await source.close();
  }
}

async function reportOn(source: GitSource, args: ScanArgs, io: CommandIo, plans: ExtraInput[]): Promise<ReportInput> {
  const authorKind = args.author ?? "human";

  const loaded = await loadScanPolicy(source, args.config, io.cwd);
  const origin: PolicyOrigin =
    loaded.source === "invalid"
      ? { source: "invalid", path: loaded.path, from: args.config ? "disk" : "base", errors: loaded.errors }
      : { source: loaded.source, path: loaded.path, from: args.config ? "disk" : "base", ...(loaded.source === "file" ? { defaults: loaded.policy.defaults } : {}) };
  if (loaded.source === "invalid" && args.config !== undefined) {
    const lines = loaded.errors.map((e) => `  ${formatPolicyError(loaded.path, e)}`);
    throw new UsageError(`the policy file ${loaded.path} is invalid:\n${lines.join("\n")}`);
  }

  // kubectl is looked for only when a kustomization is to be rendered, and never inside the repository.
  const kustomize = createKustomizeRenderer({ env: io.env ?? process.env, untrusted: [source.root] });
  const analysis = await analyzeChangeSet(source, {
    ...(loaded.source !== "invalid" ? analysisOptionsFromPolicy(loaded.policy) : {}),
    authorKind,
    policyPath: DEFAULT_POLICY_PATH,
    inputs: plans,
    // One git process answers every read in order: keep it busy rather than waiting on each answer.
    concurrency: SCAN_READS_IN_FLIGHT,
    kustomize,
  });
  const reading = describeKustomizeReading(kustomize);
  if (reading) io.stderr.write(`changegate: ${reading}\n`);
  const facts: PullRequestFacts = {
    author: "local",
    authorKind,
    committers: [],
    baseBranch: source.baseRevision.branch ?? source.baseRevision.label,
    headSha: source.head,
    signOffs: [],
    permissions: {},
    teamMembership: {},
  };
  const decision = decide({
    findings: analysis.findings,
    facts,
    policy: loaded,
    analysisErrors: analysis.errors.map((e) => `${e.file}: ${e.message}`),
  });
  return {
    base: source.base,
    head: source.head,
    baseLabel: source.baseRevision.label,
    headLabel: source.headRevision.label,
    findings: analysis.findings,
    decision,
    policy: origin,
    files: analysis.files,
    unclaimed: analysis.unclaimed,
    errors: analysis.errors,
    lines: await readQuotedFiles(source, analysis),
  };
}

/**
 * `--terraform-plan` files, read from disk as bytes: the Terraform analyzer decodes them, judges
 * their size and reports each under the path as given.
 */
async function readPlans(paths: readonly string[], cwd: string): Promise<ExtraInput[]> {
  return Promise.all(
    paths.map(async (path) => {
      if (path === "") throw new UsageError("--terraform-plan needs a file");
      const bytes = await readFile(resolve(cwd, path)).catch((error: NodeJS.ErrnoException) => {
        throw new UsageError(`cannot read --terraform-plan ${path}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
      });
      return { kind: TERRAFORM_PLAN_INPUT, path: path.replaceAll("\\", "/"), bytes };
    }),
  );
}

function render(report: ReportInput, format: Format, io: CommandIo): string {
  switch (format) {
    case "json":
      return renderJsonReport(report);
    case "markdown":
      return renderMarkdownReport(report, { maxLength: Number.MAX_SAFE_INTEGER });
    case "sarif":
      return renderSarifReport(report);
    case "text":
      return renderTextReport(report, { color: shouldColor(io.stdout, io.env ?? process.env), width: Math.min(io.stdout.columns ?? 100, 120) });
  }
}

/** The text of the files that have findings, for the reports to quote the lines they point at. */
async function readQuotedFiles(source: Source, analysis: AnalysisResult): Promise<Map<string, string[]>> {
  const wanted = new Map<string, { side: Finding["side"]; path: string }>();
  for (const f of analysis.findings) wanted.set(lineKey(f.side, f.file), { side: f.side, path: f.file });
  const lines = new Map<string, string[]>();
  await Promise.all(
    [...wanted].map(async ([key, { side, path }]) => {
      const bytes = await source.read(side, path).catch(() => null);
      if (!bytes || bytes.byteLength > 4 * 1024 * 1024 || bytes.includes(0)) return;
      lines.set(key, Buffer.from(bytes).toString("utf8").split(/\r?\n/));
    }),
  );
  return lines;
}

async function loadScanPolicy(source: Source, config: string | undefined, cwd: string): Promise<LoadedPolicy> {
  if (config !== undefined) {
    const file = resolve(cwd, config);
    const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new UsageError(`cannot read the policy file ${config}: ${error.code === "ENOENT" ? "no such file" : error.message}`);
    });
    return loadPolicy(async () => text, config);
  }
  // Never the head: a change cannot weaken the gate that judges it.
  return loadPolicy((path) => source.read("base", path), DEFAULT_POLICY_PATH);
}
