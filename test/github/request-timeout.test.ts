/**
 * The request timeout bounds GitHub's answer, not the time a request waits in Probot's throttling
 * queue (writes go one a second per installation): under load a queued write is not a hung GitHub.
 * Each request is timed on its own, and the guard is the only retry policy: a write is sent once.
 */
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { guardRequests, RequestTimeoutError } from "../../src/github/http.js";

const policy = { timeoutMs: 200, retries: 0, backoffMs: 1, maxRetryAfterMs: 1, unansweredLooksMs: [] };

function client(transport: typeof fetch, queuedMs: number) {
  const octokit = new ProbotOctokit({ auth: "token", throttle: { enabled: false }, retry: { enabled: false }, request: { fetch: transport } } as never);
  // Registered first, so inside the guard: where plugin-throttling holds a request.
  octokit.hook.wrap("request", async (request, options) => {
    await new Promise((resolve) => setTimeout(resolve, queuedMs));
    return request(options);
  });
  guardRequests(octokit as never, policy);
  return octokit;
}

const answers: typeof fetch = () => Promise.resolve(new Response(JSON.stringify({ id: 1 }), { status: 201, headers: { "content-type": "application/json" } }));
const hangs: typeof fetch = (_input, init) => new Promise((_, reject) => init?.signal?.addEventListener("abort", () => reject(new Error("aborted"))));

describe("guardRequests", () => {
  it("does not count the time a write waits in the throttling queue", async () => {
    const octokit = client(answers, 600);
    const { status } = await octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "shop", name: "changegate", head_sha: "a".repeat(40) });
    expect(status).toBe(201);
  });

  it("still ends a request GitHub does not answer", async () => {
    const octokit = client(hangs, 0);
    await expect(octokit.request("POST /repos/{owner}/{repo}/check-runs", { owner: "acme", repo: "shop", name: "changegate", head_sha: "a".repeat(40) })).rejects.toBeInstanceOf(RequestTimeoutError);
  });
});

describe("guardRequests, with Probot's own plugins on", () => {
  const checkRun = { owner: "acme", repo: "shop", name: "changegate", head_sha: "a".repeat(40) };
  /** A client as the App gets it (retry plugin on), over `transport`. */
  function probotClient(transport: typeof fetch, retries = 0) {
    const octokit = new ProbotOctokit({ auth: "token", throttle: { enabled: false }, request: { fetch: transport } } as never);
    guardRequests(octokit as never, { ...policy, retries });
    return octokit;
  }

  it("sends a write once when GitHub answers 500 or does not answer: a second POST would be a second check run", async () => {
    for (const failing of [() => Promise.resolve(new Response("{}", { status: 500 })), hangs] as const) {
      let sent = 0;
      const octokit = probotClient((input, init) => {
        sent++;
        return (failing as typeof fetch)(input, init);
      });
      await expect(octokit.request("POST /repos/{owner}/{repo}/check-runs", checkRun)).rejects.toThrow();
      expect(sent).toBe(1);
    }
  }, 60_000);

  it("tries a read as often as its policy says, not that times Probot's retries", async () => {
    let sent = 0;
    const octokit = probotClient(() => {
      sent++;
      return Promise.resolve(new Response("{}", { status: 502 }));
    }, 2);
    await expect(octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "shop" })).rejects.toThrow();
    expect(sent).toBe(3);
  }, 60_000);

  it.each([
    ["a check-run create", 1, "POST /repos/{owner}/{repo}/check-runs", checkRun],
    ["a check-run update that appends annotations", 1, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: "acme", repo: "shop", check_run_id: 7, output: { title: "t", summary: "s", annotations: [{ path: "a.sql", start_line: 1, end_line: 1, annotation_level: "failure", message: "m" }] } }],
    ["a GraphQL mutation", 1, "POST /graphql", { query: "mutation { addStar(input: {starrableId: \"x\"}) { clientMutationId } }" }],
    ["a check-run update without annotations", 3, "PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}", { owner: "acme", repo: "shop", check_run_id: 7, status: "in_progress" }],
    ["adding labels", 3, "POST /repos/{owner}/{repo}/issues/{issue_number}/labels", { owner: "acme", repo: "shop", issue_number: 1, labels: ["changegate:needs-signoff"] }],
    ["removing a label", 3, "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", { owner: "acme", repo: "shop", issue_number: 1, name: "changegate:signed-off" }],
    ["requesting reviewers", 3, "POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers", { owner: "acme", repo: "shop", pull_number: 1, reviewers: ["alice"] }],
    ["a GraphQL query", 3, "POST /graphql", { query: "query { viewer { login } }" }],
  ])("%s is sent %i time(s) when GitHub does not answer: again only what is safe to repeat", async (_what, times, route, parameters) => {
    let sent = 0;
    const octokit = probotClient((input, init) => {
      sent++;
      return hangs(input, init);
    }, 2);
    await expect(octokit.request(route, parameters as never)).rejects.toBeInstanceOf(RequestTimeoutError);
    expect(sent).toBe(times);
  });

  it("times each request on its own when many share one client, and leaves the client's defaults as they were", async () => {
    const transport: typeof fetch = (input, init) => (String(input).includes("/check-runs") ? hangs(input, init) : answers(input, init));
    const octokit = probotClient(transport);
    const reads = Array.from({ length: 5 }, () => octokit.request("GET /repos/{owner}/{repo}", { owner: "acme", repo: "shop" }));
    const write = octokit.request("POST /repos/{owner}/{repo}/check-runs", checkRun).then(
      () => undefined,
      (error: unknown) => error,
    );
    const more = Array.from({ length: 5 }, () => octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", { owner: "acme", repo: "shop", pull_number: 1 }));
    expect((await Promise.all([...reads, ...more])).map((r) => r.status)).toEqual(Array(10).fill(201));
    const error = await write;
    expect(error).toBeInstanceOf(RequestTimeoutError);
    expect((error as RequestTimeoutError).route).toBe("POST /repos/{owner}/{repo}/check-runs");
    expect((octokit.request.endpoint.DEFAULTS.request as { fetch?: unknown }).fetch).toBe(transport);
  });
});
