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
import { APP_ID, existingRun, finishHarness, harness, HEAD, pullRequestPayload, type Harness } from "./harness.js";
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
