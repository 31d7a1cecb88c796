/**
 * The app's own check runs: finding the `changegate` run of a head SHA (created by this app, never
 * another one of the same name), reading the state it remembers, and performing a planned write.
 *
 * One run per head is the rule, but GitHub can end up with two: two replicas without Redis racing
 * on a new head, or a create whose answer was lost. Every run of this app on the head shows the
 * same verdict (the extras are written too), so that none of them can let a merge through, or hold
 * one, on its own; and a create whose answer was lost looks for the run it may have made before a
 * second one is created.
 */
import { CHECK_NAME, type CheckRunPlan } from "../report/check-run.js";
import { decodeState, encodeState, type GateState } from "../gate/state.js";
import { requestPolicyOf } from "./http.js";
import { statusOf, type Octokit, type RepoRef } from "./octokit.js";

export interface ExistingRun {
  id: number;
  headSha: string;
  status: string;
  conclusion: string | null;
  state?: GateState;
  /** What the run shows, as listed (the API does not list a run's buttons). */
  output?: { title: string | null; summary: string | null; text: string | null };
}

/** Conclusions a required check passes on. */
export const PASSING_CONCLUSIONS: ReadonlySet<string> = new Set(["success", "neutral", "skipped"]);

/** Whether a run lets a merge through as it stands (so a re-evaluation must set it back to in progress first). */
export function passes(run: ExistingRun): boolean {
  return run.status === "completed" && run.conclusion !== null && PASSING_CONCLUSIONS.has(run.conclusion);
}

/** This app's `changegate` runs on `sha`, the one holding the newest state first. */
export async function findRuns(octokit: Octokit, repo: RepoRef, sha: string, appId: number | undefined): Promise<ExistingRun[]> {
  const runs = await octokit.paginate(octokit.rest.checks.listForRef, {
    ...repo,
    ref: sha,
    check_name: CHECK_NAME,
    filter: "all",
    per_page: 100,
  });
  const mine = runs
    // Without a known app id no run can be proven to be this app's: none is trusted.
    .filter((run) => run.name === CHECK_NAME && appId !== undefined && run.app?.id === appId)
    .map((run): ExistingRun => {
      const existing: ExistingRun = { id: run.id, headSha: run.head_sha, status: run.status, conclusion: run.conclusion, output: { title: run.output?.title ?? null, summary: run.output?.summary ?? null, text: run.output?.text ?? null } };
      const state = decodeState(run.output?.text);
      if (state) existing.state = state;
      return existing;
    });
  // The run holding the newest state is kept up to date; any other is written the same verdict (runTarget).
  return mine.sort((a, b) => (b.state?.seq ?? 0) - (a.state?.seq ?? 0) || a.id - b.id);
}

export interface RunTarget {
  repo: RepoRef;
  headSha: string;
  detailsUrl: string;
  /** The run kept up to date (the first of `findRuns`). */
  existing?: ExistingRun;
  /** This app's other runs on the head: each is written the same verdict. */
  duplicates?: readonly ExistingRun[];
  /** This app's id: to find the run a create made when its answer was lost. */
  appId?: number;
  /**
   * Set when a create for this target got no answer and the looks after it found no run: GitHub
   * may still make that run, so the next create looks for it first.
   */
  unansweredCreate?: boolean;
}

/** The target for the runs `findRuns` gave for the head: the first is kept, the others mirror it. */
export function runTarget(repo: RepoRef, headSha: string, detailsUrl: string, runs: readonly ExistingRun[], appId: number | undefined): RunTarget {
  const [existing, ...duplicates] = runs;
  return { repo, headSha, detailsUrl, ...(existing ? { existing } : {}), ...(duplicates.length > 0 ? { duplicates } : {}), ...(appId !== undefined ? { appId } : {}) };
}

/** A create that failed this way may still have made the run: GitHub did not answer, or answered 5xx. */
function outcomeUnknown(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500;
}

/**
 * Creates the run; when the answer is lost, takes the run the create made, if the head has one now
 * that was not known before. `found` says the run was taken rather than created: its content is
 * whatever the lost create wrote, or an earlier one's.
 *
 * A create with no answer is looked for several times (GitHub can make the run after the client
 * stopped waiting, and a second create would leave two runs on the head); when none shows, the
 * target remembers it, and its next create looks once more before it creates.
 */
async function createRun(octokit: Octokit, target: RunTarget, body: Omit<Parameters<Octokit["rest"]["checks"]["create"]>[0] & object, "owner" | "repo" | "name" | "head_sha">): Promise<{ id: number; found: boolean }> {
  const known = new Set([target.existing?.id, ...(target.duplicates ?? []).map((d) => d.id)]);
  const appId = target.appId;
  // The run a lost create made: undefined when none shows, or when the look itself failed.
  const look = async (): Promise<number | undefined> => {
    if (appId === undefined) return undefined;
    const made = await findRuns(octokit, target.repo, target.headSha, appId).then(
      (runs) => runs.filter((r) => !known.has(r.id)),
      () => [],
    );
    return made.length > 0 ? Math.min(...made.map((r) => r.id)) : undefined;
  };
  if (target.unansweredCreate) {
    const made = await look();
    if (made !== undefined) return { id: made, found: true };
  }
  try {
    const { data } = await octokit.rest.checks.create({ ...target.repo, name: CHECK_NAME, head_sha: target.headSha, ...body });
    return { id: data.id, found: false };
  } catch (error) {
    if (!outcomeUnknown(error) || appId === undefined) throw error;
    const { unansweredLooksMs, sleep } = requestPolicyOf(octokit);
    for (const wait of [0, ...unansweredLooksMs]) {
      if (wait > 0) await sleep(wait);
      const made = await look();
      if (made !== undefined) return { id: made, found: true };
    }
    target.unansweredCreate = true;
    throw error;
  }
}

const IN_PROGRESS_SUMMARY =
  "changegate is evaluating this pull request again (a push, a review, a sign-off or a re-run). " +
  "The earlier verdict does not hold while it does; the result replaces this in a moment. " +
  "If it stays like this, use GitHub's re-run.";

/**
 * Puts the run in progress before the analysis: creates it, or sets the existing one back to in
 * progress, so an earlier success never stays mergeable while the pull request is re-evaluated.
 * Never a second run. The existing run's state block is kept (it is the app's memory).
 */
export async function startRun(octokit: Octokit, target: RunTarget, title: string): Promise<number> {
  const output = { title, summary: IN_PROGRESS_SUMMARY };
  // A duplicate that passes must not stay mergeable either while the head is evaluated again.
  const setBack = (run: ExistingRun) => {
    written.delete(run.id);
    return octokit.rest.checks.update({ ...target.repo, check_run_id: run.id, status: "in_progress", output: run.state ? { ...output, text: encodeState(run.state) } : output, actions: [] });
  };
  const passingDuplicates = (target.duplicates ?? []).filter(passes);
  if (target.existing) {
    await Promise.all([setBack(target.existing), ...passingDuplicates.map(setBack)]);
    return target.existing.id;
  }
  await Promise.all(passingDuplicates.map(setBack));
  const { id, found } = await createRun(octokit, target, { status: "in_progress", details_url: target.detailsUrl, output });
  if (found) await octokit.rest.checks.update({ ...target.repo, check_run_id: id, status: "in_progress", output, actions: [] });
  return id;
}

/** The state one of this app's runs holds now (re-read just before a write, so an older evaluation never overwrites a newer one). */
export async function readRunState(octokit: Octokit, repo: RepoRef, runId: number, appId: number | undefined): Promise<GateState | undefined> {
  const { data } = await octokit.rest.checks.get({ ...repo, check_run_id: runId });
  if (appId === undefined || data.app?.id !== appId) return undefined;
  return decodeState(data.output?.text);
}

/**
 * What this process last completed each run with (bounded; a restart forgets, costing one write).
 * The API lists a run's output but not its buttons, so a completion that would change nothing
 * (status, conclusion, output and buttons all as they are) is recognised by comparing with this,
 * and only while the run as listed is still what was written (nobody changed it since).
 */
const written = new Map<number, { shown: string; full: string }>();
const MAX_WRITTEN = 10_000;

/** The evaluation sequence is not content: an evaluation that changes nothing else writes nothing. */
function withoutSeq(text: string | null | undefined): string {
  if (!text) return "";
  const state = decodeState(text);
  if (!state) return text;
  const at = text.lastIndexOf("<!-- changegate:state ");
  return `${text.slice(0, at)}${encodeState({ ...state, seq: 0 })}${text.slice(text.indexOf(" -->", at) + 4)}`;
}

function shownPrint(run: { status: string; conclusion: string | null; title: string | null; summary: string | null; text: string | null }): string {
  return JSON.stringify([run.status, run.conclusion, run.title, run.summary, withoutSeq(run.text)]);
}

/** Whether completing `existing` with `plan` would leave it exactly as it is. */
export function unchangedBy(existing: ExistingRun | undefined, plan: CheckRunPlan, detailsUrl: string): boolean {
  if (!existing?.output || plan.annotationBatches.length > 0) return false;
  const last = written.get(existing.id);
  if (!last) return false;
  const shown = shownPrint({ status: "completed", conclusion: plan.conclusion, title: plan.title, summary: plan.summary, text: plan.text });
  return last.shown === shownPrint({ status: existing.status, conclusion: existing.conclusion, ...existing.output }) && last.full === JSON.stringify([shown, plan.actions, detailsUrl]);
}

function remember(runId: number, plan: CheckRunPlan, detailsUrl: string): void {
  const shown = shownPrint({ status: "completed", conclusion: plan.conclusion, title: plan.title, summary: plan.summary, text: plan.text });
  written.delete(runId);
  written.set(runId, { shown, full: JSON.stringify([shown, plan.actions, detailsUrl]) });
  if (written.size > MAX_WRITTEN) written.delete(written.keys().next().value!);
}

/**
 * Completes the run with the plan: one request carries the conclusion, the output and the first
 * 50 annotations; further batches are appended by updates that repeat the same output. Updates do
 * not depend on each other (annotations append, the output is the same), so they go out together.
 */
export async function completeRun(octokit: Octokit, target: RunTarget, runId: number | undefined, plan: CheckRunPlan): Promise<number> {
  const output = { title: plan.title, summary: plan.summary, text: plan.text };
  const [first, ...rest] = plan.annotationBatches;
  // No completed_at: GitHub stamps it on its own clock, the clock a "Sign off" press is ordered by.
  const body = {
    status: "completed" as const,
    conclusion: plan.conclusion,
    details_url: target.detailsUrl,
    output: first ? { ...output, annotations: first } : output,
    actions: plan.actions,
  };
  const append = (id: number) => rest.map((annotations) => octokit.rest.checks.update({ ...target.repo, check_run_id: id, output: { ...output, annotations } }));
  // The other runs on the head show the same verdict (their annotations stay as they were); sent
  // beside the kept run's write, once it is known which run that is.
  const mirror = () =>
    (target.duplicates ?? [])
      .filter((run) => run.id !== runId && !unchangedBy(run, plan, target.detailsUrl))
      .map(async (run) => {
        written.delete(run.id);
        await octokit.rest.checks.update({ ...target.repo, check_run_id: run.id, ...body, output });
        remember(run.id, plan, target.detailsUrl);
      });
  if (runId === undefined) {
    const { id, found } = await createRun(octokit, target, body);
    await Promise.all([...(found ? [octokit.rest.checks.update({ ...target.repo, check_run_id: id, ...body })] : []), ...append(id), ...mirror()]);
    remember(id, plan, target.detailsUrl);
    return id;
  }
  // Each write costs a second of the installation's write budget: one that changes nothing is not sent.
  if (runId === target.existing?.id && unchangedBy(target.existing, plan, target.detailsUrl)) {
    await Promise.all(mirror());
    return runId;
  }
  written.delete(runId);
  await Promise.all([octokit.rest.checks.update({ ...target.repo, check_run_id: runId, ...body }), ...append(runId), ...mirror()]);
  remember(runId, plan, target.detailsUrl);
  return runId;
}
