import { describe, expect, it } from "vitest";
import { pullAuthorKind, reviewEvents } from "../../src/policy/pull-facts.js";
import { planPullActions } from "../../src/gate/pull-actions.js";
import type { Decision } from "../../src/policy/types.js";

describe("author kind", () => {
  const human = { login: "bob", type: "User" };
  it("is agent for a known agent account, an agent commit author, or an agent co-author trailer", () => {
    expect(pullAuthorKind({ login: "Copilot", type: "Bot" }, [], undefined).kind).toBe("agent");
    expect(pullAuthorKind(human, [{ sha: "a1", message: "x", author: { login: "devin-ai-integration[bot]", type: "Bot" } }], undefined).kind).toBe("agent");
    const trailer = "Drop legacy table\n\nCo-authored-by: Claude Opus 4.5 <noreply@anthropic.com>\n";
    expect(pullAuthorKind(human, [{ sha: "a2", message: trailer }], undefined)).toEqual({ kind: "agent", why: expect.stringContaining("co-authored by Claude Opus 4.5") });
  });
  it("uses the policy's agents.logins", () => {
    const policy = { agents: { logins: ["acme-release-bot[bot]"], extra_approvals: 0 } } as never;
    expect(pullAuthorKind({ login: "acme-release-bot[bot]", type: "Bot" }, [], policy).kind).toBe("agent");
    expect(pullAuthorKind({ login: "renovate[bot]", type: "Bot" }, [], undefined).kind).toBe("bot");
    expect(pullAuthorKind(human, [{ sha: "a3", message: "fix" }], undefined).kind).toBe("human");
  });
});

describe("reviews as sign-off events", () => {
  it("maps states case-insensitively, skips comments and binds digests per reviewed commit", () => {
    const events = reviewEvents(
      [
        { user: { login: "alice", type: "User" }, state: "APPROVED", commitId: "c1", at: "1" },
        { user: { login: "bob", type: "User" }, state: "commented", commitId: "c1", at: "2" },
        { user: { login: "alice", type: "User" }, state: "changes_requested", commitId: "c2", at: "3" },
        { user: { login: "carl", type: "User" }, state: "DISMISSED", commitId: null, at: "4" },
      ],
      { c1: "v1:x" },
    );
    expect(events).toEqual([
      { user: "alice", userType: "User", via: "review", state: "approved", headSha: "c1", digest: "v1:x", at: "1" },
      { user: "alice", userType: "User", via: "review", state: "changes_requested", headSha: "c2", at: "3" },
      { user: "carl", userType: "User", via: "review", state: "dismissed", headSha: "", at: "4" },
    ]);
  });
});

describe("labels and reviewers", () => {
  const decision = {
    labels: { add: ["changegate:needs-signoff", "destructive:database"], remove: ["changegate:signed-off"] },
    reviewers: { users: ["alice", "Bob"], teams: ["acme/dba"] },
  } as unknown as Decision;
  it("adds what is missing, removes managed labels present, never requests the author, once per head", () => {
    const plan = planPullActions(decision, { author: "bob", labels: ["destructive:database", "changegate:signed-off"], requestedUsers: [], requestedTeams: [] }, false);
    expect(plan).toEqual({ addLabels: ["changegate:needs-signoff"], removeLabels: ["changegate:signed-off"], reviewers: ["alice"], teamReviewers: ["dba"] });
    expect(planPullActions(decision, { author: "bob", labels: [], requestedUsers: [], requestedTeams: [] }, true)).toMatchObject({ reviewers: [], teamReviewers: [] });
  });
});
