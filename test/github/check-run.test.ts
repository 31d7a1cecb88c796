import { describe, expect, it } from "vitest";
import type { Finding } from "../../src/model/finding.js";
import type { Decision, RuleResult } from "../../src/policy/types.js";
import { OUTPUT_LIMIT, planCheckRun, type CheckRunInput } from "../../src/report/check-run.js";
import { decodeState, encodeState, mergeStates, type GateState } from "../../src/gate/state.js";
import { decide } from "../../src/policy/decide.js";
import { parsePolicy } from "../../src/policy/load.js";

function drop(i: number): Finding {
  return { rule: "sql/drop-table", severity: "critical", category: "data-loss", file: "db/migrate/1.sql", line: i + 1, object: `t${i}`, message: `DROP TABLE t${i}`, side: "head" };
}

function decision(findings: Finding[], over: Partial<Decision> = {}): Decision {
  const rule: RuleResult = {
    name: "Destructive change",
    status: "pending",
    reason: "0/1 sign-offs from an eligible reviewer",
    findings,
    required: 1,
    from: { teams: ["acme/dba"], users: [] },
    counted: [],
    dismissed: [{ user: "bob", reason: "bob opened this pull request (author)" }],
  };
  return {
    outcome: "needs-signoff",
    conclusion: "action_required",
    mode: "enforce",
    rules: [rule],
    nonGating: [],
    ignored: [],
    digest: "v1:abc",
    labels: { add: [], remove: [] },
    reviewers: { users: [], teams: [] },
    blockReasons: [],
    summary: "Needs 1 sign-off",
    ...over,
  };
}

function input(findings: Finding[], over: Partial<CheckRunInput> = {}): CheckRunInput {
  return { headSha: "a".repeat(40), decision: decision(findings), findings, policy: { source: "default", path: ".github/changegate.yml" }, ...over };
}

describe("planCheckRun", () => {
  it("batches annotations by 50, gating ones at failure level, and offers the Sign off button", () => {
    const findings = Array.from({ length: 120 }, (_, i) => drop(i));
    const plan = planCheckRun(input(findings));
    expect(plan.annotationBatches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(plan.annotationBatches[0]![0]).toMatchObject({ path: "db/migrate/1.sql", start_line: 1, end_line: 1, annotation_level: "failure" });
    expect(plan.conclusion).toBe("action_required");
    expect(plan.actions).toEqual([{ label: "Sign off", identifier: "signoff", description: expect.any(String) }]);
    for (const a of plan.actions) {
      expect(a.label.length).toBeLessThanOrEqual(20);
      expect(a.identifier.length).toBeLessThanOrEqual(20);
      expect(a.description.length).toBeLessThanOrEqual(40);
    }
    expect(plan.summary).toContain("| Destructive change | ⏳ pending | — | @acme/dba |");
    expect(plan.summary).toContain("- 🛑 line 1 · [`sql/drop-table`](https://github.com/changegate/changegate/blob/main/docs/rules.md#sql-drop-table) · critical");
    expect(plan.summary).toContain("@bob: bob opened this pull request (author)");
  });

  it("offers no Sign off button where a press could not reach the gate (Action mode), and says to approve instead", () => {
    const plan = planCheckRun(input([drop(1)], { signoffButton: false }));
    expect(plan.conclusion).toBe("action_required");
    expect(plan.actions).toEqual([]);
    expect(plan.summary).toContain("**How to sign off:** an eligible reviewer approves the pull request. ");
    expect(plan.summary).not.toContain("presses **Sign off**");
  });

  it("never concludes neutral or success for a blocked or pending decision", () => {
    const f = [drop(0)];
    expect(planCheckRun(input(f, { decision: decision(f, { outcome: "blocked", conclusion: "neutral" }) })).conclusion).toBe("failure");
    expect(planCheckRun(input(f, { decision: decision(f, { outcome: "needs-signoff", conclusion: "success" }) })).conclusion).toBe("action_required");
  });

  it("fails with a re-run button on analysis errors", () => {
    const plan = planCheckRun(input([], { analysis: { analysed: 1, unclaimed: 0, errors: [{ file: "db/x.sql", message: "500", retryable: true }] } }));
    expect(plan.conclusion).toBe("failure");
    expect(plan.actions.map((a) => a.identifier)).toEqual(["rerun"]);
  });

  it("cuts the summary and text gracefully under 65,535 characters and keeps the state block whole", () => {
    const findings = Array.from({ length: 3000 }, (_, i) => ({ ...drop(i), message: `DROP TABLE ${"x".repeat(200)}${i}` }));
    const state: GateState = { v: 1, seq: 1, pr: 1, head: "a".repeat(40), digest: "v1:abc", digests: {}, signoffs: [] };
    const plan = planCheckRun(input(findings, { stateBlock: encodeState(state), decision: decision(findings, { ignored: findings.slice(0, 2000) }) }));
    expect(plan.summary.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(plan.text.length).toBeLessThanOrEqual(OUTPUT_LIMIT);
    expect(plan.summary).toMatch(/more lines cut to stay within GitHub's 65,535-character limit/);
    expect(decodeState(plan.text)).toEqual(state);
  });

  it("does not send annotations again when told they are already there", () => {
    const plan = planCheckRun(input([drop(0)], { annotate: false }));
    expect(plan.annotationBatches).toEqual([]);
    expect(plan.annotationsHash).toBe(planCheckRun(input([drop(0)])).annotationsHash);
  });

  it("annotates an invalid policy's errors and fails", () => {
    const plan = planCheckRun({
      headSha: "a".repeat(40),
      findings: [],
      policy: { source: "invalid", path: ".github/changegate.yml", errors: [{ message: "mode: must be enforce or report-only", line: 2, column: 7 }] },
    });
    expect(plan.conclusion).toBe("failure");
    expect(plan.annotationBatches[0]).toEqual([expect.objectContaining({ path: ".github/changegate.yml", start_line: 2, annotation_level: "failure" })]);
  });

  it("a critical namespace deletion under an SQL-only policy gates through the built-in floor: a failure annotation", () => {
    const parsed = parsePolicy('version: 1\nrules:\n  - name: DBA\n    when: { findings: ["sql/drop-*"] }\n    require: { from: { teams: ["acme/dba"] } }\n  - name: Label bots\n    when: { author: bot }\n    labels: ["bot"]\n');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const namespace: Finding = { rule: "k8s/delete-namespace", severity: "critical", category: "data-loss", file: "deploy/namespaces.yaml", line: 1, object: "Namespace/legacy", message: "Namespace legacy is deleted", side: "base" };
    const low: Finding = { ...namespace, rule: "k8s/scale-to-zero", severity: "low", object: "Deployment/shop/web", message: "scaled to zero" };
    const facts = { author: "dev", authorKind: "bot" as const, committers: ["dev"], baseBranch: "main", headSha: "a".repeat(40), signOffs: [], permissions: {}, teamMembership: {} };
    const d = decide({ findings: [namespace, low], facts, policy: parsed.policy });
    expect(d.rules.map((r) => [r.name, r.status])).toEqual([
      ["Label bots", "satisfied"],
      ["High-severity changes", "pending"],
    ]);
    const plan = planCheckRun({ headSha: "a".repeat(40), decision: d, findings: [namespace, low], policy: { source: "file", path: ".github/changegate.yml" } });
    expect(plan.conclusion).toBe("action_required");
    const levels = Object.fromEntries(plan.annotationBatches.flat().map((a) => [a.title, a.annotation_level]));
    // Gated by the floor: failure. Matched only by a labels-only rule: a warning, not a gate.
    expect(levels).toEqual({ "k8s/delete-namespace (critical): Namespace/legacy": "failure", "k8s/scale-to-zero (low): Deployment/shop/web": "warning" });
    expect(plan.summary).toContain("| High-severity changes | ⏳ pending | — | any eligible reviewer |");
  });

  it("says when the check is not required", () => {
    const plan = planCheckRun(input([drop(0)], { enforced: { branch: "main", required: false } }));
    expect(plan.summary).toContain("is not required on `main`");
  });
});

describe("state", () => {
  it("round-trips and ignores tampered or foreign blocks", () => {
    const state: GateState = { v: 1, seq: 5, pr: 2, head: "h", digest: "v1:d", digests: { h: "v1:d" }, signoffs: [{ user: "alice", userType: "User", headSha: "h", at: "2024-01-01T00:00:00Z" }] };
    expect(decodeState(`text\n\n${encodeState(state)}`)).toEqual(state);
    expect(decodeState("<!-- changegate:state !!!notbase64 -->")).toBeUndefined();
    expect(decodeState(`<!-- changegate:state ${Buffer.from('{"v":1}').toString("base64")} -->`)).toBeUndefined();
    expect(decodeState(null)).toBeUndefined();
  });

  it("merges digests and button sign-offs from several runs, newest last", () => {
    const a: GateState = { v: 1, seq: 1, pr: 2, head: "h1", digest: "v1:1", digests: {}, signoffs: [{ user: "alice", userType: "User", headSha: "h1", at: "2024-01-01T00:00:00Z" }] };
    const b: GateState = { v: 1, seq: 2, pr: 2, head: "h2", digest: "v1:2", digests: { h1: "v1:1" }, signoffs: a.signoffs };
    const merged = mergeStates([b, a]);
    expect(merged.digests).toEqual({ h1: "v1:1", h2: "v1:2" });
    expect(merged.signoffs).toHaveLength(1);
  });
});
