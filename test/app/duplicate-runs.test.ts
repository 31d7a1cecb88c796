/**
 * One run per head is the rule, but GitHub can hold two of this app's runs on a head: replicas
 * without a shared lock racing on a new head, or a create whose answer was lost. Every one of them
 * shows the verdict (a stale success on one cannot let a merge through), and a create whose answer
 * was lost takes the run it made instead of creating a second.
 */
import { afterEach, describe, expect, it } from "vitest";
import { completeRun } from "../../src/github/checks.js";
import type { Octokit } from "../../src/github/octokit.js";
import { CHECK_NAME, type CheckRunPlan } from "../../src/report/check-run.js";
import { APP_ID, existingRun, finishHarness, harness, HEAD, HUNG_CALL_REQUESTS, pullRequestPayload, type Harness } from "./harness.js";
import { dropState, HUMAN, review, approval } from "../security/scenario.js";

let h: Harness | undefined;
afterEach(() => {
  h = undefined;
  expect(finishHarness()).toEqual([]);
});

const mine = () => h!.github.runsFor(HEAD).filter((r) => r.app.id === APP_ID);

describe("this app's runs on one head", () => {
  it("each show the verdict: a second run's old success is withdrawn with the first", async () => {
    const state = dropState();
    h = await harness(state);
    h.github.checkRuns.push(existingRun(500, HEAD, { conclusion: "action_required" }), existingRun(501, HEAD, { conclusion: "success" }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(mine().map((r) => [r.id, r.status, r.conclusion])).toEqual([
      [500, "completed", "action_required"],
      [501, "completed", "action_required"],
    ]);

    // Signed off: both pass, and the sign-off is the same on each.
    state.reviews = [review("alice")];
    await h.receive("pull_request_review", approval("alice"));
    expect(mine().map((r) => r.conclusion)).toEqual(["success", "success"]);
    expect(mine()[1]!.output.summary).toBe(mine()[0]!.output.summary);
  });

  it("a create whose answer is lost (GitHub made the run, then answered 502): the run is taken, not made twice", async () => {
    const state = dropState();
    let lost = 0;
    state.fault = (method, path) => (method === "POST" && path.endsWith("/check-runs") && lost++ === 0 ? { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" }, applied: true } : undefined);
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(lost).toBe(1);
    expect(mine().map((r) => [r.status, r.conclusion])).toEqual([["completed", "action_required"]]);
  });

  // A create that never answers, whose run GitHub makes only later: it shows at the `shows`-th
  // listing of the head's runs after the create was sent.
  async function lateRun(shows: number) {
    const state = dropState();
    let creates = 0;
    let listingsAfter = 0;
    state.fault = (method, path) => {
      if (method === "POST" && path.endsWith("/check-runs")) return creates++ === 0 ? "hang" : undefined;
      if (method === "GET" && path.endsWith(`/commits/${HEAD}/check-runs`) && creates > 0 && ++listingsAfter === shows) {
        h!.github.checkRuns.push(existingRun(700, HEAD, { status: "in_progress", conclusion: null }));
      }
      return undefined;
    };
    const waits: number[] = [];
    const sleep = (ms: number) => (waits.push(ms), Promise.resolve());
    h = await harness(state, { app: { requests: { ...HUNG_CALL_REQUESTS, unansweredLooksMs: [1_000, 3_000, 10_000], sleep } } });
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    // The retry backoffs of reads are 1 ms; the looks' waits are the policy's.
    return { creates, listingsAfter, looksWaited: waits.filter((ms) => ms >= 1_000) };
  }

  it("a create that got no answer, whose run shows only at a later look: the run is taken, not made twice", async () => {
    const { creates, listingsAfter, looksWaited } = await lateRun(3);
    expect(creates).toBe(1);
    expect(listingsAfter).toBe(3);
    expect(looksWaited).toEqual([1_000, 3_000]);
    expect(mine().map((r) => [r.id, r.status, r.conclusion])).toEqual([[700, "completed", "action_required"]]);
  });

  it("a create that got no answer, whose run shows after every look: the next create looks first and takes it", async () => {
    // The first create's four looks (at once, then after each of the three waits) find nothing;
    // the run shows by the time the verdict is written.
    const { creates, looksWaited } = await lateRun(5);
    expect(creates).toBe(1);
    expect(looksWaited).toEqual([1_000, 3_000, 10_000]);
    expect(mine().map((r) => [r.id, r.status, r.conclusion])).toEqual([[700, "completed", "action_required"]]);
  });

  it("a create refused outright (422) is not taken for one that was made", async () => {
    const state = dropState();
    state.fault = (method, path) => (method === "POST" && path.endsWith("/check-runs") ? { status: 422, body: { message: "Validation Failed" } } : undefined);
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN })).catch(() => undefined);
    expect(mine()).toEqual([]);
  });
});

describe("completeRun with a duplicate on the head", () => {
  it("writes the duplicate only beside a kept run: a create refused outright leaves it unwritten, and no write dangling", async () => {
    const updated: number[] = [];
    const fail = (status: number, message: string) => Promise.reject(Object.assign(new Error(message), { status }));
    const octokit = {
      rest: {
        checks: {
          create: () => fail(422, "Validation Failed"),
          update: ({ check_run_id }: { check_run_id: number }) => (updated.push(check_run_id), fail(500, "Server Error")),
        },
      },
    } as unknown as Octokit;
    const plan: CheckRunPlan = { name: CHECK_NAME, title: "t", summary: "s", text: "", conclusion: "failure", actions: [], annotationBatches: [], annotationsHash: "" };
    const duplicate = { id: 501, headSha: HEAD, status: "completed", conclusion: "success", output: { title: "", summary: "", text: "" } };
    const target = { repo: { owner: "o", repo: "r" }, headSha: HEAD, detailsUrl: "https://example.test", duplicates: [duplicate], appId: APP_ID };
    await expect(completeRun(octokit, target, undefined, plan)).rejects.toThrow("Validation Failed");
    expect(updated).toEqual([]);
  });
});
