import { afterEach, describe, expect, it } from "vitest";
import { decodeState } from "../../src/gate/state.js";
import type { FakeState } from "../fakes/github.js";
import { APP_ID, BASE_REF, defaultState, harness, HEAD, MERGE_BASE, payload, POLICY, pullRequestPayload, finishHarness, existingRun, type Harness } from "./harness.js";

const MIGRATION = "db/migrate/20240101000000_drop_users.sql";
const DROP = "-- remove the old table\nDROP TABLE users;\n";
const HEAD2 = "2222222222222222222222222222222222222222";
const AGENT = { login: "copilot-swe-agent[bot]", type: "Bot" };

/** An agent-authored pull request adding a migration that drops a table. */
/** A person's pull request (not an agent's) dropping a table, under `policy` at the base branch. */
function personsDropTable(policy: string): FakeState {
  return dropTableState({
    pull: { number: 2, head: HEAD, base: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", baseRef: BASE_REF, author: { login: "Codertocat", type: "User" } },
    commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }],
    contents: { [BASE_REF]: { [POLICY]: policy }, [HEAD]: { [MIGRATION]: DROP } },
  });
}

function dropTableState(over: Partial<FakeState> = {}): FakeState {
  return defaultState({
    pull: { number: 2, head: HEAD, base: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", baseRef: BASE_REF, author: AGENT },
    files: [
      { path: MIGRATION, status: "added" },
      { path: "README.md", status: "modified" },
    ],
    contents: { [HEAD]: { [MIGRATION]: DROP, "README.md": "hello\n" }, [MERGE_BASE]: { "README.md": "hi\n" } },
    commits: [{ sha: HEAD, author: { login: "copilot-swe-agent[bot]", type: "Bot" }, committer: { login: "web-flow" } }],
    permissions: { alice: "write", rita: "read", Codertocat: "admin" },
    ...over,
  });
}

let h: Harness | undefined;
afterEach(() => expect(finishHarness()).toEqual([]));

function run(sha: string) {
  const runs = h!.github.runsFor(sha);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

describe("pull requests", () => {
  it("blocks an agent's DROP TABLE with an annotation on the line and a Sign off button", async () => {
    h = await harness(dropTableState());
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const r = run(HEAD);
    expect(r.status).toBe("completed");
    expect(r.conclusion).toBe("action_required");
    expect(r.details_url).toBe("https://github.com/Codertocat/Hello-World/pull/2");
    expect(r.annotations).toContainEqual(
      expect.objectContaining({ path: MIGRATION, start_line: 2, annotation_level: "failure", title: expect.stringContaining("sql/drop-table") }),
    );
    expect(r.actions).toEqual([expect.objectContaining({ identifier: "signoff", label: "Sign off" })]);
    expect(r.output.summary).toContain("Gating rules");
    // Only claimed files were read: README.md never (`.github` is listed to prove the policy absent).
    const reads = h.github.requests.filter((q) => q.path.includes("/contents/"));
    expect(reads.map((q) => decodeURIComponent(q.path.split("/contents/")[1]!)).sort()).toEqual([".github", POLICY, MIGRATION]);
    // Created in progress, then completed: two writes.
    expect(r.writes).toBe(2);
    expect(h.github.labelWrites).toContainEqual({ method: "POST", labels: ["changegate:needs-signoff"] });
    const decision = h.logs.find((l) => l.obj.event === "decision");
    expect(decision?.obj).toMatchObject({ repo: "Codertocat/Hello-World", pr: 2, head_sha: HEAD, outcome: "needs-signoff", author_kind: "agent" });
    expect(String(decision?.obj.digest)).toMatch(/^v1:/);
  });

  it.each([
    ["a policy that only blocks agents still holds a person's DROP TABLE: the built-in floor gates it", "", "action_required", "failure"],
    ["with `defaults: false` the same policy lets it through, findings shown", "defaults: false\n", "neutral", "warning"],
  ])("%s", async (_name, defaults, conclusion, level) => {
    const policy = `version: 1\n${defaults}rules:\n  - name: Agents never drop tables\n    when: { author: agent, findings: ["sql/drop-table"] }\n    block: "Open this change as a person."\n`;
    h = await harness(personsDropTable(policy));
    await h.receive("pull_request", pullRequestPayload("opened"));
    const r = run(HEAD);
    expect(r.conclusion).toBe(conclusion);
    expect(r.annotations).toContainEqual(expect.objectContaining({ path: MIGRATION, annotation_level: level, title: expect.stringContaining("sql/drop-table") }));
    if (conclusion === "action_required") {
      expect(r.output.summary).toContain("| High-severity changes | ⏳ pending |");
      expect(r.actions).toEqual([expect.objectContaining({ identifier: "signoff" })]);
    } else {
      expect(r.output.summary).not.toContain("High-severity changes");
    }
  });

  it("passes when nothing is destructive, reading no content but the policy", async () => {
    h = await harness(defaultState({ files: [{ path: "src/app.ts", status: "modified" }] }));
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(run(HEAD).conclusion).toBe("success");
    expect(h.github.requests.filter((q) => q.path.includes("/contents/")).map((q) => q.path).sort()).toEqual([
      "/repos/Codertocat/Hello-World/contents/.github",
      "/repos/Codertocat/Hello-World/contents/.github%2Fchangegate.yml",
    ]);
  });

  it("counts an eligible approval: success", async () => {
    h = await harness(dropTableState({ reviews: [{ user: "alice", state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }] }));
    await h.receive("pull_request_review", approval("alice"));
    const r = run(HEAD);
    expect(r.conclusion).toBe("success");
    expect(r.actions).toEqual([]);
    expect(r.output.summary).toContain("@alice (review)");
    expect(h.logs.some((l) => l.obj.event === "signoff" && l.obj.user === "alice" && l.obj.accepted === true)).toBe(true);
  });

  it.each([
    ["the author", { login: "copilot-swe-agent[bot]", type: "Bot" }, "coding agent"],
    ["a bot", { login: "renovate[bot]", type: "Bot" }, "bot"],
    ["a committer", { login: "carol", type: "User" }, "committer"],
    ["a read-only user", { login: "rita", type: "User" }, "insufficient permission"],
  ])("ignores an approval by %s", async (_who, user, reason) => {
    h = await harness(
      dropTableState({
        commits: [
          { sha: HEAD, author: { login: "copilot-swe-agent[bot]", type: "Bot" }, committer: { login: "web-flow" } },
          { sha: HEAD, author: { login: "carol" }, committer: { login: "carol" } },
        ],
        reviews: [{ user: user.login, type: user.type, state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }],
        permissions: { carol: "admin", rita: "read", "renovate[bot]": "write" },
      }),
    );
    await h.receive("pull_request_review", approval(user.login, user.type));
    const r = run(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain(reason);
  });

  it("keeps an approval across a push that leaves the findings unchanged, and voids it on a new finding", async () => {
    const review = { user: "alice", state: "APPROVED" as const, commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" };
    const state = dropTableState({ reviews: [review] });
    h = await harness(state);
    await h.receive("pull_request_review", approval("alice"));
    expect(run(HEAD).conclusion).toBe("success");
    expect(decodeState(run(HEAD).output.text)?.digests[HEAD]).toMatch(/^v1:/);

    // Push 1: only the README changes.
    state.pull.head = HEAD2;
    state.contents[HEAD2] = { [MIGRATION]: DROP, "README.md": "hello again\n" };
    state.commits = [...state.commits, { sha: HEAD2, author: { login: "copilot-swe-agent[bot]", type: "Bot" }, committer: { login: "web-flow" } }];
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: AGENT }));
    expect(run(HEAD2).conclusion).toBe("success");

    // Push 2: a second DROP TABLE.
    const HEAD3 = "3333333333333333333333333333333333333333";
    state.pull.head = HEAD3;
    state.contents[HEAD3] = { [MIGRATION]: `${DROP}DROP TABLE orders;\n`, "README.md": "hello again\n" };
    state.commits = [...state.commits, { sha: HEAD3, author: { login: "copilot-swe-agent[bot]", type: "Bot" }, committer: { login: "web-flow" } }];
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD3, before: HEAD2, author: AGENT }));
    const r3 = run(HEAD3);
    expect(r3.conclusion).toBe("action_required");
    expect(r3.output.summary).toContain("gating findings changed");
  });

  it("fails closed with the errors when the base branch's policy is invalid", async () => {
    h = await harness(dropTableState({ contents: { [BASE_REF]: { [POLICY]: "version: 1\nmode: yolo\n" }, [HEAD]: { [MIGRATION]: DROP } } }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const r = run(HEAD);
    expect(r.conclusion).toBe("failure");
    expect(r.output.title).toContain("invalid");
    expect(r.annotations).toContainEqual(expect.objectContaining({ path: POLICY, start_line: 2, annotation_level: "failure" }));
    // Nothing else was read.
    expect(h.github.requests.some((q) => q.path.includes(encodeURIComponent(MIGRATION)))).toBe(false);
  });

  it("fails closed with a re-run button when the policy cannot be read", async () => {
    h = await harness(dropTableState({ failContent: (ref, path) => (ref === BASE_REF && path === POLICY ? 503 : undefined) }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const r = run(HEAD);
    expect(r.conclusion).toBe("failure");
    expect(r.actions).toEqual([expect.objectContaining({ identifier: "rerun" })]);
  });

  it("reports a policy change in the pull request with the proposed file's validation errors", async () => {
    h = await harness(
      defaultState({
        files: [{ path: POLICY, status: "modified" }],
        contents: { [BASE_REF]: { [POLICY]: "version: 1\n" }, [MERGE_BASE]: { [POLICY]: "version: 1\n" }, [HEAD]: { [POLICY]: "version: 1\nmode: off\n" } },
      }),
    );
    await h.receive("pull_request", pullRequestPayload("opened"));
    const r = run(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.annotations).toContainEqual(expect.objectContaining({ path: POLICY, title: expect.stringContaining("gate/config-change") }));
    expect(r.annotations).toContainEqual(expect.objectContaining({ path: POLICY, start_line: 2, message: expect.stringContaining("invalid") }));
  });

  it("fails with a re-run button, never success, when a content read answers 500", async () => {
    h = await harness(dropTableState({ failContent: (ref, path) => (ref === HEAD && path === MIGRATION ? 500 : undefined) }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const r = run(HEAD);
    expect(r.conclusion).toBe("failure");
    expect(r.actions).toEqual([expect.objectContaining({ identifier: "rerun" })]);
    expect(r.output.summary).toMatch(/re-run/i);
  });

  it("fails the run with a re-run button when another API call fails, and the delivery reports the error", async () => {
    h = await harness(dropTableState({ failRoute: (method, path) => (method === "GET" && path.endsWith("/reviews") ? 502 : undefined) }));
    await expect(h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }))).rejects.toThrow();
    const r = run(HEAD);
    expect(r.conclusion).toBe("failure");
    expect(r.actions).toEqual([expect.objectContaining({ identifier: "rerun" })]);
  });

  it("re-evaluates on check_run.rerequested and recovers from the error", async () => {
    let fail = true;
    h = await harness(dropTableState({ failContent: (ref, path) => (fail && ref === HEAD && path === MIGRATION ? 500 : undefined) }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    expect(run(HEAD).conclusion).toBe("failure");
    fail = false;
    const rr = payload("check_run.rerequested");
    rr.check_run.output = { ...rr.check_run.output, text: run(HEAD).output.text };
    await h.receive("check_run", rr);
    expect(run(HEAD).conclusion).toBe("action_required");
  });

  it("creates one check run for a duplicate delivery, and does not repeat its annotations", async () => {
    h = await harness(dropTableState());
    const body = pullRequestPayload("opened", { author: AGENT });
    await Promise.all([h.receive("pull_request", body), h.receive("pull_request", body)]);
    await h.receive("pull_request", body);
    const r = run(HEAD);
    expect(h.github.requests.filter((q) => q.method === "POST" && q.path.endsWith("/check-runs"))).toHaveLength(1);
    expect(r.annotations.filter((a) => (a as { path: string }).path === MIGRATION)).toHaveLength(1);
  });

  it("never lets an older evaluation overwrite a newer one", async () => {
    let now = 2_000_000;
    h = await harness(dropTableState(), { now: () => now });
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const writes = run(HEAD).writes;
    now = 1_000_000; // a delivery that started earlier, arriving late
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    expect(run(HEAD).writes).toBe(writes);
    expect(h.logs.some((l) => l.obj.reason === "a newer evaluation already wrote this run")).toBe(true);
  });

  it("says so when the check is not required on the base branch", async () => {
    h = await harness(dropTableState({ branchRules: [] }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    expect(run(HEAD).output.summary).toContain("is not required on `master`");
  });

  it("re-evaluates when the base branch changes, and ignores other edits", async () => {
    h = await harness(dropTableState());
    const other = pullRequestPayload("edited", { author: AGENT });
    delete other.changes.base;
    other.changes.title = { from: "old" };
    await h.receive("pull_request", other);
    expect(h.github.runsFor(HEAD)).toHaveLength(0);
    await h.receive("pull_request", pullRequestPayload("edited", { author: AGENT }));
    expect(run(HEAD).conclusion).toBe("action_required");
  });

  it("requests reviewers a rule names, never the author, once per head", async () => {
    const policy = [
      "version: 1",
      "rules:",
      "  - name: Destructive database change",
      '    when: { findings: ["sql/drop-*"] }',
      "    require: { approvals: 1, from: { teams: [Codertocat/dba], users: [alice, Codertocat] } }",
      "    labels: [destructive:database]",
      "    request_review: true",
      "",
    ].join("\n");
    h = await harness(personsDropTable(policy));
    await h.receive("pull_request", pullRequestPayload("opened"));
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(h.github.reviewRequests).toEqual([{ reviewers: ["alice"], team_reviewers: ["dba"] }]);
    expect(h.github.labelWrites).toContainEqual({ method: "POST", labels: ["destructive:database", "changegate:needs-signoff"] });
  });

  it("withdraws an approval on a later CHANGES_REQUESTED and on a dismissal", async () => {
    const state = dropTableState({
      reviews: [
        { user: "alice", state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" },
        { user: "alice", state: "CHANGES_REQUESTED", commit_id: HEAD, submitted_at: "2024-01-03T00:00:00Z" },
      ],
    });
    h = await harness(state);
    await h.receive("pull_request_review", approval("alice"));
    expect(run(HEAD).conclusion).toBe("action_required");
    state.reviews = [{ user: "alice", state: "DISMISSED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }];
    await h.receive("pull_request_review", payload("pull_request_review.dismissed"));
    expect(run(HEAD).conclusion).toBe("action_required");
  });
});

describe("the Sign off button", () => {
  async function opened(over: Partial<FakeState> = {}) {
    h = await harness(dropTableState(over));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    return h;
  }

  function press(login: string, type = "User") {
    const p = payload("check_run.requested_action");
    const r = run(HEAD);
    p.check_run.id = r.id;
    p.check_run.output = { ...p.check_run.output, title: r.output.title, summary: r.output.summary, text: r.output.text };
    p.check_run.completed_at = r.completed_at;
    p.sender = { ...p.sender, login, type };
    return p;
  }

  it("refuses an ineligible user and says why", async () => {
    await opened();
    await h!.receive("check_run", press("rita"));
    const r = run(HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain("@rita pressed **Sign off** but cannot sign off");
    expect(decodeState(r.output.text)?.signoffs).toEqual([]);
    expect(h!.logs.some((l) => l.obj.event === "signoff" && l.obj.user === "rita" && l.obj.accepted === false)).toBe(true);
  });

  it("accepts an eligible user, remembers it in the run and recovers it later", async () => {
    await opened();
    await h!.receive("check_run", press("alice"));
    const r = run(HEAD);
    expect(r.conclusion).toBe("success");
    expect(decodeState(r.output.text)?.signoffs).toEqual([expect.objectContaining({ user: "alice", headSha: HEAD, digest: expect.stringMatching(/^v1:/) })]);
    // A later evaluation (a comment-free re-run) recovers the press from the run.
    await h!.receive("check_run", payload("check_run.rerequested"));
    expect(run(HEAD).conclusion).toBe("success");
    expect(h!.github.runsFor(HEAD)).toHaveLength(1);
    expect(APP_ID).toBe(r.app.id);
  });
});

describe("more triggers", () => {
  it("re-evaluates every pull request of a re-requested check suite", async () => {
    h = await harness(dropTableState());
    await h.receive("check_suite", payload("check_suite.rerequested"));
    expect(run(HEAD).conclusion).toBe("action_required");
  });

  it("treats a human's pull request with an agent co-author trailer as agent-authored", async () => {
    h = await harness(
      dropTableState({
        pull: { number: 2, head: HEAD, base: "f95f852bd8fca8fcc58a9a2d6c842781e32a215e", baseRef: BASE_REF, author: { login: "Codertocat", type: "User" } },
        commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" }, message: "Drop users\n\nCo-authored-by: Claude <noreply@anthropic.com>\n" }],
      }),
    );
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(h.logs.find((l) => l.obj.event === "decision")?.obj).toMatchObject({ author_kind: "agent", agent: expect.stringContaining("co-authored by Claude") });
  });

  it("carries a button sign-off to the next head while the findings are unchanged", async () => {
    const state = dropTableState();
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const p = payload("check_run.requested_action");
    p.check_run.output = { ...p.check_run.output, text: run(HEAD).output.text };
    p.sender = { ...p.sender, login: "alice", type: "User" };
    await h.receive("check_run", p);
    expect(run(HEAD).conclusion).toBe("success");

    state.pull.head = HEAD2;
    state.contents[HEAD2] = { [MIGRATION]: DROP, "README.md": "changed\n" };
    state.commits = [...state.commits, { sha: HEAD2, author: { login: "copilot-swe-agent[bot]", type: "Bot" }, committer: { login: "web-flow" } }];
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: AGENT }));
    expect(run(HEAD2).conclusion).toBe("success");
    expect(run(HEAD2).output.summary).toContain("@alice (button)");
  });
});

describe("policy settings", () => {
  it("voids every sign-off on a push with signoff.invalidate: on_any_push", async () => {
    const state = dropTableState({
      contents: { [BASE_REF]: { [POLICY]: "version: 1\nsignoff: { invalidate: on_any_push }\n" }, [HEAD]: { [MIGRATION]: DROP } },
      reviews: [{ user: "alice", state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }],
    });
    h = await harness(state);
    await h.receive("pull_request_review", approval("alice"));
    expect(run(HEAD).conclusion).toBe("success");
    state.pull.head = HEAD2;
    state.contents[HEAD2] = { [MIGRATION]: DROP };
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: AGENT }));
    expect(run(HEAD2).conclusion).toBe("action_required");
    expect(run(HEAD2).output.summary).toContain("on_any_push");
  });

  it("never blocks in report-only mode, and says what enforce would do", async () => {
    h = await harness(dropTableState({ contents: { [BASE_REF]: { [POLICY]: "version: 1\nmode: report-only\n" }, [HEAD]: { [MIGRATION]: DROP } } }));
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    const r = run(HEAD);
    expect(r.conclusion).toBe("neutral");
    expect(r.actions).toEqual([]);
    expect(r.output.title).toContain("Report-only");
  });
});

describe("merge queue", () => {
  it("passes a group whose pull requests are signed off, and fails one that is not", async () => {
    const group = payload("merge_group.checks_requested");
    const repo = { owner: "octo-org", repo: "octo-repo" };
    const state = defaultState({
      ...repo,
      pull: { number: 104, head: HEAD, base: "380387fbc80638b734a49e1be1c4dfec1c01b33c", baseRef: "main", author: { login: "octocat", type: "User" } },
      pulls: [{ number: 2048, head: HEAD2, base: "380387fbc80638b734a49e1be1c4dfec1c01b33c", baseRef: "main", author: { login: "octocat", type: "User" } }],
      groupCommits: [{ sha: "ec26c3e57ca3a959ca5aad62de7213c562f8c821", message: "Merge pull request #2048 from octo-repo/update-readme" }],
    });
    h = await harness(state);
    h.github.checkRuns.push(
      existingRun(1, HEAD),
      existingRun(2, HEAD2, { conclusion: "action_required" }),
    );
    await h.receive("merge_group", group);
    const groupRun = h.github.runsFor(group.merge_group.head_sha)[0]!;
    expect(groupRun.conclusion).toBe("failure");
    expect(groupRun.output.summary).toContain("#2048 is not signed off");

    h.github.checkRuns[1]!.conclusion = "success";
    h.github.checkRuns[1]!.status = "completed";
    await h.receive("merge_group", group);
    expect(h.github.runsFor(group.merge_group.head_sha)).toHaveLength(1);
    expect(h.github.runsFor(group.merge_group.head_sha)[0]!.conclusion).toBe("success");
  });
});

function approval(login: string, type = "User") {
  const p = payload("pull_request_review.submitted");
  p.review.user.login = login;
  p.review.user.type = type;
  p.review.state = "approved";
  p.review.commit_id = HEAD;
  return p;
}
