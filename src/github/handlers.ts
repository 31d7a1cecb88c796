/**
 * Handlers decode; one pipeline decides. Each webhook becomes a pull-request locator and a
 * trigger for `runGate` (or a merge group for `runMergeGroup`); nothing here judges anything.
 */
import type { BlobCache } from "./blob-cache.js";
import type { Context, Probot } from "probot";
import { CHECK_NAME, RERUN_ACTION, SIGNOFF_ACTION } from "../report/check-run.js";
import { decodeState } from "../gate/state.js";
import { runGate, type GateDeps, type GateLog, type PullLocator, type Trigger } from "./gate.js";
import type { HeadLock } from "./head-lock.js";
import { DEFAULT_REQUEST_POLICY, guardRequests, type RequestPolicy } from "./http.js";
import { runMergeGroup } from "./merge-queue.js";

export const PULL_REQUEST_ACTIONS = ["opened", "synchronize", "reopened", "ready_for_review", "edited"] as const;

export interface HandlerOptions {
  /** Overrides for tests: the clock, or a fixed app id. */
  now?: () => number;
  appId?: number;
  /** The per-head lock (a shared one when several replicas serve the app). */
  lock?: HeadLock;
  /**
   * When an evaluation failed and not even the failure could be written, it is tried again after
   * these delays (ms), one after another until one writes. Default: 30 s, 2 min, 10 min.
   */
  retryDelaysMs?: readonly number[];
  /** Schedules a retry (tests: fake timers). Default: an unref'd `setTimeout`. */
  schedule?: (task: () => Promise<unknown>, delayMs: number) => void;
  /** Request timeout and retries of idempotent reads (tests: tiny timeouts, no real waits). */
  requests?: Partial<RequestPolicy>;
  /** `false` in Action mode, where a press of Sign off would go to github-actions, not to changegate. */
  signoffButton?: boolean;
  /** Decoded blobs by SHA across deliveries (the server's, in memory or on Redis); by default each evaluation's own. */
  blobCache?: BlobCache;
}

const DEFAULT_RETRY_DELAYS_MS = [30_000, 120_000, 600_000];

function defaultSchedule(task: () => Promise<unknown>, delayMs: number): void {
  setTimeout(() => void task(), delayMs).unref();
}

type AnyContext = Context<"pull_request" | "pull_request_review" | "check_run" | "check_suite" | "merge_group" | "workflow_run">;

async function depsFor(context: AnyContext, options: HandlerOptions): Promise<GateDeps> {
  const log = context.log as unknown as GateLog;
  const appId = options.appId ?? (await appIdOf(context));
  // Without its own id the app cannot tell its runs (and the state they keep) from another app's: it does nothing.
  if (appId === undefined) throw new Error("changegate: cannot tell this app's id (set APP_ID); refusing to read or write check runs");
  guardRequests(context.octokit, { ...DEFAULT_REQUEST_POLICY, ...options.requests });
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const schedule = options.schedule ?? defaultSchedule;
  let attempt = 0;
  const deps: GateDeps = {
    octokit: context.octokit,
    log,
    appId,
    ...(options.now ? { now: options.now } : {}),
    ...(options.lock ? { lock: options.lock } : {}),
    ...(options.blobCache ? { blobCache: options.blobCache } : {}),
    ...(options.signoffButton === false ? { signoffButton: false } : {}),
    ...(context.id ? { delivery: context.id } : {}),
    // Nothing could be written (GitHub down, the token refused): evaluate again later, so an old
    // verdict does not outlive the outage. Each retry that fails to write schedules the next.
    onUnwritten: (retry) => {
      const delay = delays[attempt++];
      if (delay === undefined) {
        log.error({ event: "retry-exhausted" }, "changegate gave up re-evaluating after repeated failures; a re-run or the next event evaluates again");
        return;
      }
      log.warn({ event: "retry-scheduled", delay_ms: delay }, "changegate will evaluate again");
      schedule(() => retry().catch(() => undefined), delay);
    },
  };
  return deps;
}

/** This app's id, from its own credentials (no request: the JWT is signed locally) or APP_ID. */
async function appIdOf(context: AnyContext): Promise<number | undefined> {
  try {
    const auth = (await context.octokit.auth({ type: "app" })) as { appId?: number | string };
    if (auth.appId !== undefined) return Number(auth.appId);
  } catch {
    // fall through
  }
  const fromEnv = Number(process.env.APP_ID);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : undefined;
}

function repoOf(context: AnyContext): { owner: string; repo: string } {
  const repository = context.payload.repository;
  if (!repository) throw new Error("changegate: the event has no repository");
  return { owner: repository.owner.login, repo: repository.name };
}

export function registerHandlers(app: Probot, options: HandlerOptions = {}): void {
  app.on(
    PULL_REQUEST_ACTIONS.map((a) => `pull_request.${a}` as const),
    async (context) => {
      const payload = context.payload;
      // An edit re-evaluates only when the base branch changed: the policy and the diff depend on it.
      if (payload.action === "edited" && !("changes" in payload && payload.changes && "base" in payload.changes && payload.changes.base)) return;
      const trigger: Trigger = { kind: "pull_request", action: payload.action };
      if (payload.action === "synchronize" && "before" in payload) trigger.before = payload.before;
      // Whoever pushed may have written commits under another name: remembered, never eligible to sign off.
      if (payload.action === "synchronize" && payload.sender?.login) trigger.pusher = payload.sender.login;
      // The payload's copy can be stale (a retarget or push delivered late): the gate reads the pull request live.
      const locator: PullLocator = { ...repoOf(context), pullNumber: payload.pull_request.number, hintHead: payload.pull_request.head.sha };
      await runGate(await depsFor(context, options), locator, trigger);
    },
  );

  app.on(["pull_request_review.submitted", "pull_request_review.dismissed"], async (context) => {
    const review = context.payload.review;
    // Comments neither sign off nor withdraw.
    if (context.payload.action === "submitted" && review.state.toLowerCase() === "commented") return;
    // The review payload's copy of the pull request can be stale: the gate reads it live.
    const locator: PullLocator = { ...repoOf(context), pullNumber: context.payload.pull_request.number, hintHead: context.payload.pull_request.head.sha };
    await runGate(await depsFor(context, options), locator, {
      kind: "review",
      action: context.payload.action,
    });
  });

  app.on(["check_run.requested_action", "check_run.rerequested"], async (context) => {
    const run = context.payload.check_run;
    if (run.name !== CHECK_NAME) return;
    const deps = await depsFor(context, options);
    // Only this app's own runs: a run of another app (or one naming no app) is never acted on.
    if (run.app?.id !== deps.appId) return;
    const state = decodeState(run.output?.text ?? null);
    const pullNumber = state?.pr ?? run.pull_requests?.[0]?.number;
    if (pullNumber === undefined) {
      deps.log.warn({ event: "skip", head_sha: run.head_sha, reason: "no pull request for this run" }, "changegate cannot tell which pull request this run belongs to");
      return;
    }
    let trigger: Trigger = { kind: "rerun", event: `check_run.${context.payload.action}` };
    if (context.payload.action === "requested_action") {
      const identifier = "requested_action" in context.payload ? context.payload.requested_action?.identifier : undefined;
      if (identifier === SIGNOFF_ACTION.identifier) {
        const sender = context.payload.sender;
        // The press cannot be earlier than the run's completion (buttons show only then): GitHub's
        // clock, and the earliest time it can have, so any later withdrawal wins over it.
        const at = run.completed_at && Number.isFinite(Date.parse(run.completed_at)) ? new Date(Date.parse(run.completed_at)).toISOString() : new Date(0).toISOString();
        trigger = { kind: "button", user: { login: sender.login, type: sender.type }, runHeadSha: run.head_sha, delivery: context.id, at };
      } else if (identifier !== RERUN_ACTION.identifier) {
        return;
      }
    }
    await runGate(deps, { ...repoOf(context), pullNumber, hintHead: run.head_sha }, trigger);
  });

  app.on("check_suite.rerequested", async (context) => {
    const suite = context.payload.check_suite;
    const deps = await depsFor(context, options);
    const repo = repoOf(context);
    let numbers = (suite.pull_requests ?? []).map((p) => p.number);
    if (numbers.length === 0) {
      const { data } = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: suite.head_sha, per_page: 10 });
      numbers = data.filter((p) => p.state === "open").map((p) => p.number);
    }
    for (const number of numbers) await runGate(deps, { ...repo, pullNumber: number, hintHead: suite.head_sha }, { kind: "rerun", event: "check_suite.rerequested" });
  });

  // The repository's CI uploaded its Terraform plan (terraform.plan_artifact): evaluate the pull
  // requests of that commit again, so the plan's findings join the same check run. The gate reads
  // the plan itself, for the pull request's current head only; this event only says when to look.
  app.on("workflow_run.completed", async (context) => {
    const run = context.payload.workflow_run;
    if (run.conclusion !== "success") return;
    const deps = await depsFor(context, options);
    const repo = repoOf(context);
    // Most workflow runs upload nothing: those cannot hold a plan and cost no evaluation.
    const { data } = await context.octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: run.id, per_page: 1 });
    if (data.total_count === 0) return;
    let numbers = (run.pull_requests ?? []).flatMap((p) => (p && p.head.sha === run.head_sha ? [p.number] : []));
    if (numbers.length === 0) {
      // Pull requests from forks are not listed on the run.
      const { data: pulls } = await context.octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: run.head_sha, per_page: 10 });
      numbers = pulls.filter((p) => p.state === "open" && p.head.sha === run.head_sha).map((p) => p.number);
    }
    for (const number of numbers) await runGate(deps, { ...repo, pullNumber: number, hintHead: run.head_sha }, { kind: "rerun", event: "workflow_run.completed" });
  });

  app.on("merge_group.checks_requested", async (context) => {
    const group = context.payload.merge_group;
    await runMergeGroup(await depsFor(context, options), {
      ...repoOf(context),
      headSha: group.head_sha,
      headRef: group.head_ref,
      baseSha: group.base_sha,
      baseRef: group.base_ref,
      detailsUrl: context.payload.repository?.html_url ?? `https://github.com/${repoOf(context).owner}/${repoOf(context).repo}`,
    });
  });
}
