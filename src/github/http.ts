/**
 * A bound on every GitHub request, and retries of the idempotent ones. Without it a hung call
 * waits for the HTTP client's default of five minutes while the old verdict stands. Each request
 * gets a timeout; a request that is safe to send again (a read, or a write that sets what it sets
 * whatever it finds: see `safeToRepeat`) and times out, hits a network error, a 5xx, a 429 or a
 * secondary rate limit is tried again after a backoff (or GitHub's `retry-after`, when it is
 * short enough). Any other write is sent once, here and by Probot's retry plugin (which would
 * send a timed-out check-run create again, making a second run): the gate decides what to do.
 */
import type { Octokit } from "./octokit.js";
import { statusOf } from "./octokit.js";

export interface RequestPolicy {
  /** Per attempt. */
  timeoutMs: number;
  /** Further attempts of a GET or HEAD. */
  retries: number;
  /** First backoff; doubled each time. */
  backoffMs: number;
  /** A `retry-after` longer than this is not waited for: the request fails (and the check with it). */
  maxRetryAfterMs: number;
  /**
   * After a create got no answer: the waits before each further look for what it made. GitHub
   * can still act on a request after the client stopped waiting for its answer.
   */
  unansweredLooksMs: readonly number[];
  /** Waits (tests: a fake). */
  sleep?: (ms: number) => Promise<void>;
}

export const DEFAULT_REQUEST_POLICY: RequestPolicy = { timeoutMs: 10_000, retries: 2, backoffMs: 500, maxRetryAfterMs: 10_000, unansweredLooksMs: [1_000, 3_000, 10_000] };

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

const policies = new WeakMap<object, RequestPolicy & { sleep: (ms: number) => Promise<void> }>();

/** The policy a client's requests are guarded by (the default for a client not guarded). */
export function requestPolicyOf(octokit: Octokit): RequestPolicy & { sleep: (ms: number) => Promise<void> } {
  return policies.get(octokit) ?? { ...DEFAULT_REQUEST_POLICY, sleep: realSleep };
}

/** The error a timed-out request fails with: says which request and how long it was given. */
export class RequestTimeoutError extends Error {
  constructor(
    readonly route: string,
    readonly timeoutMs: number,
  ) {
    super(`GitHub did not answer ${route} within ${Math.round(timeoutMs / 100) / 10} s`);
    this.name = "RequestTimeoutError";
  }
}

export function guardRequests(octokit: Octokit, policy: RequestPolicy = DEFAULT_REQUEST_POLICY): void {
  if (policies.has(octokit)) return;
  const sleep = policy.sleep ?? realSleep;
  policies.set(octokit, { ...policy, sleep });
  octokit.hook.wrap("request", async (request, options) => {
    const method = String(options.method ?? "GET").toUpperCase();
    const route = `${method} ${String(options.url)}`;
    const idempotent = safeToRepeat(route, options as Record<string, unknown>);
    // The clock starts when the request goes to the transport, not while Probot's throttling
    // holds it in its queue (writes go one a second per installation): a busy installation's
    // queued write is not a GitHub that does not answer. Hooks inside this one (throttling,
    // retries) receive the same options object whatever is passed on, so the transport is
    // replaced on it: on a copy of its `request` options, which may be the client's defaults,
    // shared by every request the client sends at once.
    const shared = (options.request ?? {}) as { fetch?: typeof fetch };
    const transport = shared.fetch;
    for (let attempt = 0; ; attempt++) {
      let timedOut = false;
      const timedFetch: typeof fetch = (input, init) => {
        const controller = new AbortController();
        const upstream = init?.signal;
        if (upstream) {
          if (upstream.aborted) controller.abort(upstream.reason);
          else upstream.addEventListener("abort", () => controller.abort(upstream.reason), { once: true });
        }
        let timer: ReturnType<typeof setTimeout> | undefined;
        // The race ends the wait even where a transport ignores the abort signal.
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            timedOut = true;
            controller.abort();
            reject(new RequestTimeoutError(route, policy.timeoutMs));
          }, policy.timeoutMs);
        });
        return Promise.race([(transport ?? globalThis.fetch)(input, { ...init, signal: controller.signal }), timeout]).finally(() => clearTimeout(timer));
      };
      try {
        // This is the only retry policy: `retries: 0` keeps Probot's retry plugin from sending
        // a write again, or multiplying a read's attempts.
        options.request = { ...shared, fetch: timedFetch, retries: 0 } as typeof options.request;
        return await request(options);
      } catch (error) {
        const failure = timedOut ? new RequestTimeoutError(route, policy.timeoutMs) : error;
        const wait = idempotent && attempt < policy.retries ? retryDelay(error, timedOut, attempt, policy) : undefined;
        if (wait === undefined) throw failure;
        await sleep(wait);
      }
    }
  });
}

/** Writes that leave the same result however often they arrive: adding a label or a reviewer already there is no change. */
const REPEATABLE_WRITES: ReadonlySet<string> = new Set([
  "POST /repos/{owner}/{repo}/issues/{issue_number}/labels",
  "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
  "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers",
]);

/**
 * Whether sending the request twice leaves what sending it once does. A check-run update sets the
 * run's status, output and buttons, except that annotations append (twice would show them twice);
 * a create makes a run each time (src/github/checks.ts looks for the run a lost answer made).
 */
export function safeToRepeat(route: string, options: Record<string, unknown>): boolean {
  const method = route.slice(0, route.indexOf(" "));
  if (method === "GET" || method === "HEAD") return true;
  if (REPEATABLE_WRITES.has(route)) return true;
  if (route === "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}") {
    const output = options.output as { annotations?: unknown[] } | undefined;
    return !output?.annotations || output.annotations.length === 0;
  }
  // A GraphQL query reads; a mutation writes.
  if (route === "POST /graphql") return typeof options.query === "string" && options.query.trimStart().startsWith("query ");
  return false;
}

/** How long to wait before trying again, or undefined when this failure is not worth a retry. */
function retryDelay(error: unknown, timedOut: boolean, attempt: number, policy: RequestPolicy): number | undefined {
  const backoff = policy.backoffMs * 2 ** attempt;
  if (timedOut) return backoff;
  const status = statusOf(error);
  if (status === undefined || status >= 500) return backoff;
  if (status === 429 || status === 403) {
    const headers = (error as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
    const message = error instanceof Error ? error.message : "";
    const secondary = /secondary rate limit/i.test(message) || headers["retry-after"] !== undefined;
    if (status === 403 && !secondary && headers["x-ratelimit-remaining"] !== "0") return undefined; // a real "forbidden"
    const after = Number(headers["retry-after"]);
    const ms = Number.isFinite(after) && after >= 0 ? after * 1000 : backoff;
    return ms <= policy.maxRetryAfterMs ? Math.max(ms, backoff) : undefined;
  }
  return undefined;
}
