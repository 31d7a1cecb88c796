/**
 * `runGate`: the one pipeline every pull-request event ends in, as gather → evaluate → perform.
 * This file does the I/O and the ordering; every judgement is `evaluate` (src/gate/evaluate.ts).
 *
 * Round trips, webhook to completed run (plus the installation token):
 *   1. the pull request, live (its head and base may have moved since the webhook)
 *   2. at once: the policy at the base branch (and the listings that prove it absent), the merge
 *      base, the file list, this app's run on the head, reviews, commits, the base branch's rules
 *   3. the run set in progress (if it passes), the claimed files read, earlier runs recalled, sharing pull requests
 *   4. the eligibility lookups `evaluate` needs, and the run's state re-read (the sequence check
 *      happens at the write, so an older evaluation never overwrites a newer one)
 *   5. the run completed (must succeed; not sent when it would change nothing); then labels and
 *      review requests (best effort, only what the pull request lacks)
 *
 * Evaluations of one head are serialised through the head's queue (head-lock.ts): the delivery
 * that finds the head free evaluates it and then whatever arrived for it meanwhile; every other
 * one waits in the queue (src/gate/coalesce.ts says which of them one evaluation answers).
 */
import { randomUUID } from "node:crypto";
import type { BlobCache } from "./blob-cache.js";
import { analyzeChangeSet, type AnalysisResult } from "../analyze.js";
import { createKustomizeRenderer } from "../analyzers/kubernetes/render.js";
import { evaluate, evaluateFailure, lookupsFor, POLICY_PATH, type AnalysisSummary, type Earlier, type GateFacts, type PolicyFact, type PullSnapshot, type Trigger } from "../gate/evaluate.js";
import { planEvaluations, type PendingEvaluation } from "../gate/coalesce.js";
import { keepLive, otherPullNumbers, rememberedOthers } from "../gate/others.js";
import type { GateState } from "../gate/state.js";
import { loadPolicy, validatePolicyText } from "../policy/load.js";
import { analysisOptionsFromPolicy } from "../policy/options.js";
import { pullAuthorKind, type CommitRecord } from "../policy/pull-facts.js";
import type { Lookup, Permission } from "../policy/types.js";
import { SourceError } from "../source/source.js";
import { completeRun, findRuns, passes, readRunState, runTarget, startRun, type ExistingRun, type RunTarget } from "./checks.js";
import { readEnforcement, type Enforcement } from "./enforcement.js";
import { Eligibility, listCommits, listReviews } from "./facts.js";
import { InProcessHeadLock, headKey, type DrainResult, type HeadLock, type Settled } from "./head-lock.js";
import { mapBounded, messageOf, statusOf, type Octokit, type RepoRef } from "./octokit.js";
import { readPlanArtifact } from "./plan-artifact.js";
import { performPullActions } from "./pull-actions.js";
import { GitHubSource, listDirectory, listPullFiles, listRoot, readContent } from "./source.js";

export { POLICY_PATH, type Trigger };

/**
 * Claimed files read at once. Probot's throttling lets 10 requests of one process be in flight
 * (GitHub allows 100 and 900 read points a minute), so more would only queue.
 */
export const CONTENT_CONCURRENCY = 10;
/** Files the engine asks for at once: all of them; the source keeps CONTENT_CONCURRENCY in flight. */
const ENGINE_CONCURRENCY = 3000;
/** Earlier runs recalled per evaluation: the reviewed commits and the previous head (state is carried forward). */
const MAX_EARLIER_RUNS = 20;

export interface GateLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface GateDeps {
  octokit: Octokit;
  log: GateLog;
  /** This app's id: only its own runs are read or written. */
  appId: number | undefined;
  /** The app's clock (ms): the evaluation sequence. */
  now?: () => number;
  /** Serialises evaluations of one head (in process by default; a shared lock across replicas). */
  lock?: HeadLock;
  /**
   * Called when an evaluation failed and not even its failure could be written (GitHub down, the
   * installation token refused): the caller evaluates again later, so an old verdict does not stay.
   */
  onUnwritten?: (retry: () => Promise<unknown>) => void;
  /** `false` in Action mode: the Sign off button would reach github-actions, not the gate. */
  signoffButton?: boolean;
  /** Decoded blobs by SHA, shared across evaluations (see blob-cache.ts). */
  blobCache?: BlobCache;
  /** The webhook delivery being handled (X-GitHub-Delivery): named in the decision it is answered by. */
  delivery?: string;
}

/** The parts of a pull request the gate reads (`pulls.get`). */
export interface PullRequestData {
  number: number;
  state: string;
  html_url: string;
  user: { login: string; type: string } | null;
  head: { sha: string };
  base: { ref: string; sha: string };
  changed_files?: number;
  labels?: readonly { name?: string }[];
  requested_reviewers?: readonly ({ login?: string } | null)[] | null;
  requested_teams?: readonly ({ slug?: string } | null)[] | null;
}

export interface PullLocator extends RepoRef {
  pullNumber: number;
  /** The head the event names, where the run is failed when the pull request itself cannot be read. */
  hintHead?: string;
}

export interface GateResult {
  skipped?: string;
  runId?: number;
  headSha?: string;
  conclusion?: string;
  outcome?: string;
  /** Left in the head's queue for the evaluation holding the head (another replica's). */
  queued?: boolean;
}

const defaultLock = new InProcessHeadLock();

export async function runGate(deps: GateDeps, locator: PullLocator, trigger: Trigger): Promise<GateResult> {
  const repo: RepoRef = { owner: locator.owner, repo: locator.repo };
  const lock = deps.lock ?? defaultLock;
  let pr: PullRequestData;
  let observedAt: number;
  try {
    ({ pr, observedAt } = await readPull(deps, repo, locator.pullNumber));
  } catch (error) {
    // Without the pull request nothing can be decided: the head the event names must not keep an old verdict.
    if (locator.hintHead) {
      await lock.run(headKey(repo.owner, repo.repo, locator.hintHead), () =>
        failHead(deps, repo, { number: locator.pullNumber, headSha: locator.hintHead! }, trigger, error, () => runGate(deps, locator, trigger)),
      );
    }
    throw error;
  }
  if (pr.state !== "open") {
    deps.log.info({ event: "skip", repo: `${repo.owner}/${repo.repo}`, pr: pr.number, reason: "closed", ...(deps.delivery ? { deliveries: [deps.delivery] } : {}) }, "changegate skips a closed pull request");
    return { skipped: "closed" };
  }
  const key = headKey(repo.owner, repo.repo, pr.head.sha);
  if (!lock.submit) return lock.run(key, () => evaluateHead(deps, repo, pr, observedAt, trigger, locator, deps.delivery ? [deps.delivery] : []));
  // Into the head's queue: evaluated by this call if the head is free, else by the evaluation holding it.
  const token = randomUUID();
  const entry: PendingEvaluation = {
    token,
    delivery: deps.delivery ?? token,
    at: Date.now(),
    owner: repo.owner,
    repo: repo.repo,
    pullNumber: pr.number,
    ...(locator.hintHead ? { hintHead: locator.hintHead } : {}),
    trigger,
  };
  let settled: Settled | undefined;
  try {
    // The pull request as just read serves this delivery's own evaluation when the head was free.
    let fresh: FreshRead | undefined = { token, read: { pr, observedAt }, at: Date.now() };
    ({ settled } = await lock.submit(key, entry, (batch) => {
      const offered = fresh;
      fresh = undefined;
      return drainBatch(deps, pr.head.sha, batch, offered);
    }));
  } catch (error) {
    // The shared queue cannot be reached (Redis): nobody may evaluate this delivery, so the head must not keep its verdict.
    await failHead(deps, repo, { number: pr.number, headSha: pr.head.sha }, trigger, error, () => runGate(deps, locator, trigger));
    throw error;
  }
  if (!settled) return { queued: true, headSha: pr.head.sha };
  if (!settled.ok) throw settled.error;
  return settled.value as GateResult;
}

/**
 * Evaluates what waited for one head, as its holder: the planned evaluations one after another,
 * each reading the pull request again (its head may have moved meanwhile: those deliveries go to
 * the new head's queue once this head is let go; a closed one needs nothing), except the holder's
 * own delivery taken at once, which is evaluated on the pull request as it just read it.
 */
async function drainBatch(deps: GateDeps, head: string, batch: readonly PendingEvaluation[], fresh?: FreshRead): Promise<DrainResult> {
  const result: DrainResult = { settled: new Map(), later: [] };
  for (const [index, step] of planEvaluations(batch).entries()) {
    const first = step.covers[0]!;
    const repo: RepoRef = { owner: first.owner, repo: first.repo };
    const locator: PullLocator = { ...repo, pullNumber: step.pullNumber, ...(first.hintHead ? { hintHead: first.hintHead } : {}) };
    const deliveries = [...new Set(step.covers.map((c) => c.delivery))];
    const retry = () => runGate(deps, locator, step.trigger);
    let outcome: Settled;
    try {
      let read: { pr: PullRequestData; observedAt: number };
      try {
        const reusable = index === 0 && fresh && Date.now() - fresh.at <= FRESH_READ_MS && step.covers.some((c) => c.token === fresh.token);
        read = reusable ? fresh.read : await readPull(deps, repo, step.pullNumber);
      } catch (error) {
        // This head is held here: its run is failed directly (not through the lock, which this holder has).
        await failHead(deps, repo, { number: step.pullNumber, headSha: head }, step.trigger, error, retry);
        throw error;
      }
      const { pr, observedAt } = read;
      if (pr.state !== "open") {
        deps.log.info({ event: "skip", repo: `${repo.owner}/${repo.repo}`, pr: pr.number, reason: "closed", deliveries }, "changegate skips a closed pull request");
        outcome = { ok: true, value: { skipped: "closed" } satisfies GateResult };
      } else if (pr.head.sha !== head) {
        for (const c of step.covers) {
          const again: PullLocator = { owner: c.owner, repo: c.repo, pullNumber: c.pullNumber, ...(c.hintHead ? { hintHead: c.hintHead } : {}) };
          result.later.push({ token: c.token, run: () => runGate({ ...deps, delivery: c.delivery }, again, c.trigger) });
        }
        continue;
      } else {
        outcome = { ok: true, value: await evaluateHead(deps, repo, pr, observedAt, step.trigger, locator, deliveries) };
      }
    } catch (error) {
      outcome = { ok: false, error };
    }
    for (const c of step.covers) result.settled.set(c.token, outcome);
  }
  return result;
}

/** A pull request this process read for a delivery, and when: offered to that delivery's own evaluation. */
interface FreshRead {
  token: string;
  read: { pr: PullRequestData; observedAt: number };
  at: number;
}

/**
 * How old a read may be and still stand for reading again: the drain that takes a delivery at once
 * (its head was free) evaluates the pull request as the delivery just read it, which saves a
 * round trip. An entry that waited behind another evaluation reads the pull request again.
 */
const FRESH_READ_MS = 1_000;

async function readPull(deps: GateDeps, repo: RepoRef, pullNumber: number): Promise<{ pr: PullRequestData; observedAt: number }> {
  const response = await deps.octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
  return { pr: response.data, observedAt: githubTime(response.headers.date, deps) };
}

/** GitHub's clock from a response's `Date` header (second resolution); the app's clock without one. */
function githubTime(date: string | undefined, deps: GateDeps): number {
  const parsed = date ? Date.parse(date) : NaN;
  return Number.isFinite(parsed) ? parsed : (deps.now ?? Date.now)();
}

function snapshot(pr: PullRequestData): PullSnapshot {
  return {
    number: pr.number,
    author: { login: pr.user?.login ?? "ghost", type: pr.user?.type ?? "User" },
    headSha: pr.head.sha,
    baseBranch: pr.base.ref,
    labels: (pr.labels ?? []).map((l) => l.name ?? "").filter((n) => n !== ""),
    requestedUsers: (pr.requested_reviewers ?? []).map((r) => r?.login ?? "").filter((n) => n !== ""),
    requestedTeams: (pr.requested_teams ?? []).map((t) => t?.slug ?? "").filter((n) => n !== ""),
  };
}

async function evaluateHead(deps: GateDeps, repo: RepoRef, pr: PullRequestData, observedAt: number, trigger: Trigger, locator: PullLocator, deliveries: readonly string[]): Promise<GateResult> {
  const { octokit, log } = deps;
  const seq = (deps.now ?? Date.now)();
  const pull = snapshot(pr);
  const head = pull.headSha;
  // `deliveries`: the webhooks this evaluation answers (it started after each of them arrived).
  const where = { repo: `${repo.owner}/${repo.repo}`, pr: pr.number, head_sha: head, ...(deliveries.length > 0 ? { deliveries } : {}) };
  const retry = () => runGate(deps, locator, trigger);

  // Stage 2 (gather): everything that depends only on the pull request, at once.
  const headRunsP = findRuns(octokit, repo, head, deps.appId);
  const policyP = readBasePolicy(octokit, repo, pull.baseBranch);
  const mergeBaseP = octokit.rest.repos
    .compareCommitsWithBasehead({ ...repo, basehead: `${pr.base.sha}...${head}`, per_page: 1 })
    .then(({ data }) => data.merge_base_commit.sha);
  const listingP = listPullFiles(octokit, { ...repo, pullNumber: pr.number, ...(pr.changed_files !== undefined ? { changedFiles: pr.changed_files } : {}) });
  const reviewsP = listReviews(octokit, repo, pr.number);
  const commitsP = listCommits(octokit, repo, pr.number);
  const enforcementP = readEnforcement(octokit, repo, pull.baseBranch, deps.appId).catch(
    (error: unknown): Enforcement => ({ branch: pull.baseBranch, required: undefined, detail: messageOf(error) }),
  );
  for (const p of [headRunsP, mergeBaseP, listingP, reviewsP, commitsP]) p.catch(() => undefined);

  let headRuns: ExistingRun[] = [];
  let existing: ExistingRun | undefined;
  let runIdP: Promise<number | undefined> = Promise.resolve(undefined);
  let earlier: Earlier = { states: [] };
  // One target for the evaluation: it remembers a create whose answer was lost.
  let target: RunTarget | undefined;
  try {
    headRuns = await headRunsP;
    existing = headRuns[0];
    if (existing?.state && existing.state.seq > seq) {
      log.info({ event: "skip", ...where, reason: "a newer evaluation already wrote this run" }, "changegate keeps the newer result");
      return { skipped: "newer", runId: existing.id, headSha: head };
    }
    earlier = { ...(existing ? { head: existing } : {}), states: statesOf(headRuns) };
    target = runTarget(repo, head, pr.html_url, headRuns, deps.appId);
    // A check run belongs to a commit: other open pull requests with this head share it.
    const othersP = sharingPulls(octokit, repo, pr, existing).catch(() => rememberedOthers(pr.number, pull.baseBranch, existing));

    // Stage 3: a run that would let a merge through shows "in progress" while the claimed files
    // are read (an earlier success never stands while the pull request is evaluated again). A run
    // that blocks already (waiting for sign-off, failed, in progress) keeps blocking as it is: that
    // write would cost a second of the installation's write budget and change no merge.
    runIdP =
      existing && !passes(existing)
        ? Promise.resolve(existing.id)
        : startRun(octokit, target, "Analysing…").then(
            (id) => id,
            (error: unknown) => {
              log.warn({ event: "check-run-start-failed", ...where, error: messageOf(error) }, "changegate could not set its run in progress");
              return existing?.id;
            },
          );
    const [policy, reviews, commits] = await Promise.all([policyP, reviewsP, commitsP]);
    const analysisP = usable(policy) ? analyse(octokit, repo, pr, pull, policy, commits, await mergeBaseP, listingP, deps.blobCache) : Promise.resolve(undefined);
    const earlierP = mapBounded(earlierCommits(head, reviews, commits, trigger), CONTENT_CONCURRENCY, (sha) =>
      findRuns(octokit, repo, sha, deps.appId).catch((error: unknown) => {
        log.warn({ event: "recall-failed", ...where, sha, error: messageOf(error) }, "changegate could not read an earlier run");
        return [] as ExistingRun[];
      }),
    );
    const [analysis, earlierRuns, enforcement, others] = await Promise.all([analysisP, earlierP, enforcementP, othersP]);
    earlier = { ...earlier, states: [...earlier.states, ...statesOf(earlierRuns.flat())] };

    const facts: GateFacts = {
      pull,
      seq,
      observedAt,
      policy,
      ...(analysis ? { analysis } : {}),
      reviews,
      commits,
      enforcement,
      others,
      ...(deps.signoffButton === false ? { signoffButton: false } : {}),
    };

    // Stage 4: only the lookups the decision will read, and the run's state as it is now.
    const runId = await runIdP;
    const [lookups, latest] = await Promise.all([
      resolveLookups(octokit, repo, lookupsFor(facts, earlier, trigger)),
      runId !== undefined ? readRunState(octokit, repo, runId, deps.appId) : Promise.resolve(undefined),
    ]);
    if (latest && latest.seq > seq) {
      log.info({ event: "skip", ...where, reason: "a newer evaluation wrote this run meanwhile" }, "changegate keeps the newer result");
      return { skipped: "newer", ...(runId !== undefined ? { runId } : {}), headSha: head };
    }
    const result = evaluate(facts, earlier, trigger, lookups);

    // Stage 5 (perform): the check run must be written; a failure here fails the delivery.
    const written = await completeRun(octokit, target, runId, result.plan);
    log.info({ event: "decision", ...where, ...result.audit.decision }, "changegate decision");
    for (const s of result.audit.signoffs) log.info({ event: "signoff", ...where, ...s }, s.accepted ? "changegate sign-off counted" : "changegate sign-off refused");

    // Best effort.
    await performPullActions(octokit, repo, pr.number, result.pullActions, log);
    return { runId: written, headSha: head, conclusion: result.plan.conclusion, outcome: result.decision.outcome };
  } catch (error) {
    // Whatever failed, the run must not stay "in progress" or, worse, keep an older success.
    const runId = await runIdP;
    await failRun(deps, target ?? runTarget(repo, head, pr.html_url, headRuns, deps.appId), runId, { number: pr.number, headSha: head, baseBranch: pull.baseBranch }, seq, observedAt, earlier, trigger, error, retry);
    throw error;
  }
}

function usable(policy: PolicyFact): policy is Extract<PolicyFact, { source: "file" | "default" }> {
  return policy.source === "file" || policy.source === "default";
}

async function analyse(
  octokit: Octokit,
  repo: RepoRef,
  pr: PullRequestData,
  pull: PullSnapshot,
  policy: Extract<PolicyFact, { source: "file" | "default" }>,
  commits: readonly CommitRecord[],
  mergeBase: string,
  listingP: ReturnType<typeof listPullFiles>,
  blobCache: BlobCache | undefined,
): Promise<AnalysisSummary> {
  const source = new GitHubSource(octokit, {
    ...repo,
    pullNumber: pr.number,
    base: mergeBase,
    head: pull.headSha,
    listing: listingP,
    maxInFlight: CONTENT_CONCURRENCY,
    ...(blobCache ? { blobCache } : {}),
  });
  // The CI's plan for this head, when the policy names its artifact; one that cannot be read fails closed.
  const artifactName = policy.policy.terraform.plan_artifact;
  let planError: string | undefined;
  const inputs = artifactName
    ? await readPlanArtifact(octokit, repo, pull.headSha, artifactName).then(
        (artifact) => (artifact.found ? artifact.inputs : []),
        (error: unknown) => {
          planError = `the Terraform plan artifact "${artifactName}" could not be read: ${messageOf(error)}`;
          return [];
        },
      )
    : [];
  const result = await analyzeChangeSet(source, {
    inputs,
    ...analysisOptionsFromPolicy(policy.policy),
    authorKind: pullAuthorKind(pull.author, commits, policy.policy).kind,
    policyPath: POLICY_PATH,
    validatePolicy: validatePolicyText,
    concurrency: ENGINE_CONCURRENCY,
    // kubectl from PATH (or CHANGEGATE_KUBECTL) renders kustomizations; without it they are read statically.
    kustomize: createKustomizeRenderer(),
  }).catch((error: unknown): AnalysisResult => {
    // The file list itself could not be read: nothing is known, the check fails and offers a re-run.
    const retryable = error instanceof SourceError ? error.retryable : true;
    return { base: source.base, head: pull.headSha, findings: [], files: [], unclaimed: 0, contextFiles: 0, errors: [{ file: "(file list)", message: messageOf(error), retryable }] };
  });
  const errors = planError ? [...result.errors, { file: `artifact:${artifactName}`, message: planError, retryable: true }] : result.errors;
  return { findings: result.findings, analysed: result.files.length, unclaimed: result.unclaimed, errors };
}

function statesOf(runs: readonly ExistingRun[]): GateState[] {
  return runs.map((r) => r.state).filter((s): s is GateState => s !== undefined);
}

/**
 * The policy at the base branch head. A 404 is "no policy" only when the base tree shows the file
 * is not there (the `.github` listing lacks it, or the root has no `.github`): a 404 from a
 * flaky API must never drop a team rule for the defaults. Any other answer fails closed.
 */
async function readBasePolicy(octokit: Octokit, repo: RepoRef, branch: string): Promise<PolicyFact> {
  const slash = POLICY_PATH.lastIndexOf("/");
  const dir = POLICY_PATH.slice(0, slash);
  const name = POLICY_PATH.slice(slash + 1);
  const [file, listing, root] = await Promise.allSettled([readContent(octokit, repo, branch, POLICY_PATH), listDirectory(octokit, repo, branch, dir), listRoot(octokit, repo, branch)]);
  if (file.status === "rejected") return { source: "error", path: POLICY_PATH, error: describeError(file.reason) };
  if (file.value !== null) {
    const bytes = file.value;
    return loadPolicy(() => Promise.resolve(bytes), POLICY_PATH);
  }
  const absent =
    (listing.status === "fulfilled" && listing.value !== null && !listing.value.includes(name)) ||
    (listing.status === "fulfilled" && listing.value === null && root.status === "fulfilled" && !root.value.includes(dir));
  if (absent) return loadPolicy(() => Promise.resolve(null), POLICY_PATH);
  const why =
    listing.status === "fulfilled" && listing.value?.includes(name)
      ? `GitHub answered 404 for ${POLICY_PATH}, though the base branch lists it`
      : `GitHub answered 404 for ${POLICY_PATH} and the base branch's tree could not confirm that it is absent (${describeError(listing.status === "rejected" ? listing.reason : root.status === "rejected" ? root.reason : "no listing")})`;
  return { source: "error", path: POLICY_PATH, error: why };
}

function describeError(error: unknown): string {
  const status = statusOf(error);
  return status !== undefined ? `GitHub answered ${status}: ${messageOf(error)}` : messageOf(error);
}

async function resolveLookups(octokit: Octokit, repo: RepoRef, needed: { permissions: string[]; teamMembership: { team: string; user: string }[] }) {
  const eligibility = new Eligibility(octokit, repo);
  const permissions: Record<string, Lookup<Permission>> = {};
  const teamMembership: Record<string, Record<string, Lookup<boolean>>> = {};
  await mapBounded(
    [
      ...needed.permissions.map((login) => async () => {
        permissions[login] = await eligibility.permission(login);
      }),
      ...needed.teamMembership.map(({ team, user }) => async () => {
        (teamMembership[team] ??= {})[user] = await eligibility.isMember(team, user);
      }),
    ],
    CONTENT_CONCURRENCY,
    (task) => task(),
  );
  return { permissions, teamMembership };
}

/**
 * The remembered verdicts that still apply: another pull request only while it is open with this
 * head (checked live; one that cannot be read keeps holding); this pull request's other bases
 * for as long as this head's run lives.
 */
async function sharingPulls(octokit: Octokit, repo: RepoRef, pr: PullRequestData, existing: ExistingRun | undefined): Promise<Record<string, string>> {
  const remembered = rememberedOthers(pr.number, pr.base.ref, existing);
  const live = new Map<number, boolean>();
  await mapBounded(otherPullNumbers(pr.number, remembered), 4, async (number) => {
    try {
      const { data: other } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      live.set(number, other.state === "open" && other.head.sha === pr.head.sha);
    } catch (error) {
      live.set(number, statusOf(error) !== 404);
    }
  });
  return keepLive(pr.number, remembered, live);
}

/** Fails the run of a head whose pull request could not even be read (the head the event named). */
async function failHead(deps: GateDeps, repo: RepoRef, pull: { number: number; headSha: string }, trigger: Trigger, error: unknown, retry: () => Promise<unknown>): Promise<void> {
  const seq = (deps.now ?? Date.now)();
  let runs: ExistingRun[] = [];
  try {
    runs = await findRuns(deps.octokit, repo, pull.headSha, deps.appId);
  } catch {
    // Unknown: a new run is created, which supersedes any earlier one on this head.
  }
  const url = `https://github.com/${repo.owner}/${repo.repo}/pull/${pull.number}`;
  const existing = runs[0];
  await failRun(deps, runTarget(repo, pull.headSha, url, runs, deps.appId), existing?.id, pull, seq, seq, { ...(existing ? { head: existing } : {}), states: statesOf(runs) }, trigger, error, retry);
}

/**
 * Completes the run as a failure with a re-run button after an unexpected error. If the run cannot
 * be updated, a new one is created (a later evaluation writes its verdict to both); if nothing can
 * be written, the evaluation is handed back to be tried again later.
 */
async function failRun(
  deps: GateDeps,
  target: RunTarget,
  runId: number | undefined,
  pull: { number: number; headSha: string; baseBranch?: string },
  seq: number,
  observedAt: number,
  earlier: Earlier,
  trigger: Trigger,
  error: unknown,
  retry: () => Promise<unknown>,
): Promise<void> {
  const others = rememberedOthers(pull.number, pull.baseBranch, earlier.head);
  const { plan } = evaluateFailure({ pull, seq, observedAt, others }, earlier, trigger, describeError(error));
  const where = { head_sha: target.headSha, pr: pull.number };
  let written = false;
  for (const id of runId !== undefined ? [runId, undefined] : [undefined]) {
    try {
      await completeRun(deps.octokit, target, id, plan);
      written = true;
      break;
    } catch (writeError) {
      deps.log.error({ event: "check-run-failed", ...where, error: messageOf(writeError) }, "changegate could not write its check run");
    }
  }
  deps.log.error({ event: "decision", ...where, outcome: "blocked", conclusion: "failure", error: messageOf(error) }, "changegate evaluation failed");
  if (!written) deps.onUnwritten?.(retry);
}

/** Commits whose runs may remember digests or button sign-offs: the reviewed ones and the previous head. */
function earlierCommits(head: string, reviews: readonly { state: string; commitId: string | null }[], commits: readonly { sha: string }[], trigger: Trigger): string[] {
  const shas = new Set<string>();
  if (trigger.kind === "pull_request" && trigger.before) shas.add(trigger.before);
  if (trigger.kind === "button") shas.add(trigger.runHeadSha);
  const at = commits.findIndex((c) => c.sha === head);
  const previous = at > 0 ? commits[at - 1] : commits.length > 0 && at < 0 ? commits[commits.length - 1] : undefined;
  if (previous) shas.add(previous.sha);
  for (const r of reviews) if (r.commitId && /^(APPROVED|CHANGES_REQUESTED|DISMISSED)$/i.test(r.state)) shas.add(r.commitId);
  shas.delete(head);
  return [...shas].slice(-MAX_EARLIER_RUNS);
}
