/**
 * The request timeout bounds GitHub's answer, not the time a request waits in Probot's throttling
 * queue (writes go one a second per installation): under load a queued write is not a hung GitHub.
 */
import { ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { guardRequests, RequestTimeoutError } from "../../src/github/http.js";

const policy = { timeoutMs: 200, retries: 0, backoffMs: 1, maxRetryAfterMs: 1 };

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
