/**
 * The built-in rules are a floor (DESIGN §3): a policy's rules add to them, so a policy that only
 * blocks agents, only labels, or only names a team for some findings still leaves a human's high
 * finding and an agent's medium finding gated. `defaults: false` turns the floor off, and
 * validation says what that drops.
 */
import { describe, expect, it } from "vitest";
import { decide, requiredLookups } from "../../src/policy/decide.js";
import { floorGaps } from "../../src/policy/floor.js";
import { parsePolicy } from "../../src/policy/load.js";
import { facts, finding, policy, signOff } from "./fakes.js";

const BLOCK_ONLY = `
rules:
  - name: Agents never drop tables
    when: { author: agent, findings: ["sql/drop-table"] }
    block: "Open this change as a person."
`;
const LABELS_ONLY = `
rules:
  - name: Label database changes
    when: { findings: ["sql/*"] }
    labels: ["database"]
`;
const TEAM_ONLY = `
rules:
  - name: Platform signs off on infrastructure
    when: { findings: ["tf/*"] }
    require: { from: { teams: ["acme/platform"] } }
`;

// A human's DROP TABLE (critical) and an agent's blocking index (medium): what the floor gates.
const HUMAN_HIGH = { findings: [finding("sql/drop-table", { severity: "critical", object: "orders" })], kind: "human" as const };
const AGENT_MEDIUM = { findings: [finding("sql/blocking-index", { severity: "medium", object: "orders_by_customer" })], kind: "agent" as const };

describe("the floor: a policy's rules add to the built-in ones", () => {
  it.each([
    ["block-only", BLOCK_ONLY],
    ["labels-only", LABELS_ONLY],
    ["team-only", TEAM_ONLY],
  ])("a %s policy still gates a human's high finding and an agent's medium one", (_name, rules) => {
    const p = policy(`version: 1\n${rules}`);
    const human = decide({ findings: HUMAN_HIGH.findings, facts: facts({ authorKind: "human" }), policy: p });
    expect([human.outcome, human.conclusion]).toEqual(["needs-signoff", "action_required"]);
    expect(human.rules.find((r) => r.status === "pending")).toMatchObject({ name: "High-severity changes", builtin: true, required: 1, findings: HUMAN_HIGH.findings });
    expect(human.digest).not.toBe(decide({ findings: [], facts: facts(), policy: p }).digest);

    const agent = decide({ findings: AGENT_MEDIUM.findings, facts: facts({ author: "Copilot", authorKind: "agent" }), policy: p });
    expect([agent.outcome, agent.conclusion]).toEqual(["needs-signoff", "action_required"]);
    expect(agent.rules.find((r) => r.status === "pending")).toMatchObject({ name: "Agent-authored changes", builtin: true });

    // An eligible person meets the floor.
    const signed = decide({ findings: HUMAN_HIGH.findings, facts: facts({ signOffs: [signOff("carol")] }), policy: p });
    expect(signed.outcome).toBe("pass");
  });

  it.each([
    ["block-only", BLOCK_ONLY],
    ["labels-only", LABELS_ONLY],
    ["team-only", TEAM_ONLY],
  ])("the same %s policy with `defaults: false` gates neither", (_name, rules) => {
    const p = policy(`version: 1\ndefaults: false\n${rules}`);
    for (const { findings, kind } of [HUMAN_HIGH, AGENT_MEDIUM]) {
      const decision = decide({ findings, facts: facts({ authorKind: kind }), policy: p });
      expect(decision.outcome).toBe("pass");
      expect(decision.conclusion).toBe("neutral");
      expect(decision.rules.filter((r) => r.builtin)).toEqual([]);
    }
  });

  it("the block rule still blocks an agent's DROP TABLE, beside the floor", () => {
    const decision = decide({ findings: HUMAN_HIGH.findings, facts: facts({ author: "Copilot", authorKind: "agent", signOffs: [signOff("carol")] }), policy: policy(`version: 1\n${BLOCK_ONLY}`) });
    expect(decision.outcome).toBe("blocked");
    expect(decision.rules.map((r) => [r.name, r.status])).toEqual([
      ["Agents never drop tables", "blocked"],
      ["High-severity changes", "satisfied"],
      ["Agent-authored changes", "satisfied"],
    ]);
  });

  it("labels-only rules still label, and the floor gates", () => {
    const decision = decide({ findings: HUMAN_HIGH.findings, facts: facts(), policy: policy(`version: 1\n${LABELS_ONLY}`) });
    expect(decision.labels.add).toEqual(["database", "changegate:needs-signoff"]);
  });

  describe("a sign-off against the floor and a stricter repository rule", () => {
    const STRICT = policy(`
version: 1
rules:
  - name: DBA signs off on drops
    when: { findings: ["sql/drop-*"] }
    require: { approvals: 2, from: { teams: ["acme/dba"] } }
`);
    const DBA = { "acme/dba": ["carol", "dan"] };
    const run = (...who: string[]) => decide({ findings: HUMAN_HIGH.findings, facts: facts({ teams: DBA, signOffs: who.map((u) => signOff(u)) }), policy: STRICT });

    it("one person outside the team meets the floor, not the rule", () => {
      const d = run("erin");
      expect(d.rules.map((r) => [r.name, r.status, r.reason])).toEqual([
        ["DBA signs off on drops", "pending", "0/2 sign-offs from acme/dba"],
        ["High-severity changes", "satisfied", "satisfied: 1/1 sign-off from an eligible reviewer (erin)"],
      ]);
      expect(d.outcome).toBe("needs-signoff");
      expect(d.summary).toBe("Needs 2 sign-offs from acme/dba: sql/drop-table orders");
    });

    it("two team members meet both, each counted once per rule", () => {
      const d = run("carol", "dan");
      expect(d.rules.map((r) => [r.name, r.status, r.counted.map((c) => c.user)])).toEqual([
        ["DBA signs off on drops", "satisfied", ["carol", "dan"]],
        ["High-severity changes", "satisfied", ["carol", "dan"]],
      ]);
      expect([d.outcome, d.conclusion, d.summary]).toEqual(["pass", "success", "Signed off by carol, dan"]);
    });

    it("requiredLookups asks for the floor's signers too", () => {
      const { permissions: _p, teamMembership: _t, ...bare } = facts({ signOffs: [signOff("erin")] });
      expect(requiredLookups(HUMAN_HIGH.findings, bare, STRICT)).toMatchObject({ permissions: ["erin"], teamMembership: [{ team: "acme/dba", user: "erin" }] });
    });
  });

  it("ignore entries apply to the floor as to the rules, but never to gate/* findings", () => {
    const p = policy(`
version: 1
ignore:
  - paths: ["db/seeds/**", ".github/**"]
`);
    const seed = finding("sql/drop-table", { file: "db/seeds/reset.sql", severity: "critical" });
    const gate = finding("gate/config-change", { file: ".github/changegate.yml", severity: "high" });
    const decision = decide({ findings: [seed, gate], facts: facts(), policy: p });
    expect(decision.ignored).toEqual([seed]);
    expect(decision.rules.map((r) => [r.name, r.findings])).toEqual([
      ["High-severity changes", [gate]],
      ["Changes to the gate", [gate]],
    ]);
    expect(decision.outcome).toBe("needs-signoff");
  });

  it("with `defaults: false`, gate/* findings still gate", () => {
    const decision = decide({ findings: [finding("gate/config-change", { severity: "medium" })], facts: facts(), policy: policy(`version: 1\ndefaults: false\n${LABELS_ONLY}`) });
    expect(decision.rules).toMatchObject([{ name: "Changes to the gate", builtin: true, status: "pending" }]);
  });
});

describe("floorGaps: what `defaults: false` drops", () => {
  const gaps = (text: string) => {
    const result = parsePolicy(text);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return { gaps: floorGaps(result.policy), warnings: result.warnings };
  };

  it("nothing while the floor is on", () => {
    expect(gaps(`version: 1\n${BLOCK_ONLY}`)).toEqual({ gaps: [], warnings: [] });
  });

  it("a labels-only policy drops both sign-off rules, named with what they gated", () => {
    const { gaps: g, warnings } = gaps(`version: 1\ndefaults: false\n${LABELS_ONLY}`);
    expect(g.map((x) => [x.rule, x.description])).toEqual([
      ["High-severity changes", "critical and high findings on pull requests by people, coding agents or bots"],
      ["Agent-authored changes", "critical, high and medium findings on pull requests by coding agents"],
    ]);
    expect(warnings.map((w) => [w.line, w.column, w.path])).toEqual([
      [2, 11, "defaults"],
      [2, 11, "defaults"],
    ]);
    expect(warnings[0]!.message).toBe(
      'defaults: false drops the built-in rule "High-severity changes": no rule here gates critical and high findings on pull requests by people, coding agents or bots, so they can merge without sign-off',
    );
  });

  it("a rule that gates every high finding by anyone leaves only the agents' medium ones", () => {
    const { gaps: g } = gaps(`version: 1
defaults: false
rules:
  - name: Everything high
    when: { severity: high }
    require: { approvals: 1 }
`);
    expect(g.map((x) => [x.rule, x.description])).toEqual([["Agent-authored changes", "medium findings on pull requests by coding agents"]]);
  });

  it("a rule narrowed by findings, paths or branch gates only some, so the gap stays", () => {
    for (const narrowing of ['findings: ["sql/*"]', 'paths: ["db/**"]', 'base_branches: ["main"]']) {
      const { gaps: g } = gaps(`version: 1
defaults: false
rules:
  - name: Narrow
    when: { severity: medium, ${narrowing} }
    require: { approvals: 1 }
`);
      expect(g.map((x) => x.rule)).toEqual(["High-severity changes", "Agent-authored changes"]);
    }
  });

  it("rules that replace the floor in full leave no gap, and no warning", () => {
    expect(
      gaps(`version: 1
defaults: false
rules:
  - name: Humans and bots
    when: { severity: high }
    require: { approvals: 1, from: { teams: ["acme/dba"] } }
  - name: Agents
    when: { author: agent, severity: medium }
    block: "Not through an agent."
`),
    ).toEqual({ gaps: [], warnings: [] });
  });

  it("a rule for humans only leaves bots' and agents' high findings ungated", () => {
    const { gaps: g } = gaps(`version: 1
defaults: false
rules:
  - name: People
    when: { author: human, severity: high }
    require: { approvals: 1 }
`);
    expect(g.map((x) => [x.rule, x.description])).toEqual([
      ["High-severity changes", "critical and high findings on pull requests by coding agents or bots"],
      ["Agent-authored changes", "critical, high and medium findings on pull requests by coding agents"],
    ]);
  });
});
