/**
 * The defects found by attacking the App end to end (issue 12), one test each, reproducing the
 * attack against the fake GitHub: each asserts the check does not pass when it must not.
 */
import { afterEach, describe, expect, it } from "vitest";
import { coAuthorTrailers, agentCoAuthors } from "../../src/policy/agents.js";
import { committerLogins } from "../../src/policy/pull-facts.js";
import { decodeState } from "../../src/gate/state.js";
import { BASE_REF, existingRun, finishHarness, harness, HEAD, HUNG_CALL_REQUESTS, payload, POLICY, pullRequestPayload, type Harness } from "../app/harness.js";
import { approval, DROP, dropState, HEAD2, HUMAN, MIGRATION, only, PASSING, press, rerun, review, shown } from "./scenario.js";

let h: Harness | undefined;
afterEach(() => expect(finishHarness()).toEqual([]));

const T0 = Date.parse("2026-12-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

describe("1. an old success never survives a failed re-evaluation", () => {
  async function signedOff(over: Parameters<typeof dropState>[0] = {}) {
    const state = dropState({ reviews: [review("alice")], ...over });
    h = await harness(state);
    await h.receive("pull_request_review", approval("alice"));
    expect(only(h, HEAD).conclusion).toBe("success");
    return state;
  }

  it("the pull request cannot be read while the signer requests changes: the run fails", async () => {
    const state = await signedOff();
    state.reviews.push(review("alice", HEAD, "2024-01-03T00:00:00Z", "CHANGES_REQUESTED"));
    state.fault = (method, path) => (method === "GET" && path.endsWith("/pulls/2") ? { status: 500 } : undefined);
    await expect(h!.receive("pull_request_review", approval("alice"))).rejects.toThrow();
    expect(PASSING).not.toContain(shown(h!, HEAD)!.conclusion);
    expect(shown(h!, HEAD)!.actions).toContainEqual(expect.objectContaining({ identifier: "rerun" }));
  });

  it("listing the check runs fails while a review is dismissed: a new failing run supersedes the success", async () => {
    const state = await signedOff();
    state.reviews = [review("alice", HEAD, "2024-01-02T00:00:00Z", "DISMISSED")];
    state.fault = (method, path) => (method === "GET" && path.endsWith("/check-runs") ? { status: 502, body: "<html>Bad Gateway</html>", headers: { "content-type": "text/html" } } : undefined);
    await expect(h!.receive("pull_request_review", payload("pull_request_review.dismissed"))).rejects.toThrow();
    expect(shown(h!, HEAD)!.conclusion).toBe("failure");
    expect(shown(h!, HEAD)!.output.summary).toMatch(/re-run/i);
  });

  it("the installation token cannot be had: nothing can be written, so the evaluation runs again once GitHub answers", async () => {
    const tasks: (() => Promise<unknown>)[] = [];
    const state = dropState({ reviews: [review("alice", HEAD, "2024-01-02T00:00:00Z", "DISMISSED")] });
    state.fault = (method, path) => (path.endsWith("/access_tokens") ? { status: 500 } : undefined);
    h = await harness(state, { app: { schedule: (task) => tasks.push(task), retryDelaysMs: [1000] } });
    h.github.checkRuns.push(existingRun(1, HEAD, { conclusion: "success" }));
    await expect(h.receive("pull_request_review", payload("pull_request_review.dismissed"))).rejects.toThrow();
    expect(tasks).toHaveLength(1);
    state.fault = undefined;
    await tasks[0]!();
    expect(PASSING).not.toContain(shown(h, HEAD)!.conclusion);
    expect(shown(h, HEAD)!.conclusion).toBe("action_required");
  });

  it("a re-evaluation sets an existing success back to in progress before anything slow", async () => {
    const state = await signedOff();
    state.reviews.push(review("alice", HEAD, "2024-01-03T00:00:00Z", "CHANGES_REQUESTED"));
    const before = h!.github.requests.length;
    await h!.receive("pull_request_review", approval("alice"));
    const writes = h!.github.requests.slice(before).filter((r) => r.method === "PATCH");
    expect((writes[0]!.body as { status: string }).status).toBe("in_progress");
    expect(only(h!, HEAD).conclusion).toBe("action_required");
  });
});

it("2. a file the pull request lists but whose read answers 404 is incomplete analysis, never absent", async () => {
  h = await harness(dropState({ failContent: (ref, path) => (ref === HEAD && path === MIGRATION ? 404 : undefined) }));
  await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
  const r = only(h, HEAD);
  expect(PASSING).not.toContain(r.conclusion);
  expect(r.output.summary).toContain("404");
  expect(r.actions).toContainEqual(expect.objectContaining({ identifier: "rerun" }));
});

it("3. a force-push a second after an approval does not carry the approval to the new head", async () => {
  let now = T0;
  const state = dropState();
  h = await harness(state, { now: () => now });
  await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
  now = T0 + 60_000;
  state.reviews = [review("alice", HEAD, iso(T0 + 60_000))];
  now = T0 + 61_000;
  await h.receive("pull_request_review", approval("alice"));
  expect(only(h, HEAD).conclusion).toBe("success");
  // The agent force-pushes a second DROP one second after the approval; GitHub re-points the review.
  now = T0 + 62_000;
  state.pull.head = HEAD2;
  state.contents[HEAD2] = { [MIGRATION]: `${DROP}DROP TABLE orders;\n` };
  state.commits = [{ sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
  state.reviews = [review("alice", HEAD2, iso(T0 + 61_000))];
  await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN }));
  expect(only(h, HEAD2).conclusion).toBe("action_required");
});

it("5. a redelivered button press after the signer requested changes does not sign off again", async () => {
  let now = T0;
  const state = dropState();
  h = await harness(state, { now: () => now });
  await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
  const pressed = press(h, HEAD, "alice");
  now = T0 + 10_000;
  await h.receive("check_run", pressed, "press-delivery-1");
  expect(only(h, HEAD).conclusion).toBe("success");
  now = T0 + 20_000;
  state.reviews = [review("alice", HEAD, iso(T0 + 20_000), "CHANGES_REQUESTED")];
  await h.receive("pull_request_review", approval("alice"));
  expect(only(h, HEAD).conclusion).toBe("action_required");
  // GitHub redelivers the press (same id, same payload) an hour later.
  now = T0 + 3_600_000;
  await h.receive("check_run", pressed, "press-delivery-1");
  expect(only(h, HEAD).conclusion).toBe("action_required");
  expect(decodeState(only(h, HEAD).output.text)?.presses).toContain("press-delivery-1");
});

it("6. across two app processes, an older evaluation never writes over a newer one", async () => {
  let now = T0;
  let release: () => void = () => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let holding = true;
  const state = dropState({ reviews: [review("alice")] });
  // No shared lock: each delivery runs as if in its own process.
  h = await harness(state, { now: () => now, app: { lock: { run: (_key, task) => task() } } });
  state.hold = (method, path) => (holding && method === "GET" && path.includes("/contents/db") ? gate : undefined);
  const older = h.receive("pull_request_review", approval("alice"));
  while (!h.github.requests.some((r) => r.path.includes("/contents/db"))) await new Promise((r) => setTimeout(r, 5));
  holding = false;
  // Meanwhile alice withdraws, and a second process evaluates that first.
  now = T0 + 5_000;
  state.reviews.push(review("alice", HEAD, "2024-01-03T00:00:00Z", "CHANGES_REQUESTED"));
  await h.receive("pull_request_review", approval("alice"));
  expect(only(h, HEAD).conclusion).toBe("action_required");
  release();
  await older;
  expect(only(h, HEAD).conclusion).toBe("action_required");
  expect(h.logs.some((l) => l.obj.reason === "a newer evaluation wrote this run meanwhile")).toBe(true);
});

describe("7. the merge queue fails closed on anything it cannot trace", () => {
  const repo = { owner: "octo-org", repo: "octo-repo" };
  const base = "380387fbc80638b734a49e1be1c4dfec1c01b33c";
  const OTHER = "4444444444444444444444444444444444444444";

  it("a rebase-method group whose commits name no pull request is not judged by the last pull request alone", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness({
      ...dropState(),
      ...repo,
      pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN },
      groupCommits: [{ sha: OTHER, message: "Drop the orders table" }, { sha: group.merge_group.head_sha, message: "Update README" }],
      associated: {},
      commits: [{ sha: HEAD, author: { login: "octocat" } }],
    });
    h.github.checkRuns.push(existingRun(1, HEAD, { conclusion: "success" }));
    await h.receive("merge_group", group);
    const r = h.github.runsFor(group.merge_group.head_sha).find((x) => x.id > 1)!;
    expect(r.conclusion).toBe("failure");
    expect(r.output.summary).toContain("traces to no pull request");
  });

  it("a group whose comparison cannot be read fails, even when the queue branch's pull request is signed off", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness({
      ...dropState(),
      ...repo,
      pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN },
      fault: (method, path) => (path.includes("/compare/") ? { status: 500 } : undefined),
    });
    h.github.checkRuns.push(existingRun(1, HEAD, { conclusion: "success" }));
    await h.receive("merge_group", group);
    const r = h.github.runsFor(group.merge_group.head_sha).find((x) => x.id > 1)!;
    expect(r.conclusion).toBe("failure");
    expect(r.output.summary).toContain("could not be traced");
  });

  it("control: a commit GitHub associates with a signed-off pull request passes", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness({
      ...dropState(),
      ...repo,
      pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN },
      groupCommits: [{ sha: OTHER, message: "Drop the orders table" }],
      associated: { [OTHER]: [104] },
    });
    h.github.checkRuns.push(existingRun(1, HEAD, { conclusion: "success" }));
    await h.receive("merge_group", group);
    expect(h.github.runsFor(group.merge_group.head_sha).find((x) => x.id > 1)!.conclusion).toBe("success");
  });
});

it("8. the co-author trailer reader is linear: a trailer followed by 100 KB of spaces is read at once", () => {
  const hostile = `Fix\n\nCo-authored-by:${" ".repeat(100_000)}x\nCo-authored-by: ${"<".repeat(50_000)}${" ".repeat(50_000)}`;
  expect(coAuthorTrailers(hostile)).toEqual([]);
  expect(agentCoAuthors(hostile)).toEqual([]);
  expect(committerLogins([{ sha: "a", message: hostile }])).toEqual([]);
  expect(coAuthorTrailers("x\nCo-authored-by:   Bob   <4242+bob@users.noreply.github.com>  \n")).toEqual([{ name: "Bob", email: "4242+bob@users.noreply.github.com" }]);
});

it("10. whoever pushed is remembered through a failed evaluation and cannot sign off after it", async () => {
  const state = dropState();
  h = await harness(state);
  await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
  state.pull.head = HEAD2;
  state.contents[HEAD2] = { [MIGRATION]: DROP };
  state.commits = [...state.commits, { sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
  state.failContent = (ref, path) => (ref === BASE_REF && path === POLICY ? 500 : undefined);
  const pushed = pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN });
  pushed.sender = { ...pushed.sender, login: "bob", type: "User" };
  await h.receive("pull_request", pushed);
  expect(only(h, HEAD2).conclusion).toBe("failure");
  expect(decodeState(only(h, HEAD2).output.text)?.pushers).toContain("bob");
  state.failContent = undefined;
  state.reviews = [review("bob", HEAD2)];
  await h.receive("pull_request_review", approval("bob", "User", HEAD2));
  expect(only(h, HEAD2).conclusion).toBe("action_required");
  expect(only(h, HEAD2).output.summary).toContain("pushed or committed");
});

describe("13. a hung GitHub call ends at the timeout", () => {
  it("a read that hangs every time fails closed with a re-run button and says so; a re-run after healing gives the verdict", async () => {
    const state = dropState({ fault: (method, path) => (method === "GET" && path.includes("/contents/db") ? "hang" : undefined) });
    h = await harness(state, { app: { requests: HUNG_CALL_REQUESTS } });
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    const r = only(h, HEAD);
    expect(r.conclusion).toBe("failure");
    expect(r.output.summary).toContain("did not answer");
    expect(r.actions).toContainEqual(expect.objectContaining({ identifier: "rerun" }));
    state.fault = undefined;
    await h.receive("check_run", rerun(h, HEAD));
    expect(only(h, HEAD).conclusion).toBe("action_required");
  });

  it("a read that hangs once is retried and the evaluation completes", async () => {
    let hangs = 1;
    h = await harness(dropState({ fault: (method, path) => (method === "GET" && path.includes("/contents/db") && hangs-- > 0 ? "hang" : undefined) }), { app: { requests: HUNG_CALL_REQUESTS } });
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(only(h, HEAD).conclusion).toBe("action_required");
  });
});

it("14. a base policy that answers 404 while the base branch lists it fails closed, never the defaults", async () => {
  const strict = "version: 1\nrules:\n  - name: Frozen\n    when: { findings: [\"sql/*\"] }\n    block: frozen\n";
  h = await harness(dropState({ contents: { [BASE_REF]: { [POLICY]: strict }, [HEAD]: { [MIGRATION]: DROP } }, failContent: (ref, path) => (ref === BASE_REF && path === POLICY ? 404 : undefined) }));
  await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
  const r = only(h, HEAD);
  expect(r.conclusion).toBe("failure");
  expect(r.output.summary).toContain("though the base branch lists it");
  expect(r.actions).toContainEqual(expect.objectContaining({ identifier: "rerun" }));
});
