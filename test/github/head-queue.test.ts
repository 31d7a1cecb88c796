/**
 * The head queue: deliveries for a head that is being evaluated wait in its queue and are
 * answered by the holder, coalesced where they carry nothing of their own. The planner is pure
 * (a table of batches); the in-process queue is driven by a drain the test controls, so the
 * interleaving is the one named, never a matter of timing.
 */
import { describe, expect, it } from "vitest";
import { planEvaluations, type PendingEvaluation } from "../../src/gate/coalesce.js";
import type { Trigger } from "../../src/gate/evaluate.js";
import { InProcessHeadLock, type DrainResult } from "../../src/github/head-lock.js";

const opened: Trigger = { kind: "pull_request", action: "opened" };
const reopened: Trigger = { kind: "pull_request", action: "reopened" };
const review: Trigger = { kind: "review", action: "submitted" };
const rerun: Trigger = { kind: "rerun", event: "check_run.rerequested" };
const push = (pusher: string): Trigger => ({ kind: "pull_request", action: "synchronize", before: "b".repeat(40), pusher });
const press = (user: string, delivery: string): Trigger => ({ kind: "button", user: { login: user, type: "User" }, runHeadSha: "a".repeat(40), delivery, at: "2026-12-01T10:00:00Z" });

let n = 0;
function entry(trigger: Trigger, over: Partial<PendingEvaluation> = {}): PendingEvaluation {
  n++;
  return { token: `t${n}`, delivery: over.delivery ?? `d${n}`, at: n, owner: "acme", repo: "shop", pullNumber: 1, trigger, ...over };
}

/** The plan as (pull, trigger kind/action, deliveries covered). */
function shape(batch: PendingEvaluation[]) {
  return planEvaluations(batch).map((p) => [p.pullNumber, p.trigger.kind === "button" ? `button:${p.trigger.user.login}` : "action" in p.trigger ? `${p.trigger.kind}.${p.trigger.action}` : p.trigger.kind, p.covers.map((c) => c.delivery)]);
}

describe("planEvaluations", () => {
  it.each<[string, () => PendingEvaluation[], unknown[]]>([
    ["one delivery: one evaluation", () => [entry(opened, { delivery: "a" })], [[1, "pull_request.opened", ["a"]]]],
    [
      "plain deliveries only: one evaluation, under the newest trigger, answering all",
      () => [entry(opened, { delivery: "a" }), entry(review, { delivery: "b" }), entry(reopened, { delivery: "c" })],
      [[1, "pull_request.reopened", ["c", "a", "b"]]],
    ],
    [
      "a press among plain deliveries: the press is evaluated with its own trigger and answers the plain ones",
      () => [entry(review, { delivery: "a" }), entry(press("dba", "p1"), { delivery: "p1" }), entry(rerun, { delivery: "c" })],
      [[1, "button:dba", ["p1", "a", "c"]]],
    ],
    [
      "two presses: two evaluations, in arrival order, none folded into the other",
      () => [entry(press("dba", "p1"), { delivery: "p1" }), entry(press("lead", "p2"), { delivery: "p2" })],
      [
        [1, "button:dba", ["p1"]],
        [1, "button:lead", ["p2"]],
      ],
    ],
    [
      "a redelivered press (same delivery id): one evaluation answering both",
      () => [entry(press("dba", "p1"), { delivery: "p1" }), entry(press("dba", "p1"), { delivery: "p1" })],
      [[1, "button:dba", ["p1", "p1"]]],
    ],
    [
      "a push keeps its pusher: its own evaluation, never folded",
      () => [entry(opened, { delivery: "a" }), entry(push("bob"), { delivery: "s1" }), entry(push("eve"), { delivery: "s2" })],
      [
        [1, "pull_request.synchronize", ["s1", "a"]],
        [1, "pull_request.synchronize", ["s2"]],
      ],
    ],
    [
      "two pull requests on one head: each its own evaluation",
      () => [entry(opened, { delivery: "a", pullNumber: 1 }), entry(opened, { delivery: "b", pullNumber: 2 }), entry(review, { delivery: "c", pullNumber: 1 })],
      [
        [1, "review.submitted", ["c", "a"]],
        [2, "pull_request.opened", ["b"]],
      ],
    ],
  ])("%s", (_name, batch, expected) => {
    expect(shape(batch())).toEqual(expected);
  });

  it("every submission is covered exactly once", () => {
    const batch = [entry(opened), entry(press("dba", "p1"), { delivery: "p1" }), entry(review), entry(push("bob")), entry(press("dba", "p1"), { delivery: "p1" }), entry(rerun, { pullNumber: 2 })];
    const covered = planEvaluations(batch).flatMap((p) => p.covers.map((c) => c.token));
    expect(covered.sort()).toEqual(batch.map((b) => b.token).sort());
  });
});

/** A drain the test releases batch by batch, recording what each batch held. */
function controlledDrain() {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const drain = async (batch: readonly PendingEvaluation[]): Promise<DrainResult> => {
    batches.push(batch.map((b) => b.delivery));
    const index = batches.length;
    await new Promise<void>((resolve) => gates.push(resolve));
    return { settled: new Map(batch.map((b) => [b.token, { ok: true, value: `answered ${b.delivery} in batch ${index}` }])), later: [] };
  };
  return {
    drain,
    batches,
    /** Resolves once a batch is being evaluated and waits to be let finish. */
    running: async () => {
      while (gates.length === 0) await new Promise((r) => setTimeout(r, 0));
    },
    /** Lets the batch being evaluated finish. */
    finish: () => gates.shift()!(),
  };
}

describe("the in-process head queue", () => {
  it("a burst while the head is held: one more evaluation after the current one, answering every delivery", async () => {
    const lock = new InProcessHeadLock();
    const d = controlledDrain();
    const first = lock.submit("acme/shop@a", entry(opened, { delivery: "first" }), d.drain);
    await d.running();
    const burst = ["r1", "r2", "r3", "r4"].map((id) => lock.submit("acme/shop@a", entry(review, { delivery: id }), d.drain));
    d.finish();
    await d.running();
    d.finish();
    const answers = await Promise.all([first, ...burst]);
    expect(d.batches).toEqual([["first"], ["r1", "r2", "r3", "r4"]]);
    expect(answers.map((a) => a.held)).toEqual([true, false, false, false, false]);
    expect(answers.map((a) => (a.settled?.ok ? a.settled.value : a.settled))).toEqual([
      "answered first in batch 1",
      "answered r1 in batch 2",
      "answered r2 in batch 2",
      "answered r3 in batch 2",
      "answered r4 in batch 2",
    ]);
  });

  it("different heads do not wait for each other", async () => {
    const lock = new InProcessHeadLock();
    const d = controlledDrain();
    const a = lock.submit("acme/shop@a", entry(opened, { delivery: "a" }), d.drain);
    await d.running();
    const e = controlledDrain();
    const b = lock.submit("acme/shop@b", entry(opened, { delivery: "b" }), e.drain);
    await e.running();
    e.finish();
    expect((await b).settled).toEqual({ ok: true, value: "answered b in batch 1" });
    d.finish();
    await a;
  });

  it("a failed evaluation is the answer of every delivery it covered; the head is let go", async () => {
    const lock = new InProcessHeadLock();
    const failing = async (batch: readonly PendingEvaluation[]): Promise<DrainResult> => ({ settled: new Map(batch.map((b) => [b.token, { ok: false, error: new Error("GitHub answered 502") }])), later: [] });
    const answer = await lock.submit("acme/shop@a", entry(opened), failing);
    expect(answer.settled).toMatchObject({ ok: false, error: { message: "GitHub answered 502" } });
    const d = controlledDrain();
    const again = lock.submit("acme/shop@a", entry(opened, { delivery: "next" }), d.drain);
    await d.running();
    d.finish();
    expect((await again).held).toBe(true);
  });

  it("deliveries whose pull request moved to another head are submitted there once this head is let go", async () => {
    const lock = new InProcessHeadLock();
    const order: string[] = [];
    const moved = async (batch: readonly PendingEvaluation[]): Promise<DrainResult> => {
      order.push("drained a");
      return { settled: new Map(), later: batch.map((b) => ({ token: b.token, run: async () => (order.push(`again ${b.delivery}`), "evaluated on b") })) };
    };
    const answer = await lock.submit("acme/shop@a", entry(review, { delivery: "r" }), moved);
    expect(answer.settled).toEqual({ ok: true, value: "evaluated on b" });
    expect(order).toEqual(["drained a", "again r"]);
  });

  it("a task under `run` on the same head (a failure written for it) and the queue exclude each other", async () => {
    const lock = new InProcessHeadLock();
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = lock.run("acme/shop@a", () => new Promise<void>((r) => (release = () => (order.push("run done"), r()))));
    const queued = lock.submit("acme/shop@a", entry(opened), async (batch) => {
      order.push("drain");
      return { settled: new Map(batch.map((b) => [b.token, { ok: true, value: 1 }])), later: [] };
    });
    await new Promise((r) => setTimeout(r, 5));
    release();
    await Promise.all([held, queued]);
    expect(order).toEqual(["run done", "drain"]);
  });
});
