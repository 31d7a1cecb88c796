/**
 * Adversarial tests: ways someone might try to get the gate to pass what it should not. Each
 * case is a real app run against the stateful fake GitHub (every request checked against the
 * OpenAPI description); the pure cases (state block, output sizes) call the modules directly.
 * The attempts issue 12 names (ineligible approvals and presses, pushers, a push after an
 * approval, hand-added labels, retargeting, an unsigned pull request in a merge group, …) are in
 * the bypass catalogue, test/security/bypasses.test.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import { decodeState, encodeState, mergeStates, STATE_VERSION, type GateState } from "../../src/gate/state.js";
import type { Finding } from "../../src/model/finding.js";
import { decide } from "../../src/policy/decide.js";
import { DEFAULT_POLICY } from "../../src/policy/load.js";
import { ANNOTATIONS_PER_REQUEST, OUTPUT_LIMIT, planCheckRun } from "../../src/report/check-run.js";
import type { FakeCheckRun, FakeState } from "../fakes/github.js";
import { APP_ID, BASE, BASE_REF, defaultState, harness, HEAD, MERGE_BASE, payload, POLICY, PR, pullRequestPayload, finishHarness, existingRun, type Harness, type Payload } from "./harness.js";

const MIGRATION = "db/migrate/20240101000000_drop_users.sql";
const DROP = "-- remove the old table\nDROP TABLE users;\n";
const HEAD2 = "2222222222222222222222222222222222222222";
const OLD = "1111111111111111111111111111111111111111";
const HUMAN = { login: "Codertocat", type: "User" };

/** A person's pull request adding a migration that drops a table; alice (write) is the only eligible reviewer. */
function humanDropState(over: Partial<FakeState> = {}): FakeState {
  return defaultState({
    pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author: HUMAN },
    files: [{ path: MIGRATION, status: "added" }],
    contents: { [HEAD]: { [MIGRATION]: DROP } },
    commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }],
    permissions: { alice: "write", bob: "write", rita: "read", tess: "triage", Codertocat: "admin", Copilot: "admin" },
    ...over,
  });
}

let h: Harness | undefined;
afterEach(() => expect(finishHarness()).toEqual([]));

function mine(sha: string): FakeCheckRun {
  const runs = h!.github.runsFor(sha).filter((r) => r.app.id === APP_ID);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

function approval(login: string, type = "User", commit = HEAD): Payload {
  const p = payload("pull_request_review.submitted");
  p.review.user.login = login;
  p.review.user.type = type;
  p.review.state = "approved";
  p.review.commit_id = commit;
  return p;
}

function review(user: string, commit = HEAD, at = "2024-01-02T00:00:00Z", state: "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED" = "APPROVED", type = "User") {
  return { user, type, state, commit_id: commit, submitted_at: at };
}

/** A `Sign off` press on this app's run of `sha`, as GitHub would send it. */
function press(sha: string, login: string, type = "User"): Payload {
  const p = payload("check_run.requested_action");
  const r = mine(sha);
  p.check_run.id = r.id;
  p.check_run.head_sha = sha;
  p.check_run.output = { ...p.check_run.output, title: r.output.title, summary: r.output.summary, text: r.output.text };
  p.sender = { ...p.sender, login, type };
  return p;
}

describe("who may not sign off", () => {
  it("ignores an approval whose permission lookup fails (500)", async () => {
    h = await harness(
      humanDropState({
        reviews: [review("alice")],
        failRoute: (method, path) => (method === "GET" && path.endsWith("/collaborators/alice/permission") ? 500 : undefined),
      }),
    );
    await h.receive("pull_request_review", approval("alice"));
    const r = mine(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain("could not check alice's permission");
  });

  it("counts the same person once, however often they approve", async () => {
    const policy = "version: 1\nrules:\n  - name: Two people\n    when: { findings: [\"sql/drop-*\"] }\n    require: { approvals: 2 }\n";
    h = await harness(
      humanDropState({
        contents: { [BASE_REF]: { [POLICY]: policy }, [HEAD]: { [MIGRATION]: DROP } },
        reviews: [review("alice", HEAD, "2024-01-02T00:00:00Z"), review("alice", HEAD, "2024-01-03T00:00:00Z"), review("alice", HEAD, "2024-01-04T00:00:00Z")],
      }),
    );
    await h.receive("pull_request_review", approval("alice"));
    const r = mine(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain("1/2");
  });
});

describe("sign-offs are bound to what was reviewed", () => {
  it("an approval on a commit the app never evaluated does not carry over to a gating head", async () => {
    h = await harness(
      humanDropState({
        commits: [
          { sha: OLD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } },
          { sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } },
        ],
        reviews: [review("alice", OLD)],
      }),
    );
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD, before: OLD, author: HUMAN }));
    const r = mine(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain("no findings digest was recorded");
  });

  it("an approval GitHub re-points at a force-pushed head is bound to the head it was given on", async () => {
    let now = Date.parse("2024-01-01T00:00:00Z");
    const state = humanDropState();
    h = await harness(state, { now: () => now });
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    now = Date.parse("2024-01-02T01:00:00Z");
    state.reviews = [review("alice", HEAD, "2024-01-02T00:00:00Z")];
    await h.receive("pull_request_review", approval("alice"));
    expect(mine(HEAD).conclusion).toBe("success");

    // The author force-pushes a second DROP; GitHub now reports alice's old review on the new head.
    now = Date.parse("2024-01-03T00:00:00Z");
    state.pull.head = HEAD2;
    state.contents[HEAD2] = { [MIGRATION]: `${DROP}DROP TABLE orders;\n` };
    state.commits = [{ sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    state.reviews = [review("alice", HEAD2, "2024-01-02T00:00:00Z")];
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN }));
    expect(mine(HEAD2).conclusion).toBe("action_required");
    expect(mine(HEAD2).output.summary).toContain(`signed off on ${HEAD.slice(0, 7)}`);
    expect(mine(HEAD2).output.summary).toContain("gating findings changed");

    // A patch-identical rebase keeps the findings, so the re-pointed approval still covers them.
    now = Date.parse("2024-01-04T00:00:00Z");
    const HEAD3 = "3333333333333333333333333333333333333333";
    state.pull.head = HEAD3;
    state.contents[HEAD3] = { [MIGRATION]: DROP };
    state.commits = [{ sha: HEAD3, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    state.reviews = [review("alice", HEAD3, "2024-01-02T00:00:00Z")];
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD3, before: HEAD2, author: HUMAN }));
    expect(mine(HEAD3).conclusion).toBe("success");
  });

  it("a later dismissal of the approval withdraws it", async () => {
    const state = humanDropState({ reviews: [review("alice")] });
    h = await harness(state);
    await h.receive("pull_request_review", approval("alice"));
    expect(mine(HEAD).conclusion).toBe("success");
    state.reviews = [review("alice", HEAD, "2024-01-02T00:00:00Z", "DISMISSED")];
    await h.receive("pull_request_review", payload("pull_request_review.dismissed"));
    expect(mine(HEAD).conclusion).toBe("action_required");
  });
});

describe("the hidden state block", () => {
  function forged(state: Partial<GateState> = {}): string {
    return encodeState({ v: STATE_VERSION, seq: Number.MAX_SAFE_INTEGER, pr: PR, head: HEAD, digest: "x", digests: { [HEAD]: "x" }, signoffs: [{ user: "alice", userType: "User", headSha: HEAD, at: "2024-01-02T00:00:00Z" }], ...state });
  }

  it("ignores another app's run named changegate, whatever state and conclusion it carries", async () => {
    h = await harness(humanDropState());
    h.github.checkRuns.push(existingRun(1, HEAD, { app: { id: 999 }, output: { title: "", summary: "", text: forged() } }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    const r = mine(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(decodeState(r.output.text)?.signoffs).toEqual([]);
    expect(h.github.checkRuns.find((c) => c.id === 1)!.writes).toBe(1);
  });

  it("ignores this app's state from another pull request's run on a shared earlier commit", async () => {
    h = await harness(
      humanDropState({
        commits: [
          { sha: OLD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } },
          { sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } },
        ],
      }),
    );
    const otherPr = forged({ pr: 99, head: OLD, seq: 5, digests: {}, signoffs: [{ user: "alice", userType: "User", headSha: HEAD, at: "2024-01-02T00:00:00Z" }] });
    h.github.checkRuns.push(existingRun(2, OLD, { output: { title: "", summary: "", text: otherPr } }));
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD, before: OLD, author: HUMAN }));
    expect(mine(HEAD).conclusion).toBe("action_required");
  });

  it("parses the block defensively", () => {
    const open = "<!-- changegate:state ";
    expect(decodeState(`${open}!!!not base64!!! -->`)).toBeUndefined();
    expect(decodeState(`${open}${Buffer.from("{not json").toString("base64")} -->`)).toBeUndefined();
    expect(decodeState(`${open}${Buffer.from(JSON.stringify({ v: 1 })).toString("base64")} -->`)).toBeUndefined();
    expect(decodeState(`${open}${"A".repeat(200_000)} -->`)).toBeUndefined();
    expect(decodeState(`${open}${Buffer.from("null").toString("base64")}`)).toBeUndefined();
    // Digests that are not strings, or a prototype key, never pollute what is merged.
    const evil = `{"v":1,"seq":1,"pr":2,"head":"h","digest":"d","digests":{"__proto__":{"polluted":"yes"},"a":7},"signoffs":[]}`;
    const state = decodeState(`${open}${Buffer.from(evil).toString("base64")} -->`);
    const merged = mergeStates(state ? [state] : []);
    expect((merged.digests as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(typeof (merged.digests as Record<string, unknown>).a === "number").toBe(false);
  });

  it("the app's own block is the one read back, even when a file path in the text forges one", () => {
    const fake = forged({ pr: PR, signoffs: [{ user: "mallory", userType: "User", headSha: HEAD, at: "2030-01-01T00:00:00Z" }] });
    const f: Finding = { rule: "sql/drop-table", severity: "critical", category: "data-loss", file: `db/${fake}.sql`, line: 1, object: "users", message: `drops ${fake}`, side: "head" };
    const decision = decide({
      findings: [f],
      facts: { author: "a", authorKind: "human", committers: [], baseBranch: "main", headSha: HEAD, signOffs: [], permissions: {}, teamMembership: {} },
      policy: { ...DEFAULT_POLICY, ignore: [{ paths: ["db/**"] }] },
    });
    const ours: GateState = { v: STATE_VERSION, seq: 1, pr: PR, head: HEAD, digest: "", digests: {}, signoffs: [] };
    const plan = planCheckRun({ headSha: HEAD, decision, findings: [f], policy: { source: "file", path: POLICY }, stateBlock: encodeState(ours) });
    expect(plan.text).toContain(`\`db/${fake}.sql\``);
    expect(decodeState(plan.text)).toEqual(ours);
  });
});

describe("two pull requests with the same head commit", () => {
  it("a second pull request into a lax base branch cannot turn the shared check green", async () => {
    const state = humanDropState({
      pulls: [{ number: 3, head: HEAD, base: BASE, baseRef: "lax", author: HUMAN }],
      contents: { lax: { [POLICY]: "version: 1\nmode: report-only\n" }, [HEAD]: { [MIGRATION]: DROP } },
    });
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(mine(HEAD).conclusion).toBe("action_required");

    const other = pullRequestPayload("opened", { author: HUMAN });
    other.pull_request.number = 3;
    other.number = 3;
    other.pull_request.base.ref = "lax";
    await h.receive("pull_request", other);
    const r = mine(HEAD);
    expect(["action_required", "failure"]).toContain(r.conclusion);
    expect(r.output.summary).toContain("#2");

    // Once #2 is signed off, the shared run passes (#3 is report-only).
    state.reviews = [review("alice")];
    await h.receive("pull_request_review", approval("alice"));
    expect(mine(HEAD).conclusion).not.toBe("action_required");
    expect(["success", "neutral"]).toContain(mine(HEAD).conclusion);

    // #3 evaluated again keeps #2's (now cleared) verdict in mind and still passes.
    await h.receive("pull_request", other);
    expect(["success", "neutral"]).toContain(mine(HEAD).conclusion);
  });

  it("a closed or moved pull request no longer holds the shared run", async () => {
    const state = humanDropState({
      pulls: [{ number: 3, head: HEAD, base: BASE, baseRef: "lax", author: HUMAN }],
      contents: { lax: { [POLICY]: "version: 1\nmode: report-only\n" }, [HEAD]: { [MIGRATION]: DROP } },
    });
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    state.pull.state = "closed";
    const other = pullRequestPayload("opened", { author: HUMAN });
    other.pull_request.number = 3;
    other.number = 3;
    other.pull_request.base.ref = "lax";
    await h.receive("pull_request", other);
    expect(mine(HEAD).conclusion).toBe("neutral");
  });
});

describe("the Sign off button", () => {
  async function opened(over: Partial<FakeState> = {}) {
    const state = humanDropState(over);
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(mine(HEAD).conclusion).toBe("action_required");
    return state;
  }

  it("ignores a press on a run of another app, and on a run that names no app", async () => {
    await opened();
    const writes = mine(HEAD).writes;
    const foreign = press(HEAD, "alice");
    foreign.check_run.app = { ...foreign.check_run.app, id: 999 };
    await h!.receive("check_run", foreign);
    const anonymous = press(HEAD, "alice");
    delete anonymous.check_run.app;
    await h!.receive("check_run", anonymous);
    expect(mine(HEAD).writes).toBe(writes);
    expect(mine(HEAD).conclusion).toBe("action_required");
  });
});

describe("the policy comes from the base branch", () => {
  it.each([
    ["switches the policy to report-only", { path: POLICY, status: "modified" as const }, "version: 1\nmode: report-only\n"],
    ["deletes the policy", { path: POLICY, status: "removed" as const }, undefined],
  ])("a pull request that %s is still judged by the base branch's policy", async (_what, file, proposed) => {
    const base = "version: 1\nmode: enforce\n";
    h = await harness(
      humanDropState({
        files: [{ path: MIGRATION, status: "added" }, file],
        contents: { [BASE_REF]: { [POLICY]: base }, [MERGE_BASE]: { [POLICY]: base }, [HEAD]: { [MIGRATION]: DROP, ...(proposed ? { [POLICY]: proposed } : {}) } },
      }),
    );
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    const r = mine(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain("gate/config-change");
  });

  it("fails closed when the base branch's policy answers 500", async () => {
    h = await harness(humanDropState({ failContent: (ref, path) => (ref === BASE_REF && path === POLICY ? 500 : undefined) }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(mine(HEAD).conclusion).toBe("failure");
  });

  it("a retargeted pull request is judged by the new base branch's policy", async () => {
    const state = humanDropState({ contents: { release: { [POLICY]: "version: 1\nrules:\n  - name: Frozen\n    when: { findings: [\"sql/*\"] }\n    block: release is frozen\n" }, [HEAD]: { [MIGRATION]: DROP } } });
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(mine(HEAD).conclusion).toBe("action_required");
    state.pull.baseRef = "release";
    const edited = pullRequestPayload("edited", { author: HUMAN });
    edited.pull_request.base.ref = "release";
    await h.receive("pull_request", edited);
    expect(mine(HEAD).conclusion).toBe("failure");
    expect(mine(HEAD).output.summary).toContain("release is frozen");
  });

  it("a stale retarget delivery is judged by the pull request's base as it is now", async () => {
    const state = humanDropState({ contents: { lax: { [POLICY]: "version: 1\nmode: report-only\n" }, [HEAD]: { [MIGRATION]: DROP } } });
    h = await harness(state);
    // Retargeted to `lax` and straight back to master; the `lax` delivery arrives last.
    const late = pullRequestPayload("edited", { author: HUMAN });
    late.pull_request.base.ref = "lax";
    await h.receive("pull_request", pullRequestPayload("edited", { author: HUMAN }));
    await h.receive("pull_request", late);
    expect(mine(HEAD).conclusion).toBe("action_required");
  });
});

describe("the merge queue", () => {
  const repo = { owner: "octo-org", repo: "octo-repo" };
  const base = "380387fbc80638b734a49e1be1c4dfec1c01b33c";

  const run = (id: number, sha: string, conclusion: string): FakeCheckRun => existingRun(id, sha, { conclusion });

  it("fails a group whose pull request was signed off only at an older head", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness(defaultState({ ...repo, pull: { number: 104, head: HEAD2, base, baseRef: "main", author: HUMAN }, groupCommits: [] }));
    h.github.checkRuns.push(run(1, HEAD, "success"));
    await h.receive("merge_group", group);
    const r = h.github.runsFor(group.merge_group.head_sha)[0]!;
    expect(r.conclusion).toBe("failure");
    expect(r.output.summary).toContain("no changegate result on its head");
  });

  it("fails a group whose pull request has no changegate run, or only another app's", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness(defaultState({ ...repo, pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN }, groupCommits: [] }));
    h.github.checkRuns.push({ ...run(1, HEAD, "success"), app: { id: 999 } });
    await h.receive("merge_group", group);
    expect(h.github.runsFor(group.merge_group.head_sha).find((r) => r.app.id === APP_ID)!.conclusion).toBe("failure");
  });

  it("fails a group whose pull request's passing run was reached against another base branch", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness(defaultState({ ...repo, pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN }, groupCommits: [] }));
    const text = encodeState({ v: STATE_VERSION, seq: 1, pr: 104, head: HEAD, base: "lax", digest: "", digests: {}, signoffs: [] });
    h.github.checkRuns.push({ ...run(1, HEAD, "neutral"), output: { title: "", summary: "", text } });
    await h.receive("merge_group", group);
    const r = h.github.runsFor(group.merge_group.head_sha).find((x) => x.id > 1)!;
    expect(r.conclusion).toBe("failure");
    expect(r.output.summary).toContain("evaluated against `lax`");
  });

  it("fails a group when any of a pull request's runs on its head is not signed off (two runs after a race)", async () => {
    const group = payload("merge_group.checks_requested");
    h = await harness(
      defaultState({
        ...repo,
        pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN },
        pulls: [{ number: 7, head: HEAD2, base, baseRef: "main", author: HUMAN }],
        groupCommits: [{ sha: OLD, message: "Drop the users table (#7)" }],
      }),
    );
    h.github.checkRuns.push(run(1, HEAD, "success"), run(2, HEAD2, "neutral"), run(3, HEAD2, "action_required"));
    await h.receive("merge_group", group);
    expect(h.github.runsFor(group.merge_group.head_sha).find((r) => r.id > 3)!.conclusion).toBe("failure");
  });
});

describe("conclusions", () => {
  it("an error while writing the policy-failure result still ends the run as failure, never in progress", async () => {
    let patches = 0;
    h = await harness(
      humanDropState({
        failContent: (ref, path) => (ref === BASE_REF && path === POLICY ? 500 : undefined),
        failRoute: (method, path) => (method === "PATCH" && path.includes("/check-runs/") && patches++ === 0 ? 502 : undefined),
      }),
    );
    await expect(h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }))).rejects.toThrow();
    const r = mine(HEAD);
    expect(r.status).toBe("completed");
    expect(r.conclusion).toBe("failure");
  });

  it("10,000 findings: outputs within GitHub's limits, annotations in batches of 50, the state block intact", () => {
    const findings: Finding[] = Array.from({ length: 10_000 }, (_, i) => ({
      rule: "sql/drop-table",
      severity: "critical",
      category: "data-loss",
      file: `db/migrate/${String(i % 400).padStart(4, "0")}_drop.sql`,
      line: i + 1,
      object: `t${i}`,
      message: `DROP TABLE t${i} deletes every row ${"x".repeat(100)}`,
      side: "head",
    }));
    const decision = decide({
      findings,
      facts: { author: "a", authorKind: "human", committers: [], baseBranch: "main", headSha: HEAD, signOffs: [], permissions: {}, teamMembership: {} },
      policy: { source: "default", path: POLICY, policy: DEFAULT_POLICY },
    });
    const state: GateState = { v: STATE_VERSION, seq: 1, pr: PR, head: HEAD, digest: decision.digest, digests: { [HEAD]: decision.digest }, signoffs: [] };
    const plan = planCheckRun({ headSha: HEAD, decision, findings, policy: { source: "default", path: POLICY }, stateBlock: encodeState(state) });
    expect(plan.conclusion).toBe("action_required");
    expect(plan.summary.length).toBeLessThan(OUTPUT_LIMIT);
    expect(plan.text.length).toBeLessThan(OUTPUT_LIMIT);
    expect(plan.annotationBatches.length).toBeGreaterThan(1);
    for (const batch of plan.annotationBatches) expect(batch.length).toBeLessThanOrEqual(ANNOTATIONS_PER_REQUEST);
    expect(decodeState(plan.text)).toEqual(state);
  });
});
