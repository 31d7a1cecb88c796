/**
 * Handlers decode; one pipeline decides. Each webhook becomes a pull-request locator and a
 * trigger for `runGate` (or a merge group for `runMergeGroup`); nothing here judges anything.
 */
import type { Context, Probot } from "probot";
import { CHECK_NAME, RERUN_ACTION, SIGNOFF_ACTION } from "../report/check-run.js";
import { fetchPull, runGate, type GateDeps, type GateLog, type PullLocator, type Trigger } from "./gate.js";
import { runMergeGroup } from "./merge-queue.js";
import { decodeState } from "./state.js";

export const PULL_REQUEST_ACTIONS = ["opened", "synchronize", "reopened", "ready_for_review", "edited"] as const;

export interface HandlerOptions {
  /** Overrides for tests: the clock, or a fixed app id. */
  now?: () => number;
  appId?: number;
}

type AnyContext = Context<"pull_request" | "pull_request_review" | "check_run" | "check_suite" | "merge_group">;

async function depsFor(context: AnyContext, options: HandlerOptions): Promise<GateDeps> {
  const log = context.log as unknown as GateLog;
  const appId = options.appId ?? (await appIdOf(context));
  // Without its own id the app cannot tell its runs (and the state they keep) from another app's: it does nothing.
  if (appId === undefined) throw new Error("changegate: cannot tell this app's id (set APP_ID); refusing to read or write check runs");
  return { octokit: context.octokit, log, appId, ...(options.now ? { now: options.now } : {}) };
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
      const locator: PullLocator = { ...repoOf(context), pullNumber: payload.pull_request.number };
      await runGate(await depsFor(context, options), locator, trigger);
    },
  );

  app.on(["pull_request_review.submitted", "pull_request_review.dismissed"], async (context) => {
    const review = context.payload.review;
    // Comments neither sign off nor withdraw.
    if (context.payload.action === "submitted" && review.state.toLowerCase() === "commented") return;
    // The review payload's copy of the pull request can be stale: the gate reads it live.
    await runGate(await depsFor(context, options), { ...repoOf(context), pullNumber: context.payload.pull_request.number }, {
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
        trigger = { kind: "button", user: { login: sender.login, type: sender.type }, runHeadSha: run.head_sha };
      } else if (identifier !== RERUN_ACTION.identifier) {
        return;
      }
    }
    await runGate(deps, { ...repoOf(context), pullNumber }, trigger);
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
    for (const number of numbers) await runGate(deps, { ...repo, pullNumber: number }, { kind: "rerun", event: "check_suite.rerequested" });
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

export { fetchPull };
