/**
 * Concurrency (issue 12, build item 4): pushes in quick succession, reviews arriving while an
 * evaluation is in flight, and two app instances on the same events. The fake's `hold` pauses
 * GitHub's replies so that the interleaving is the one named, not a matter of timing; the final
 * check run must reflect the newest head and the latest reviews. Two OS processes sharing Redis
 * are tested in test/e2e/redis.test.ts; here two Probot instances share one fake GitHub, with a
 * shared lock (as Redis gives) or none (each instance alone).
 */
import { afterEach, describe, expect, it } from "vitest";
import { decodeState } from "../../src/gate/state.js";
import { InProcessHeadLock } from "../../src/github/head-lock.js";
import { anotherInstance, finishHarness, harness, HEAD, pullRequestPayload, type Harness } from "../app/harness.js";
import { approval, DROP, dropState, HEAD2, HUMAN, MIGRATION, only, review } from "./scenario.js";

let h: Harness | undefined;
afterEach(() => expect(finishHarness()).toEqual([]));

const HEAD3 = "3333333333333333333333333333333333333333";
const T0 = Date.parse("2026-12-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
const NO_LOCK = { run: <T,>(_key: string, task: () => Promise<T>) => task() };

type Match = (method: string, path: string, query: Record<string, string>) => boolean;

/** A gate on replies: `hold(match)` pauses every reply `match` accepts until `release()`. */
function valve(h: Harness) {
  let open: () => void = () => undefined;
  let held: Match | undefined;
  let gate = Promise.resolve();
  h.github.state.hold = (method, path, query) => (held?.(method, path, query) ? gate : undefined);
  return {
    hold(match: Match) {
      gate = new Promise<void>((resolve) => (open = resolve));
      held = match;
    },
    /** New replies pass; those already held stay held until `release()`. */
    pass() {
      held = undefined;
    },
    release() {
      held = undefined;
      open();
    },
    /** Resolves once a request `match` accepts has been made. */
    async reached(match: Match) {
      while (!h.github.requests.some((r) => match(r.method, r.path, r.query))) await new Promise((r) => setTimeout(r, 2));
    },
  };
}

function push(state: ReturnType<typeof dropState>, head: string, before: string, sender: string, text = DROP) {
  state.pull.head = head;
  state.contents[head] = { [MIGRATION]: text };
  state.commits = [...state.commits, { sha: head, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
  const p = pullRequestPayload("synchronize", { head, before, author: HUMAN });
  p.sender = { ...p.sender, login: sender, type: "User" };
  return p;
}

const readsHead = (head: string): Match => (method, path, query) => method === "GET" && path.includes("/contents/db") && query.ref === head;
const readsContent: Match = (method, path) => method === "GET" && path.includes("/contents/db");

describe("two pushes in quick succession", () => {
  it("the second push is evaluated while the first is in flight: the newest head is judged, and the first push's pusher is not forgotten", async () => {
    const state = dropState();
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    const v = valve(h);
    // bob pushes; the evaluation of his head stalls reading it.
    v.hold(readsHead(HEAD2));
    const first = h.receive("pull_request", push(state, HEAD2, HEAD, "bob"));
    await v.reached(readsHead(HEAD2));
    // The author pushes again at once; that evaluation completes first.
    await h.receive("pull_request", push(state, HEAD3, HEAD2, "Codertocat"));
    v.release();
    await first;
    expect(only(h, HEAD3).conclusion).toBe("action_required");
    // bob pushed to this pull request, so his approval of the newest head cannot count.
    state.reviews = [review("bob", HEAD3)];
    await h.receive("pull_request_review", approval("bob", "User", HEAD3));
    expect(only(h, HEAD3).conclusion).toBe("action_required");
    expect(decodeState(only(h, HEAD3).output.text)?.pushers).toContain("bob");
  });

  it("a push that adds a DROP while the previous head's approval is being evaluated: the newest head is not signed off", async () => {
    const state = dropState({ reviews: [review("alice")] });
    h = await harness(state);
    const v = valve(h);
    v.hold(readsHead(HEAD));
    const approved = h.receive("pull_request_review", approval("alice"));
    await v.reached(readsHead(HEAD));
    await h.receive("pull_request", push(state, HEAD2, HEAD, "Codertocat", `${DROP}DROP TABLE orders;\n`));
    v.release();
    await approved;
    expect(only(h, HEAD2).conclusion).toBe("action_required");
  });
});

const pullReads = () => h!.github.requests.filter((r) => r.method === "GET" && /\/pulls\/\d+$/.test(r.path)).length;

describe("reading the pull request", () => {
  it("a delivery on a free head is evaluated on the pull request as it read it: one read", async () => {
    h = await harness(dropState());
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(pullReads()).toBe(1);
  });
});

describe("reviews while an evaluation is in flight", () => {
  it("an approval arriving while the push is evaluated is counted: the final run is success", async () => {
    const state = dropState();
    h = await harness(state);
    const v = valve(h);
    v.hold(readsContent);
    const opened = h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    await v.reached(readsContent);
    state.reviews = [review("alice")];
    const approved = h.receive("pull_request_review", approval("alice"));
    // The approval's delivery has read the pull request, and waits in the head's queue.
    while (pullReads() < 2) await new Promise((r) => setTimeout(r, 2));
    v.release();
    await Promise.all([opened, approved]);
    expect(only(h, HEAD).conclusion).toBe("success");
    // The push was evaluated on its own read; the approval, which waited, read the pull request again.
    expect(pullReads()).toBe(3);
  });

  it("changes requested while the approval is evaluated: the final run is not success", async () => {
    const state = dropState({ reviews: [review("alice")] });
    h = await harness(state);
    const v = valve(h);
    v.hold(readsContent);
    const approved = h.receive("pull_request_review", approval("alice"));
    await v.reached(readsContent);
    state.reviews.push(review("alice", HEAD, "2024-01-03T00:00:00Z", "CHANGES_REQUESTED"));
    const withdrawn = h.receive("pull_request_review", approval("alice"));
    v.release();
    await Promise.all([approved, withdrawn]);
    expect(only(h, HEAD).conclusion).toBe("action_required");
  });
});

describe("two app instances on the same events", () => {
  it.each([
    ["sharing one lock (as Redis gives)", true],
    ["with no shared lock (each alone)", false],
  ])("%s: a withdrawal handled by one while the other evaluates the approval leaves the run held", async (_what, shared) => {
    let now = T0;
    const lock = shared ? new InProcessHeadLock() : NO_LOCK;
    const state = dropState({ reviews: [review("alice")] });
    h = await harness(state, { now: () => now, app: { lock } });
    const other = await anotherInstance({ now: () => now, app: { lock: shared ? lock : NO_LOCK } });
    const v = valve(h);
    v.hold(readsContent);
    const approved = h.receive("pull_request_review", approval("alice"));
    await v.reached(readsContent);
    v.pass();
    now = T0 + 5_000;
    state.reviews.push(review("alice", HEAD, iso(T0 + 5_000), "CHANGES_REQUESTED"));
    const withdrawn = other.receive("pull_request_review", approval("alice"));
    // With a shared lock the second waits for the first; without, it may finish first.
    if (!shared) await withdrawn;
    v.release();
    await Promise.all([approved, withdrawn]);
    expect(only(h, HEAD).conclusion).toBe("action_required");
  });

  it.each([
    ["sharing one lock (as Redis gives)", true],
    ["with no shared lock (each alone)", false],
  ])("%s: the same push delivered to both, and an approval to one: the run GitHub shows is success", async (_what, shared) => {
    const lock = shared ? new InProcessHeadLock() : NO_LOCK;
    const state = dropState();
    h = await harness(state, { app: { lock } });
    const other = await anotherInstance({ app: { lock: shared ? lock : NO_LOCK } });
    const opened = pullRequestPayload("opened", { author: HUMAN });
    await Promise.all([h.receive("pull_request", opened, "same-delivery"), other.receive("pull_request", opened, "same-delivery")]);
    state.reviews = [review("alice")];
    await Promise.all([h.receive("pull_request_review", approval("alice")), other.receive("pull_request", opened)]);
    // Two instances with nothing shared can each create a run for the same delivery; every later
    // evaluation writes its verdict to each of them, so none is left behind, held or passing.
    if (shared) expect(only(h, HEAD).conclusion).toBe("success");
    else expect(h.github.runsFor(HEAD).map((r) => r.conclusion)).toEqual(h.github.runsFor(HEAD).map(() => "success"));
  });

  it("pushes delivered to different instances: the newest head's run is the newest evaluation and keeps every pusher", async () => {
    const state = dropState();
    h = await harness(state, { app: { lock: NO_LOCK } });
    const other = await anotherInstance({ app: { lock: NO_LOCK } });
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    const v = valve(h);
    v.hold(readsHead(HEAD2));
    const first = h.receive("pull_request", push(state, HEAD2, HEAD, "bob"));
    await v.reached(readsHead(HEAD2));
    await other.receive("pull_request", push(state, HEAD3, HEAD2, "Codertocat"));
    v.release();
    await first;
    state.reviews = [review("bob", HEAD3)];
    await other.receive("pull_request_review", approval("bob", "User", HEAD3));
    expect(only(h, HEAD3).conclusion).toBe("action_required");
  });
});
