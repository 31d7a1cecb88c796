/**
 * Pure decision cases an attacker would try: a named user who is also the author, a bot listed in
 * `from.users`, a login in odd case, an unknown permission, a review whose commit is gone, a lone
 * withdrawal without an approval, and a report-only policy that must never mark anything signed off.
 */
import { describe, expect, it } from "vitest";
import { decide, LABEL_SIGNED_OFF } from "../../src/policy/decide.js";
import type { Permission, SignOffEvent } from "../../src/policy/types.js";
import { facts, finding, HEAD, policy, signOff, type FactsOptions } from "./fakes.js";

const PARSED = policy(`
version: 1
rules:
  - name: Named reviewers
    when: { findings: ["sql/drop-*"] }
    require: { approvals: 1, from: { users: ["dev", "Copilot", "alice"] } }
`);
// The schema refuses bot logins in `from.users`; decide must hold even if one got there.
const NAMED = {
  ...PARSED,
  rules: PARSED.rules.map((r) => ({ ...r, require: { ...r.require!, from: { teams: [], users: [...r.require!.from!.users, "deploy-bot[bot]"] } } })),
};
const DROP = [finding("sql/drop-table", { object: "users", message: "DROP TABLE users" })];

function rule(signOffs: SignOffEvent[], options: FactsOptions = {}) {
  const decision = decide({ findings: DROP, facts: facts({ ...options, signOffs }), policy: NAMED });
  // The built-in floor gates the critical DROP too; every signer here is in from.users, so it must
  // count exactly the people the named rule counts: identity and bindings hold for both.
  expect(decision.rules.map((r) => r.name)).toEqual(["Named reviewers", "High-severity changes"]);
  expect(decision.rules[1]!.counted).toEqual(decision.rules[0]!.counted);
  return { decision, rule: decision.rules[0]! };
}

describe("decide: identity beats a `from` list", () => {
  it.each([
    ["the author, even when named in from.users", signOff("dev"), /\(author\)/],
    ["the author in another letter case", signOff("DEV"), /\(author\)/],
    ["a bot named in from.users", signOff("deploy-bot[bot]", { userType: "Bot" }), /bot/],
    ["a coding agent named in from.users, on a User account, in odd case", signOff("COPILOT"), /coding agent/],
    ["an Organization account", signOff("alice", { userType: "Organization" }), /only people sign off/],
    ["a co-author or pusher (passed in as a committer)", signOff("alice"), /committer/],
  ])("refuses %s", (_what, event, reason) => {
    const { decision, rule: r } = rule([event], { committers: ["ALICE"], author: "dev" });
    expect(r.counted).toEqual([]);
    expect(r.dismissed[0]?.reason).toMatch(reason);
    expect(decision.conclusion).toBe("action_required");
  });
});

describe("decide: lookups and bindings fail closed", () => {
  it("an unknown permission value never satisfies min_permission", () => {
    const { rule: r } = rule([signOff("alice")], { committers: [], perms: { alice: "custom-role" as Permission } });
    expect(r.counted).toEqual([]);
  });

  it("a review whose commit was garbage-collected (no commit id, no digest) does not count on a gating head", () => {
    const { rule: r } = rule([signOff("alice", { headSha: "" })], { committers: [] });
    expect(r.counted).toEqual([]);
    expect(r.dismissed[0]?.reason).toMatch(/stale/);
  });

  it("a digest on the event is only believed for an older head that the app recorded: a wrong one is stale", () => {
    const { rule: r } = rule([signOff("alice", { headSha: "0".repeat(40), digest: "v1:forged" })], { committers: [] });
    expect(r.counted).toEqual([]);
    expect(r.dismissed[0]?.reason).toMatch(/gating findings changed/);
  });

  it("a withdrawal with no earlier approval does nothing, and an approval after it counts", () => {
    const events = [signOff("alice", { state: "changes_requested", at: "2026-11-20T09:00:00Z" }), signOff("alice", { at: "2026-11-20T10:00:00Z" })];
    expect(rule(events, { committers: [] }).rule.counted.map((c) => c.user)).toEqual(["alice"]);
  });

  it("a button press before a later CHANGES_REQUESTED by the same person is withdrawn", () => {
    const events = [signOff("alice", { via: "button", at: "2026-11-20T10:00:00Z" }), signOff("alice", { state: "changes_requested", at: "2026-11-20T11:00:00Z" })];
    const { decision, rule: r } = rule(events, { committers: [] });
    expect(r.counted).toEqual([]);
    expect(decision.conclusion).toBe("action_required");
  });

  it("a report-only policy never claims a sign-off and never adds the signed-off label", () => {
    const reportOnly = { ...NAMED, mode: "report-only" as const };
    const decision = decide({ findings: DROP, facts: facts({ committers: [], signOffs: [] }), policy: reportOnly });
    expect(decision.conclusion).toBe("neutral");
    expect(decision.labels.add).not.toContain(LABEL_SIGNED_OFF);
  });

  it("the head SHA binding is exact: a prefix of the head is another commit", () => {
    const { rule: r } = rule([signOff("alice", { headSha: HEAD.slice(0, 7) })], { committers: [] });
    expect(r.counted).toEqual([]);
  });
});
