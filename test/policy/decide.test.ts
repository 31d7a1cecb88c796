import { describe, expect, it } from "vitest";
import { decide, LABEL_NEEDS_SIGNOFF, LABEL_SIGNED_OFF, requiredLookups } from "../../src/policy/decide.js";
import { DEFAULT_POLICY, parsePolicy, type LoadedPolicy } from "../../src/policy/load.js";
import type { Policy } from "../../src/policy/schema.js";
import type { Permission, SignOffEvent } from "../../src/policy/types.js";
import { facts, finding, HEAD, OLD_HEAD, policy, signOff, type FactsOptions } from "./fakes.js";

const DBA_POLICY = policy(`
version: 1
rules:
  - name: Destructive database change
    when: { findings: ["sql/drop-*", "sql/truncate"], paths: ["db/**"] }
    require: { approvals: 1, from: { teams: ["acme/dba"], users: ["alice"] } }
    labels: ["destructive:database"]
    request_review: true
`);
const ANY_PUSH = { ...DBA_POLICY, signoff: { ...DBA_POLICY.signoff, invalidate: "on_any_push" as const } };
const DROP = [finding("sql/drop-table", { object: "users", message: "DROP TABLE users" })];
const DIGEST = decide({ findings: DROP, facts: facts(), policy: DBA_POLICY }).digest;
const DBA = { "acme/dba": ["carol", "dan"] };

interface SignOffCase {
  name: string;
  signOffs: SignOffEvent[];
  facts?: FactsOptions;
  policy?: Policy;
  counted: string[];
  /** user → the reason their sign-off did not count. */
  dismissed?: Record<string, RegExp>;
}

const cases: SignOffCase[] = [
  { name: "an eligible team member on the current head counts", signOffs: [signOff("carol")], counted: ["carol"] },
  { name: "a listed user counts without being in the team", signOffs: [signOff("alice")], counted: ["alice"] },
  { name: "logins compare case-insensitively", signOffs: [signOff("Carol")], facts: { teams: { "acme/dba": ["carol"] } }, counted: ["Carol"] },
  {
    name: "the author's approval is ignored",
    signOffs: [signOff("carol")],
    facts: { author: "carol", committers: [] },
    counted: [],
    dismissed: { carol: /opened this pull request \(author\)/ },
  },
  {
    name: "a committer's approval is ignored",
    signOffs: [signOff("dan"), signOff("carol")],
    facts: { committers: ["dev", "DAN"] },
    counted: ["carol"],
    dismissed: { dan: /committed commits in this pull request \(committer\)/ },
  },
  {
    name: "the person who started the agent cannot sign off its pull request",
    signOffs: [signOff("carol")],
    facts: { author: "Copilot", authorKind: "agent", committers: ["copilot-swe-agent[bot]"], initiators: ["carol"] },
    counted: [],
    dismissed: { carol: /started the coding agent .* \(initiator\)/ },
  },
  {
    name: "a bot's approval is ignored, even in the team",
    signOffs: [signOff("dba-helper[bot]", { userType: "Bot" })],
    facts: { teams: { "acme/dba": ["dba-helper[bot]"] } },
    counted: [],
    dismissed: { "dba-helper[bot]": /Bot account \(bot\)/ },
  },
  {
    name: "a coding agent's approval is ignored even with a User account",
    signOffs: [signOff("Copilot")],
    facts: { teams: { "acme/dba": ["Copilot"] } },
    counted: [],
    dismissed: { Copilot: /coding agent/ },
  },
  {
    name: "an agent named in facts.agentLogins is not a person",
    signOffs: [signOff("carol")],
    facts: { agentLogins: ["carol"] },
    counted: [],
    dismissed: { carol: /coding agent/ },
  },
  {
    name: "an older head with an unchanged digest counts under on_relevant_change",
    signOffs: [signOff("carol", { headSha: OLD_HEAD, digest: DIGEST })],
    counted: ["carol"],
  },
  {
    name: "an older head with an unchanged digest does not count under on_any_push",
    signOffs: [signOff("carol", { headSha: OLD_HEAD, digest: DIGEST })],
    policy: ANY_PUSH,
    counted: [],
    dismissed: { carol: /stale: signed off on 0f9e8d7, the head is now a1b2c3d \(signoff\.invalidate: on_any_push\)/ },
  },
  {
    name: "a changed digest voids a sign-off on an older head",
    signOffs: [signOff("carol", { headSha: OLD_HEAD, digest: "v1:somethingelse" })],
    counted: [],
    dismissed: { carol: /stale: .*gating findings changed/ },
  },
  {
    name: "a sign-off on an older head without a recorded digest is stale",
    signOffs: [signOff("carol", { headSha: OLD_HEAD })],
    counted: [],
    dismissed: { carol: /stale: .*no findings digest/ },
  },
  {
    name: "on the current head the digest does not matter",
    signOffs: [signOff("carol", { digest: "v1:old" })],
    counted: ["carol"],
  },
  {
    name: "a later CHANGES_REQUESTED by the same person withdraws the approval",
    signOffs: [signOff("carol"), signOff("carol", { state: "changes_requested", at: "2026-11-20T11:00:00Z" })],
    counted: [],
    dismissed: { carol: /withdrawn: carol requested changes/ },
  },
  {
    name: "a later dismissal withdraws the approval",
    signOffs: [signOff("carol"), signOff("carol", { state: "dismissed", at: "2026-11-20T11:00:00Z" })],
    counted: [],
    dismissed: { carol: /withdrawn: carol had the review dismissed/ },
  },
  {
    name: "events are ordered by time, not by list position",
    signOffs: [signOff("carol", { state: "changes_requested", at: "2026-11-20T11:00:00Z" }), signOff("carol", { at: "2026-11-20T09:00:00Z" })],
    counted: [],
    dismissed: { carol: /withdrawn/ },
  },
  {
    name: "approving again after requesting changes counts",
    signOffs: [
      signOff("carol"),
      signOff("carol", { state: "changes_requested", at: "2026-11-20T11:00:00Z" }),
      signOff("carol", { at: "2026-11-20T12:00:00Z" }),
    ],
    counted: ["carol"],
  },
  {
    name: "another person's CHANGES_REQUESTED does not withdraw an approval",
    signOffs: [signOff("carol"), signOff("dan", { state: "changes_requested", at: "2026-11-20T11:00:00Z" })],
    counted: ["carol"],
  },
  {
    name: "team requirement unmet",
    signOffs: [signOff("erin")],
    counted: [],
    dismissed: { erin: /erin is not in team acme\/dba, alice \(not in team\)/ },
  },
  {
    name: "a failed team lookup does not count",
    signOffs: [signOff("carol")],
    facts: { teams: { "acme/dba": new Error("HTTP 502") } },
    counted: [],
    dismissed: { carol: /could not check carol's membership in acme\/dba: HTTP 502/ },
  },
  {
    name: "insufficient permission",
    signOffs: [signOff("carol")],
    facts: { perms: { carol: "triage" } },
    counted: [],
    dismissed: { carol: /carol has triage permission; write is needed \(insufficient permission\)/ },
  },
  {
    name: "a failed permission lookup does not count",
    signOffs: [signOff("carol")],
    facts: { perms: { carol: new Error("HTTP 403") } },
    counted: [],
    dismissed: { carol: /could not check carol's permission: HTTP 403/ },
  },
  {
    name: "a permission that was never looked up does not count",
    signOffs: [signOff("carol")],
    facts: { permissions: {} },
    counted: [],
    dismissed: { carol: /not looked up/ },
  },
  {
    name: "admin permission is enough for min_permission write",
    signOffs: [signOff("carol")],
    facts: { perms: { carol: "admin" } },
    counted: ["carol"],
  },
  {
    name: "a button sign-off counts like a review",
    signOffs: [signOff("carol", { via: "button" })],
    counted: ["carol"],
  },
];

describe("decide: who counts", () => {
  it.each(cases)("$name", ({ signOffs, facts: options, policy: p, counted, dismissed }) => {
    const decision = decide({ findings: DROP, facts: facts({ teams: DBA, ...options, signOffs }), policy: p ?? DBA_POLICY });
    // The critical DROP TABLE also meets the built-in floor, which judges the same people (any team).
    expect(decision.rules.map((r) => [r.name, !!r.builtin])).toEqual([
      ["Destructive database change", false],
      ["High-severity changes", true],
      ...(options?.authorKind === "agent" ? [["Agent-authored changes", true]] : []),
    ]);
    const [rule, floor] = [decision.rules[0]!, decision.rules[1]!];
    expect(rule.counted.map((c) => c.user)).toEqual(counted);
    expect(floor.counted.map((c) => c.user)).toEqual(expect.arrayContaining(counted));
    for (const [user, reason] of Object.entries(dismissed ?? {})) {
      expect(rule.dismissed.find((d) => d.user === user)?.reason, JSON.stringify(rule.dismissed)).toMatch(reason);
      // Who someone is, when they signed and what they may do hold for the floor too; only `from` is the repository rule's own.
      if (!/team|membership/.test(reason.source)) expect(floor.dismissed.find((d) => d.user === user)?.reason).toMatch(reason);
    }
    expect(rule.status).toBe(counted.length >= 1 ? "satisfied" : "pending");
    expect(decision.outcome).toBe(counted.length >= 1 ? "pass" : "needs-signoff");
    expect(decision.conclusion).toBe(counted.length >= 1 ? "success" : "action_required");
  });

  it("each person counts once per rule", () => {
    const two = { ...DBA_POLICY, rules: [{ ...DBA_POLICY.rules[0]!, require: { ...DBA_POLICY.rules[0]!.require!, approvals: 2 } }] };
    const decision = decide({
      findings: DROP,
      facts: facts({ teams: DBA, signOffs: [signOff("carol"), signOff("carol", { via: "button", at: "2026-11-20T10:05:00Z" })] }),
      policy: two,
    });
    expect(decision.rules[0]).toMatchObject({ status: "pending", required: 2, reason: "1/2 sign-offs from acme/dba or alice (carol)" });
    expect(decision.summary).toBe("Needs 1 sign-off from acme/dba or alice: sql/drop-table users");
  });
});

const TWO_TEAMS = policy(`
version: 1
rules:
  - name: Database
    when: { findings: ["sql/*"] }
    require: { from: { teams: ["acme/dba"] } }
  - name: Infrastructure
    when: { findings: ["tf/*"] }
    require: { from: { teams: ["acme/platform"] } }
`);
const MIXED = [finding("sql/drop-table"), finding("tf/destroy", { file: "infra/main.tf", object: "aws_db_instance.main" })];
const TEAMS = { "acme/dba": ["carol"], "acme/platform": ["paul"] };

describe("decide: rules", () => {
  it("two rules each need their own team", () => {
    const one = decide({ findings: MIXED, facts: facts({ teams: TEAMS, signOffs: [signOff("carol")] }), policy: TWO_TEAMS });
    expect(one.rules.map((r) => [r.name, r.status, r.counted.map((c) => c.user)])).toEqual([
      ["Database", "satisfied", ["carol"]],
      ["Infrastructure", "pending", []],
      // Both findings are high or critical: the floor gates them too, and any eligible person meets it.
      ["High-severity changes", "satisfied", ["carol"]],
    ]);
    expect(one.rules[1]!.dismissed).toEqual([{ user: "carol", reason: "carol is not in team acme/platform (not in team)" }]);
    expect(one.outcome).toBe("needs-signoff");
    expect(one.summary).toBe("Needs 1 sign-off from acme/platform: tf/destroy aws_db_instance.main");

    const both = decide({ findings: MIXED, facts: facts({ teams: TEAMS, signOffs: [signOff("carol"), signOff("paul")] }), policy: TWO_TEAMS });
    expect(both.outcome).toBe("pass");
    expect(both.conclusion).toBe("success");
    expect(both.summary).toBe("Signed off by carol, paul");
  });

  const BLOCKING = policy(`
version: 1
rules:
  - name: Destructive database change
    when: { findings: ["sql/drop-*"] }
    require: { approvals: 1 }
  - name: Agents never drop schemas
    when: { author: agent, findings: ["sql/drop-database", "sql/drop-schema"] }
    block: "Open this change as a person, not through an agent."
`);
  const SCHEMA_DROP = [finding("sql/drop-schema", { object: "billing", severity: "critical" })];

  it("a block rule cannot be signed off", () => {
    const decision = decide({
      findings: SCHEMA_DROP,
      facts: facts({ authorKind: "agent", author: "Copilot", signOffs: [signOff("carol"), signOff("dan")] }),
      policy: BLOCKING,
    });
    expect(decision.outcome).toBe("blocked");
    expect(decision.conclusion).toBe("failure");
    // The floor's rules match too (critical, agent-authored) and are met by the same sign-offs; the block still wins.
    expect(decision.rules.map((r) => [r.name, r.status])).toEqual([
      ["Destructive database change", "satisfied"],
      ["Agents never drop schemas", "blocked"],
      ["High-severity changes", "satisfied"],
      ["Agent-authored changes", "satisfied"],
    ]);
    expect(decision.rules[1]).toMatchObject({ block: "Open this change as a person, not through an agent.", counted: [] });
    expect(decision.blockReasons).toEqual(["Agents never drop schemas: Open this change as a person, not through an agent."]);
    expect(decision.summary).toBe("Blocked: Agents never drop schemas: Open this change as a person, not through an agent.");
    expect(decision.labels.add).toContain(LABEL_NEEDS_SIGNOFF);
  });

  it("the block rule does not match a human author", () => {
    const decision = decide({ findings: SCHEMA_DROP, facts: facts({ signOffs: [signOff("carol")] }), policy: BLOCKING });
    expect(decision.rules.map((r) => r.name)).toEqual(["Destructive database change", "High-severity changes"]);
    expect(decision.outcome).toBe("pass");
  });

  it.each([
    ["a block rule", { authorKind: "agent" as const }, "blocked"],
    ["a missing sign-off", {}, "needs-signoff"],
  ])("report-only never blocks: %s", (_name, options, wouldBe) => {
    const decision = decide({ findings: SCHEMA_DROP, facts: facts(options), policy: { ...BLOCKING, mode: "report-only" } });
    expect(decision.outcome).toBe("pass");
    expect(decision.conclusion).toBe("neutral");
    expect(decision.wouldBe).toBe(wouldBe);
    expect(decision.mode).toBe("report-only");
    expect(decision.rules.some((r) => r.status !== "satisfied")).toBe(true);
    expect(decision.summary).toMatch(new RegExp(`^Report-only \\(would be ${wouldBe}\\)`));
    expect(decision.labels.add).not.toContain(LABEL_NEEDS_SIGNOFF);
    expect(decision.labels.remove).toEqual(expect.arrayContaining([LABEL_NEEDS_SIGNOFF, LABEL_SIGNED_OFF]));
    expect(decision.reviewers).toEqual({ users: [], teams: [] });
  });

  it("report-only with analysis errors still never blocks", () => {
    const decision = decide({ findings: [], facts: facts(), policy: { ...BLOCKING, mode: "report-only" }, analysisErrors: ["HTTP 502"] });
    expect([decision.outcome, decision.conclusion, decision.wouldBe]).toEqual(["pass", "neutral", "blocked"]);
  });

  it("agents.extra_approvals adds sign-offs on agent-authored pull requests only", () => {
    const extra = { ...DBA_POLICY, agents: { logins: [], extra_approvals: 1 } };
    const agentPr = { author: "devin-ai-integration[bot]", authorKind: "agent" as const, teams: DBA };
    const one = decide({ findings: DROP, facts: facts({ ...agentPr, signOffs: [signOff("carol")] }), policy: extra });
    expect(one.rules[0]).toMatchObject({ required: 2, status: "pending" });
    expect(one.rules[0]!.reason).toMatch(/1\/2 sign-offs from acme\/dba or alice, 1 extra for an agent-authored pull request/);
    const two = decide({ findings: DROP, facts: facts({ ...agentPr, signOffs: [signOff("carol"), signOff("dan")] }), policy: extra });
    expect(two.rules[0]).toMatchObject({ required: 2, status: "satisfied" });
    const human = decide({ findings: DROP, facts: facts({ teams: DBA, signOffs: [signOff("carol")] }), policy: extra });
    expect(human.rules[0]).toMatchObject({ required: 1, status: "satisfied" });
  });
});

describe("decide: matching", () => {
  const MATCHING = policy(`
version: 1
rules:
  - name: Release branches
    when: { base_branches: ["release/*"], severity: medium }
    require: { approvals: 1 }
  - name: Migrations
    when: { findings: ["sql/drop-column"], paths: ["db/migrate/**"], severity: high }
    require: { approvals: 1 }
  - name: Bots
    when: { author: bot }
    labels: ["bot-change"]
ignore:
  - findings: ["sql/blocking-index"]
    paths: ["db/seeds/**"]
  - paths: ["**/testdata/**"]
`);
  const run = (findings: ReturnType<typeof finding>[], options: FactsOptions = {}) => decide({ findings, facts: facts(options), policy: MATCHING });

  it.each([
    // A high finding always meets the built-in floor, whichever of the policy's own rules it matches.
    { name: "id, path and severity all match", f: finding("sql/drop-column"), options: {}, rules: ["Migrations", "High-severity changes"] },
    { name: "path globs are anchored", f: finding("sql/drop-column", { file: "vendor/db/migrate/1.sql" }), options: {}, rules: ["High-severity changes"] },
    { name: "below the minimum severity", f: finding("sql/drop-column", { severity: "medium" }), options: {}, rules: [] },
    { name: "another id", f: finding("sql/drop-index"), options: {}, rules: ["High-severity changes"] },
    { name: "base branch glob", f: finding("sql/not-null", { severity: "medium" }), options: { baseBranch: "release/2.1" }, rules: ["Release branches"] },
    { name: "base branch glob, other branch", f: finding("sql/not-null", { severity: "medium" }), options: { baseBranch: "main" }, rules: [] },
    { name: "author kind", f: finding("sql/not-null", { severity: "low" }), options: { authorKind: "bot" as const }, rules: ["Bots"] },
  ])("$name", ({ f, options, rules }) => {
    expect(run([f], options).rules.map((r) => r.name)).toEqual(rules);
  });

  it("ignore entries drop findings before rules apply, never gate/* findings", () => {
    const seeds = finding("sql/blocking-index", { file: "db/seeds/1.sql", severity: "medium" });
    const elsewhere = finding("sql/blocking-index", { file: "db/migrate/1.sql", severity: "medium" });
    const testdata = finding("sql/drop-column", { file: "db/migrate/testdata/1.sql" });
    const gate = finding("gate/config-change", { file: "testdata/.github/changegate.yml", severity: "high" });
    const decision = run([seeds, elsewhere, testdata, gate]);
    expect(decision.ignored).toEqual([seeds, testdata]);
    expect(decision.nonGating).toEqual([elsewhere]);
    // The high gate/config-change meets two built-in rules; the ignored drop-column meets none.
    expect(decision.rules.map((r) => [r.name, r.builtin, r.findings])).toEqual([
      ["High-severity changes", true, [gate]],
      ["Changes to the gate", true, [gate]],
    ]);
  });

  it("labels-only rules label without gating", () => {
    const decision = run([finding("sql/not-null", { severity: "low" })], { authorKind: "bot" });
    expect(decision.rules[0]).toMatchObject({ name: "Bots", status: "satisfied", required: 0 });
    expect(decision.conclusion).toBe("neutral");
    expect(decision.labels.add).toEqual(["bot-change"]);
    expect(decision.summary).toBe("1 finding, none needs sign-off");
  });
});

describe("decide: the default policy", () => {
  const LOADED: LoadedPolicy = { source: "default", path: ".github/changegate.yml", policy: DEFAULT_POLICY };
  it.each([
    { name: "no findings pass", findings: [], kind: "human" as const, outcome: "pass", conclusion: "success" },
    { name: "high needs a sign-off", findings: [finding("sql/drop-column", { severity: "high" })], kind: "human" as const, outcome: "needs-signoff", conclusion: "action_required" },
    { name: "medium on a human PR does not gate", findings: [finding("sql/drop-index", { severity: "medium" })], kind: "human" as const, outcome: "pass", conclusion: "neutral" },
    { name: "medium on an agent PR gates", findings: [finding("sql/drop-index", { severity: "medium" })], kind: "agent" as const, outcome: "needs-signoff", conclusion: "action_required" },
    { name: "low on an agent PR does not gate", findings: [finding("sql/rename", { severity: "low" })], kind: "agent" as const, outcome: "pass", conclusion: "neutral" },
    { name: "a medium gate/config-change always gates", findings: [finding("gate/config-change", { severity: "medium", file: ".github/workflows/ci.yml" })], kind: "human" as const, outcome: "needs-signoff", conclusion: "action_required" },
  ])("$name", ({ findings, kind, outcome, conclusion }) => {
    const decision = decide({ findings, facts: facts({ authorKind: kind }), policy: LOADED });
    expect([decision.outcome, decision.conclusion]).toEqual([outcome, conclusion]);
    expect(decision.policy).toEqual({ source: "default", path: ".github/changegate.yml" });
    for (const rule of decision.rules) expect(rule.builtin).toBe(true);
  });

  it("any eligible person signs off under the default policy", () => {
    const decision = decide({ findings: [finding("sql/drop-column")], facts: facts({ signOffs: [signOff("carol")] }), policy: LOADED });
    expect(decision.outcome).toBe("pass");
    expect(decision.labels).toEqual({ add: [LABEL_SIGNED_OFF], remove: [LABEL_NEEDS_SIGNOFF] });
  });

  it("gate/config-change gates even when the policy's rules do not mention it", () => {
    const decision = decide({ findings: [finding("gate/config-change", { severity: "medium" })], facts: facts(), policy: DBA_POLICY });
    expect(decision.rules).toMatchObject([{ name: "Changes to the gate", builtin: true, status: "pending", required: 1 }]);
    expect(decision.outcome).toBe("needs-signoff");
  });
});

describe("decide: fail closed", () => {
  it("an invalid policy blocks with its validation errors, even with no findings", () => {
    const parsed = parsePolicy("version: 1\nmode: strict\n");
    if (parsed.ok) throw new Error("expected invalid");
    const decision = decide({ findings: [], facts: facts({ signOffs: [signOff("carol")] }), policy: { source: "invalid", path: ".github/changegate.yml", errors: parsed.errors } });
    expect(decision.outcome).toBe("blocked");
    expect(decision.conclusion).toBe("failure");
    expect(decision.blockReasons).toEqual([expect.stringMatching(/^Invalid policy: \.github\/changegate\.yml:2:7: mode: must be one of/)]);
    expect(decision.summary).toMatch(/policy .* is invalid \(1 error\)/);
    expect(decision.policy).toEqual({ source: "invalid", path: ".github/changegate.yml" });
  });

  it("malformed facts never throw and never pass", () => {
    const broken = { ...facts(), signOffs: null } as unknown as ReturnType<typeof facts>;
    const decision = decide({ findings: DROP, facts: broken, policy: DBA_POLICY });
    expect([decision.outcome, decision.conclusion]).toEqual(["blocked", "failure"]);
    expect(decision.blockReasons[0]).toMatch(/^Internal error while deciding/);
  });

  it("analysis errors block", () => {
    const decision = decide({ findings: [], facts: facts(), policy: DBA_POLICY, analysisErrors: ["db/1.sql: HTTP 502"] });
    expect([decision.outcome, decision.conclusion]).toEqual(["blocked", "failure"]);
    expect(decision.blockReasons).toEqual(["Analysis error: db/1.sql: HTTP 502"]);
  });
});

describe("decide: labels, reviewers, summary", () => {
  it("pending: rule labels and needs-signoff; reviewers are the rule's users and teams minus the author", () => {
    const decision = decide({ findings: DROP, facts: facts({ author: "alice", committers: [] }), policy: DBA_POLICY });
    expect(decision.labels).toEqual({ add: ["destructive:database", LABEL_NEEDS_SIGNOFF], remove: [LABEL_SIGNED_OFF] });
    expect(decision.reviewers).toEqual({ users: [], teams: ["acme/dba"] });
    const other = decide({ findings: DROP, facts: facts(), policy: DBA_POLICY });
    expect(other.reviewers).toEqual({ users: ["alice"], teams: ["acme/dba"] });
    expect(other.summary).toBe("Needs 1 sign-off from acme/dba or alice: sql/drop-table users (+1 more rule)");
  });

  it("satisfied: signed-off label, no review requests", () => {
    const decision = decide({ findings: DROP, facts: facts({ teams: DBA, signOffs: [signOff("carol")] }), policy: DBA_POLICY });
    expect(decision.labels).toEqual({ add: ["destructive:database", LABEL_SIGNED_OFF], remove: [LABEL_NEEDS_SIGNOFF] });
    expect(decision.reviewers).toEqual({ users: [], teams: [] });
    expect(decision.summary).toBe("Signed off by carol");
  });

  it("no match: every managed and rule label is removed", () => {
    const decision = decide({ findings: [], facts: facts(), policy: DBA_POLICY });
    expect(decision.labels).toEqual({ add: [], remove: ["destructive:database", LABEL_NEEDS_SIGNOFF, LABEL_SIGNED_OFF] });
    expect(decision.summary).toBe("No destructive changes found");
    expect(decision.conclusion).toBe("success");
  });

  it("decide does not mutate its input", () => {
    const input = { findings: DROP, facts: facts({ teams: DBA, signOffs: [signOff("carol")] }), policy: DBA_POLICY };
    const before = JSON.stringify(input);
    decide(input);
    expect(JSON.stringify(input)).toBe(before);
  });
});

describe("requiredLookups", () => {
  it("asks only for the people whose sign-off could still count, and the teams their rules name", () => {
    const signOffs = [
      signOff("carol"),
      signOff("alice"),
      signOff("dev"), // the author
      signOff("bot[bot]", { userType: "Bot" }),
      signOff("erin", { headSha: OLD_HEAD, digest: "v1:old" }), // stale
      signOff("frank"),
      signOff("frank", { state: "changes_requested", at: "2026-11-20T12:00:00Z" }), // withdrawn
    ];
    const { permissions: _p, teamMembership: _t, ...bare } = facts({ signOffs });
    const needed = requiredLookups(DROP, bare, DBA_POLICY);
    expect(needed).toEqual({ permissions: ["alice", "carol"], teamMembership: [{ team: "acme/dba", user: "carol" }], digest: DIGEST });
  });

  it("asks for nothing when nothing needs sign-off or the policy is invalid", () => {
    const { permissions: _p, teamMembership: _t, ...bare } = facts({ signOffs: [signOff("carol")] });
    expect(requiredLookups([], bare, DBA_POLICY)).toMatchObject({ permissions: [], teamMembership: [] });
    expect(requiredLookups(DROP, bare, { source: "invalid", path: "x", errors: [] })).toMatchObject({ permissions: [], teamMembership: [] });
  });

  it("resolving exactly what it lists is enough for decide", () => {
    const signOffs = [signOff("carol")];
    const { permissions: _p, teamMembership: _t, ...bare } = facts({ signOffs });
    const needed = requiredLookups(DROP, bare, DBA_POLICY);
    const permissions: Record<string, { ok: true; value: Permission }> = {};
    for (const user of needed.permissions) permissions[user] = { ok: true, value: "write" };
    const teamMembership: Record<string, Record<string, { ok: true; value: boolean }>> = {};
    for (const { team, user } of needed.teamMembership) (teamMembership[team] ??= {})[user] = { ok: true, value: true };
    expect(decide({ findings: DROP, facts: { ...bare, permissions, teamMembership }, policy: DBA_POLICY }).outcome).toBe("pass");
    expect(HEAD).toBe(bare.headSha);
  });
});
