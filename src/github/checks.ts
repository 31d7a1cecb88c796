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
      const existing: ExistingRun = { id: run.id, headSha: run.head_sha, status: run.status, conclusion: run.conclusion };
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
    return data.id;
  }
  await Promise.all([octokit.rest.checks.update({ ...target.repo, check_run_id: runId, ...body }), ...append(runId)]);
  return runId;
}
