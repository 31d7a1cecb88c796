/**
 * The gate's pure middle stage, table-driven: gathered facts, what earlier runs remember and the
 * trigger in; decision, next state, check-run plan, pull-request actions, refused presses and the
 * audit record out. No HTTP, no Probot.
 */
import { describe, expect, it } from "vitest";
import { evaluate, evaluateFailure, lookupsFor, type Earlier, type GateFacts, type Lookups, type Trigger } from "../../src/gate/evaluate.js";
import { decodeState, STATE_VERSION, type GateState } from "../../src/gate/state.js";
import { DEFAULT_POLICY, parsePolicy, type LoadedPolicy } from "../../src/policy/load.js";
import type { ReviewRecord } from "../../src/policy/pull-facts.js";
import type { Conclusion } from "../../src/policy/types.js";
import { finding, HEAD, OLD_HEAD } from "./fakes.js";

const DROP = finding("sql/drop-table", { object: "users", message: "DROP TABLE users", statement: "DROP TABLE users" });
const DEFAULT: LoadedPolicy = { source: "default", path: ".github/changegate.yml", policy: DEFAULT_POLICY };
const T0 = Date.parse("2026-11-20T10:00:00Z");

function facts(over: Partial<GateFacts> = {}): GateFacts {
  return {
    pull: { number: 7, author: { login: "dev", type: "User" }, headSha: HEAD, baseBranch: "main", labels: [], requestedUsers: [], requestedTeams: [] },
    seq: T0,
    observedAt: T0,
    policy: DEFAULT,
    analysis: { findings: [DROP], analysed: 1, unclaimed: 0, errors: [] },
    reviews: [],
    commits: [{ sha: HEAD, author: { login: "dev", type: "User" }, committer: { login: "dev", type: "User" }, message: "drop users" }],
    others: {},
    ...over,
  };
}

function state(over: Partial<GateState> = {}): GateState {
  return { v: STATE_VERSION, seq: T0 - 1000, pr: 7, head: HEAD, base: "main", digest: "", digests: {}, signoffs: [], ...over };
}

const writers: Lookups = { permissions: { alice: { ok: true, value: "write" }, dev: { ok: true, value: "admin" }, rita: { ok: true, value: "read" } }, teamMembership: {} };
const approvedBy = (user: string, at = "2026-11-20T11:00:00Z", commitId = HEAD): ReviewRecord => ({ user: { login: user, type: "User" }, state: "APPROVED", commitId, at });
const push: Trigger = { kind: "pull_request", action: "synchronize", pusher: "mallory" };
const press = (user: string, delivery = "d-1", at = "2026-11-20T10:30:00Z"): Trigger => ({ kind: "button", user: { login: user, type: "User" }, runHeadSha: HEAD, delivery, at });

interface Case {
  name: string;
  facts?: Partial<GateFacts>;
  earlier?: Earlier;
  trigger?: Trigger;
  lookups?: Lookups;
  conclusion: Conclusion;
  /** Substrings the summary must contain. */
  says?: string[];
  actions?: string[];
  check?: (result: ReturnType<typeof evaluate>) => void;
}

const cases: Case[] = [
  { name: "a DROP TABLE nobody signed off waits, with the Sign off button", conclusion: "action_required", actions: ["signoff"], says: ["Gating rules"] },
  { name: "nothing destructive passes", facts: { analysis: { findings: [], analysed: 0, unclaimed: 3, errors: [] } }, conclusion: "success", actions: [] },
  { name: "an eligible approval on the head passes", facts: { reviews: [approvedBy("alice")] }, conclusion: "success", says: ["@alice (review)"] },
  { name: "a read user's approval does not count", facts: { reviews: [approvedBy("rita")] }, conclusion: "action_required", says: ["insufficient permission"] },
  {
    name: "a later CHANGES_REQUESTED withdraws the approval",
    facts: { reviews: [approvedBy("alice"), { user: { login: "alice", type: "User" }, state: "CHANGES_REQUESTED", commitId: HEAD, at: "2026-11-20T12:00:00Z" }] },
    conclusion: "action_required",
    says: ["withdrawn"],
  },
  {
    name: "a withdrawal in the same second as the approval wins",
    facts: { reviews: [{ user: { login: "alice", type: "User" }, state: "CHANGES_REQUESTED", commitId: HEAD, at: "2026-11-20T11:00:00Z" }, approvedBy("alice")] },
    conclusion: "action_required",
  },
  {
    name: "an unreadable analysis fails with a re-run button",
    facts: { analysis: { findings: [], analysed: 0, unclaimed: 0, errors: [{ file: "db/1.sql", message: "GitHub answered 502", retryable: true }] } },
    conclusion: "failure",
    actions: ["rerun"],
    says: ["Re-run analysis"],
  },
  {
    name: "an invalid base policy fails, analyses nothing, and still remembers who pushed",
    facts: { policy: { source: "invalid", path: ".github/changegate.yml", errors: [{ message: "mode: must be one of", line: 2, column: 7 }] } },
    trigger: push,
    conclusion: "failure",
    says: ["The policy is invalid"],
    check: (r) => expect(r.state.pushers).toEqual(["mallory"]),
  },
  {
    name: "an unreadable base policy fails with a re-run button and remembers who pushed",
    facts: { policy: { source: "error", path: ".github/changegate.yml", error: "GitHub answered 500" } },
    trigger: push,
    conclusion: "failure",
    actions: ["rerun"],
    check: (r) => expect(r.state.pushers).toEqual(["mallory"]),
  },
  {
    name: "whoever pushed cannot sign off",
    facts: { reviews: [approvedBy("mallory")], analysis: { findings: [DROP], analysed: 1, unclaimed: 0, errors: [] } },
    lookups: { permissions: { mallory: { ok: true, value: "admin" } }, teamMembership: {} },
    trigger: push,
    conclusion: "action_required",
    says: ["pushed or committed"],
  },
  {
    name: "an eligible press counts once, bound to this head's digest, and its delivery is remembered",
    trigger: press("alice"),
    conclusion: "success",
    check: (r) => {
      expect(r.state.signoffs).toEqual([expect.objectContaining({ user: "alice", headSha: HEAD, digest: r.decision.digest, at: "2026-11-20T10:30:00.000Z".replace(".000", "") })]);
      expect(r.state.presses).toEqual(["d-1"]);
      expect(r.audit.signoffs).toContainEqual(expect.objectContaining({ user: "alice", accepted: true }));
    },
  },
  {
    name: "a press by the author is refused, with the reason, and not remembered",
    trigger: press("dev"),
    conclusion: "action_required",
    says: ["@dev pressed **Sign off** but cannot sign off", "(author)"],
    check: (r) => {
      expect(r.refused).toEqual([{ user: "dev", reason: expect.stringContaining("author") }]);
      expect(r.state.signoffs).toEqual([]);
    },
  },
  {
    name: "a redelivered press (same delivery id) never counts again",
    earlier: { states: [state({ presses: ["d-1"] })] },
    trigger: press("alice", "d-1"),
    conclusion: "action_required",
    check: (r) => {
      expect(r.state.signoffs).toEqual([]);
      expect(r.audit.signoffs).toContainEqual(expect.objectContaining({ accepted: false, reason: expect.stringContaining("redelivery") }));
    },
  },
  {
    name: "a remembered press is withdrawn by the signer's later CHANGES_REQUESTED",
    earlier: { states: [state({ signoffs: [{ user: "alice", userType: "User", headSha: HEAD, at: "2026-11-20T10:30:00Z" }] })] },
    facts: { reviews: [{ user: { login: "alice", type: "User" }, state: "CHANGES_REQUESTED", commitId: HEAD, at: "2026-11-20T10:31:00Z" }] },
    conclusion: "action_required",
    says: ["withdrawn"],
  },
  {
    name: "an approval submitted before the app saw the force-pushed head is bound to the head it was given on",
    earlier: { states: [state({ head: OLD_HEAD, digests: { [OLD_HEAD]: "v1:old" }, seen: { [OLD_HEAD]: 0 } })] },
    facts: { reviews: [approvedBy("alice", "2026-11-20T09:59:59Z")] },
    conclusion: "action_required",
    says: ["stale"],
  },
  {
    name: "an approval in the same second the app first saw the head does not carry to it",
    earlier: { states: [state({ head: OLD_HEAD, digests: { [OLD_HEAD]: "v1:old" }, seen: { [OLD_HEAD]: 0 } })] },
    facts: { reviews: [approvedBy("alice", new Date(T0).toISOString())] },
    conclusion: "action_required",
  },
  {
    name: "an approval after the app first saw the head counts",
    earlier: { states: [state({ head: OLD_HEAD, digests: { [OLD_HEAD]: "v1:old" }, seen: { [OLD_HEAD]: 0 } })] },
    facts: { reviews: [approvedBy("alice", new Date(T0 + 1000).toISOString())] },
    conclusion: "success",
  },
  {
    name: "another open pull request at this head that waits holds the run",
    facts: { reviews: [approvedBy("alice")], others: { "9": "action_required" } },
    conclusion: "action_required",
    says: ["#9 (same head commit)"],
    check: (r) => expect(r.state.conclusion).toBe("success"),
  },
  {
    name: "a report-only policy never blocks",
    facts: { policy: { source: "file", path: ".github/changegate.yml", policy: policyOf("version: 1\nmode: report-only\n") } },
    conclusion: "neutral",
    actions: [],
  },
  {
    name: "annotations this run already carries are not sent again",
    earlier: { head: { conclusion: "action_required", state: state({ annotated: annotationsHashOf() }) }, states: [] },
    conclusion: "action_required",
    check: (r) => expect(r.plan.annotationBatches).toEqual([]),
  },
];

function policyOf(text: string) {
  const parsed = parsePolicy(text);
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.policy;
}

function annotationsHashOf(): string {
  return evaluate(facts(), { states: [] }, { kind: "rerun", event: "test" }, writers).plan.annotationsHash;
}

describe("evaluate", () => {
  it.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const result = evaluate(facts(c.facts), c.earlier ?? { states: [] }, c.trigger ?? { kind: "rerun", event: "test" }, c.lookups ?? writers);
    expect(result.plan.conclusion).toBe(c.conclusion);
    for (const text of c.says ?? []) expect(result.plan.summary).toContain(text);
    if (c.actions) expect(result.plan.actions.map((a) => a.identifier)).toEqual(c.actions);
    // The state block written is the state returned: one state, built once.
    expect(decodeState(result.plan.text)).toEqual(result.state);
    expect(result.audit.decision).toMatchObject({ outcome: result.decision.outcome, digest: result.decision.digest });
    c.check?.(result);
  });

  it("plans labels and review requests once per head", () => {
    const policy = policyOf('version: 1\nrules:\n  - name: DBA\n    when: { findings: ["sql/drop-*"] }\n    require: { from: { users: [alice, dev] } }\n    labels: [destructive]\n    request_review: true\n');
    const first = evaluate(facts({ policy: { source: "file", path: ".github/changegate.yml", policy } }), { states: [] }, { kind: "rerun", event: "test" }, writers);
    expect(first.pullActions).toEqual({ addLabels: ["destructive", "changegate:needs-signoff"], removeLabels: [], reviewers: ["alice"], teamReviewers: [] });
    expect(first.state.requested).toBe(true);
    const again = evaluate(facts({ policy: { source: "file", path: ".github/changegate.yml", policy } }), { head: { conclusion: "action_required", state: first.state }, states: [first.state] }, { kind: "rerun", event: "test" }, writers);
    expect(again.pullActions.reviewers).toEqual([]);
  });

  it("lookupsFor asks only about people whose sign-off could count", () => {
    const f = facts({ reviews: [approvedBy("alice"), approvedBy("dev"), { ...approvedBy("helper[bot]"), user: { login: "helper[bot]", type: "Bot" } }] });
    expect(lookupsFor(f, { states: [] }, { kind: "rerun", event: "test" })).toMatchObject({ permissions: ["alice"], teamMembership: [] });
  });

  it("another pull request's state on a shared commit is never read as this one's", () => {
    const foreign = state({ pr: 99, signoffs: [{ user: "alice", userType: "User", headSha: HEAD, at: "2026-11-20T10:30:00Z" }] });
    expect(evaluate(facts(), { states: [foreign] }, { kind: "rerun", event: "test" }, writers).plan.conclusion).toBe("action_required");
  });
});

describe("evaluateFailure", () => {
  it("fails with a re-run button, says what happened, and forgets nobody", () => {
    const earlier: Earlier = { states: [state({ pushers: ["bob"], digests: { [OLD_HEAD]: "v1:x" }, signoffs: [{ user: "alice", userType: "User", headSha: OLD_HEAD, at: "2026-11-20T10:30:00Z" }] })] };
    const { plan, state: next } = evaluateFailure({ pull: { number: 7, headSha: HEAD, baseBranch: "main" }, seq: T0, observedAt: T0 }, earlier, push, "GitHub answered 502: Bad Gateway");
    expect(plan.conclusion).toBe("failure");
    expect(plan.actions.map((a) => a.identifier)).toEqual(["rerun"]);
    expect(plan.summary).toContain("GitHub answered 502");
    expect(plan.summary).toContain("Re-run analysis");
    expect(next.pushers).toEqual(["bob", "mallory"]);
    expect(next.signoffs).toHaveLength(1);
    expect(next.digests).toEqual({ [OLD_HEAD]: "v1:x" });
    expect(decodeState(plan.text)).toEqual(next);
  });
});
