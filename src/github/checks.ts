/**
 * The app's own check runs: finding the `changegate` run of a head SHA (created by this app, never
 * another one of the same name), reading the state it remembers, and performing a planned write.
 */
import { CHECK_NAME, type CheckRunPlan } from "../report/check-run.js";
import { decodeState, encodeState, type GateState } from "../gate/state.js";
import type { Octokit, RepoRef } from "./octokit.js";

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
  // One run per head SHA is the rule; should a race have made two, the oldest is the one kept up to date.
  return mine.sort((a, b) => (b.state?.seq ?? 0) - (a.state?.seq ?? 0) || a.id - b.id);
}

export interface RunTarget {
  repo: RepoRef;
  headSha: string;
  detailsUrl: string;
  existing?: ExistingRun;
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
  if (target.existing) {
    const state = target.existing.state;
    written.delete(target.existing.id);
    await octokit.rest.checks.update({
      ...target.repo,
      check_run_id: target.existing.id,
      status: "in_progress",
      output: state ? { ...output, text: encodeState(state) } : output,
      actions: [],
    });
    return target.existing.id;
  }
  const { data } = await octokit.rest.checks.create({
    ...target.repo,
    name: CHECK_NAME,
    head_sha: target.headSha,
    status: "in_progress",
    details_url: target.detailsUrl,
    output,
  });
  return data.id;
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
  if (runId === undefined) {
    const { data } = await octokit.rest.checks.create({ ...target.repo, name: CHECK_NAME, head_sha: target.headSha, ...body });
    await Promise.all(append(data.id));
    remember(data.id, plan, target.detailsUrl);
    return data.id;
  }
  // Each write costs a second of the installation's write budget: one that changes nothing is not sent.
  if (runId === target.existing?.id && unchangedBy(target.existing, plan, target.detailsUrl)) return runId;
  written.delete(runId);
  await Promise.all([octokit.rest.checks.update({ ...target.repo, check_run_id: runId, ...body }), ...append(runId)]);
  remember(runId, plan, target.detailsUrl);
  return runId;
}
