/**
 * The decision (DESIGN §4): findings + pull-request facts + sign-offs + policy → what must happen
 * before the pull request can merge. Pure: everything live (permissions, team membership) is
 * resolved by the caller beforehand — `requiredLookups` says which — so tests table-drive it.
 * Every result carries its reasons: who counted, who did not and why.
 */
import { atLeast, type Finding } from "../model/finding.js";
import { agentLoginSet } from "./agents.js";
import { findingsDigest } from "./digest.js";
import { effectiveRules } from "./floor.js";
import { globMatcher } from "./globs.js";
import { formatPolicyError, type LoadedPolicy } from "./read.js";
import { ruleIdMatcher } from "./rule-ids.js";
import type { Policy, PolicyRule } from "./schema.js";
import type {
  CountedSignOff,
  Decision,
  Dismissal,
  Outcome,
  Permission,
  PullRequestFacts,
  RuleResult,
  SignOffEvent,
} from "./types.js";

export const LABEL_NEEDS_SIGNOFF = "changegate:needs-signoff";
export const LABEL_SIGNED_OFF = "changegate:signed-off";
export const MANAGED_LABELS: readonly string[] = [LABEL_NEEDS_SIGNOFF, LABEL_SIGNED_OFF];

const PERMISSION_RANK: Record<Permission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** `gate/*` findings always gate: when no policy rule covers them, these built-in rules do. */
const ALWAYS_GATING: readonly { id: string; name: string }[] = [
  { id: "gate/config-change", name: "Changes to the gate" },
  { id: "gate/incomplete-analysis", name: "Incomplete analysis" },
];

export interface DecideInput {
  findings: readonly Finding[];
  facts: PullRequestFacts;
  /** The loaded policy (an `invalid` one fails closed), or a parsed policy. */
  policy: LoadedPolicy | Policy;
  /** Analysis failures (API errors, unreadable files): the check fails until a re-run succeeds. */
  analysisErrors?: readonly string[];
}

/** PR facts without the live lookups, for `requiredLookups`. */
export type FactsWithoutLookups = Omit<PullRequestFacts, "permissions" | "teamMembership">;

/** The live lookups `decide` will consult: resolve exactly these, nothing more. */
export interface RequiredLookups {
  /** Logins whose repository permission is needed. */
  permissions: string[];
  /** (team, user) pairs whose active membership is needed; team as `org/team-slug`. */
  teamMembership: { team: string; user: string }[];
  /** The digest of the gating findings the decision will carry (what a sign-off given now is bound to). */
  digest: string;
}

interface MatchedRule {
  rule: PolicyRule;
  findings: Finding[];
  builtin: boolean;
}

interface Prepared {
  policy: Policy;
  kept: Finding[];
  ignored: Finding[];
  matched: MatchedRule[];
  gating: Finding[];
  nonGating: Finding[];
  digest: string;
}

/** The decision for one pull request at one head SHA. Never throws: an internal error is a `blocked` decision (fail closed). */
export function decide(input: DecideInput): Decision {
  try {
    return decideOrThrow(input);
  } catch (error) {
    const reason = `Internal error while deciding: ${error instanceof Error ? error.message : String(error)}`;
    return {
      outcome: "blocked",
      conclusion: "failure",
      mode: "enforce",
      rules: [],
      nonGating: [...(input.findings ?? [])],
      ignored: [],
      digest: "",
      labels: { add: [LABEL_NEEDS_SIGNOFF], remove: [LABEL_SIGNED_OFF] },
      reviewers: { users: [], teams: [] },
      blockReasons: [reason],
      summary: `Blocked: ${reason}`.slice(0, MAX_SUMMARY),
    };
  }
}

function decideOrThrow(input: DecideInput): Decision {
  const { facts } = input;
  const loaded = asLoaded(input.policy);
  if (loaded.source === "invalid") return invalidPolicyDecision(input.findings, loaded);

  const prepared = prepare(input.findings, facts, loaded.policy);
  const { policy, matched } = prepared;
  const signOffs = latestSignOffs(facts.signOffs);
  const agents = agentLogins(policy, facts);

  const rules: RuleResult[] = matched.map((m) => evaluateRule(m, facts, policy, prepared.digest, signOffs, agents));

  const analysisErrors = [...(input.analysisErrors ?? [])];
  const blockReasons = [
    ...rules.filter((r) => r.status === "blocked").map((r) => `${r.name}: ${r.block ?? "blocked"}`),
    ...analysisErrors.map((e) => `Analysis error: ${e}`),
  ];
  const gatingRules = rules.filter((r) => r.status === "blocked" || r.required > 0);
  const enforced: Outcome =
    blockReasons.length > 0 ? "blocked" : gatingRules.some((r) => r.status === "pending") ? "needs-signoff" : "pass";

  const reportOnly = policy.mode === "report-only";
  const outcome: Outcome = reportOnly ? "pass" : enforced;
  let conclusion: Decision["conclusion"];
  if (reportOnly) conclusion = enforced === "pass" && prepared.kept.length === 0 && analysisErrors.length === 0 ? "success" : "neutral";
  else if (outcome === "blocked") conclusion = "failure";
  else if (outcome === "needs-signoff") conclusion = "action_required";
  else conclusion = gatingRules.length === 0 && prepared.kept.length > 0 ? "neutral" : "success";

  // Labels: the matched rules' labels, plus the managed state label (enforce mode only).
  const add = unique(rules.flatMap((r) => r.labels ?? []));
  if (!reportOnly) {
    if (outcome !== "pass") add.push(LABEL_NEEDS_SIGNOFF);
    else if (gatingRules.length > 0) add.push(LABEL_SIGNED_OFF);
  }
  const allLabels = unique([...policy.rules.flatMap((r) => r.labels), ...MANAGED_LABELS]);
  const remove = allLabels.filter((l) => !add.includes(l));

  const reviewers = reportOnly ? { users: [], teams: [] } : reviewersFor(matched, rules, facts);

  const decision: Decision = {
    outcome,
    conclusion,
    mode: policy.mode,
    rules,
    nonGating: prepared.nonGating,
    ignored: prepared.ignored,
    digest: prepared.digest,
    labels: { add, remove },
    reviewers,
    blockReasons,
    summary: "",
    policy: { source: loaded.source, path: loaded.path },
  };
  if (reportOnly) decision.wouldBe = enforced;
  decision.summary = summarize(decision, enforced, prepared.kept.length);
  return decision;
}

/**
 * Which permissions and team memberships `decide` will read, given the sign-offs so far. Only
 * people whose sign-off could still count (a person, not the author or a committer, not stale)
 * for a rule that needs sign-off are listed, so the App makes no lookup it does not need.
 */
export function requiredLookups(findings: readonly Finding[], facts: FactsWithoutLookups, policy: LoadedPolicy | Policy): RequiredLookups {
  const loaded = asLoaded(policy);
  if (loaded.source === "invalid") return { permissions: [], teamMembership: [], digest: findingsDigest(findings) };
  const full: PullRequestFacts = { ...facts, permissions: {}, teamMembership: {} };
  const prepared = prepare(findings, full, loaded.policy);
  const signOffs = latestSignOffs(facts.signOffs);
  const agents = agentLogins(loaded.policy, full);
  const permissions = new Set<string>();
  const membership = new Map<string, { team: string; user: string }>();
  for (const m of prepared.matched) {
    if (!m.rule.require || m.rule.block !== undefined) continue;
    for (const event of signOffs.approved.values()) {
      if (identityProblem(event, full, agents) || staleness(event, full, loaded.policy, prepared.digest)) continue;
      permissions.add(event.user);
      const from = m.rule.require.from;
      if (!from || from.users.some((u) => same(u, event.user))) continue;
      for (const team of from.teams) membership.set(`${team.toLowerCase()}\0${event.user.toLowerCase()}`, { team, user: event.user });
    }
  }
  return { permissions: [...permissions].sort(), teamMembership: [...membership.values()], digest: prepared.digest };
}

// ---------------------------------------------------------------------------------------------

function asLoaded(policy: LoadedPolicy | Policy): LoadedPolicy {
  if ("source" in policy) return policy;
  return { source: "file", path: "(policy)", policy };
}

function prepare(findings: readonly Finding[], facts: PullRequestFacts, policy: Policy): Prepared {
  const ignoreMatchers = policy.ignore.map((entry) => {
    const ids = entry.findings ? ruleIdMatcher(entry.findings) : () => true;
    const paths = entry.paths ? globMatcher(entry.paths) : () => true;
    return (f: Finding) => !f.rule.startsWith("gate/") && ids(f.rule) && paths(f.file);
  });
  const kept: Finding[] = [];
  const ignored: Finding[] = [];
  for (const f of findings) (ignoreMatchers.some((m) => m(f)) ? ignored : kept).push(f);

  // The repository's rules, then the built-in floor beside them (unless `defaults: false`).
  const rules = effectiveRules(policy);
  const matched: MatchedRule[] = [];
  for (const { rule, builtin } of rules) {
    const matches = ruleMatcher(rule, facts);
    const hits = kept.filter(matches);
    if (hits.length > 0) matched.push({ rule, findings: hits, builtin });
  }
  // gate/* findings always gate, whatever the policy's rules say.
  const gates = (m: MatchedRule) => m.rule.require !== undefined || m.rule.block !== undefined;
  for (const { id, name } of ALWAYS_GATING) {
    const uncovered = kept.filter((f) => f.rule === id && !matched.some((m) => gates(m) && m.findings.includes(f)));
    if (uncovered.length === 0) continue;
    const existing = rules.some(({ rule }) => rule.name.toLowerCase() === name.toLowerCase());
    matched.push({
      rule: { name: existing ? `${name} (built-in)` : name, when: { findings: [id], author: "any" }, require: { approvals: 1 }, labels: [], request_review: false },
      findings: uncovered,
      builtin: true,
    });
  }

  const gatingSet = new Set<Finding>();
  for (const m of matched) if (gates(m)) for (const f of m.findings) gatingSet.add(f);
  const gating = kept.filter((f) => gatingSet.has(f));
  const nonGating = kept.filter((f) => !gatingSet.has(f));
  return { policy, kept, ignored, matched, gating, nonGating, digest: findingsDigest(gating) };
}

function ruleMatcher(rule: PolicyRule, facts: PullRequestFacts): (f: Finding) => boolean {
  const when = rule.when;
  if (when.author !== "any" && when.author !== facts.authorKind) return () => false;
  if (when.base_branches && !globMatcher(when.base_branches)(facts.baseBranch)) return () => false;
  const ids = when.findings ? ruleIdMatcher(when.findings) : () => true;
  const paths = when.paths ? globMatcher(when.paths) : () => true;
  return (f) => ids(f.rule) && (when.severity === undefined || atLeast(f.severity, when.severity)) && paths(f.file);
}

interface LatestSignOffs {
  /** Each person's standing approval (their latest event is an approval), by lower-case login. */
  approved: Map<string, SignOffEvent>;
  /** People whose approval a later event withdrew. */
  withdrawn: Dismissal[];
}

/**
 * Each person's latest event decides: a later changes_requested or dismissal withdraws an approval,
 * and dismissing a negative review never revives an older approval. Events in the same second
 * (GitHub's clock has second resolution) put the withdrawal last: when the order is unknown, it wins.
 */
function latestSignOffs(events: readonly SignOffEvent[]): LatestSignOffs {
  const ordered = events
    .map((event, index) => ({ event, index, time: Date.parse(event.at) }))
    .sort(
      (a, b) =>
        (Number.isNaN(a.time) || Number.isNaN(b.time) ? 0 : a.time - b.time) ||
        Number(a.event.state !== "approved") - Number(b.event.state !== "approved") ||
        a.index - b.index,
    );
  const approved = new Map<string, SignOffEvent>();
  const withdrawn = new Map<string, Dismissal>();
  for (const { event } of ordered) {
    const key = event.user.toLowerCase();
    if (event.state === "approved") {
      approved.set(key, event);
      withdrawn.delete(key);
    } else if (approved.has(key)) {
      approved.delete(key);
      const what = event.state === "changes_requested" ? "requested changes" : "had the review dismissed";
      withdrawn.set(key, { user: event.user, reason: `withdrawn: ${event.user} ${what} after signing off (${event.at})` });
    }
  }
  return { approved, withdrawn: [...withdrawn.values()] };
}

function agentLogins(policy: Policy, facts: PullRequestFacts): Set<string> {
  return agentLoginSet(policy, facts.agentLogins ?? []);
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function short(sha: string): string {
  return sha.slice(0, 7);
}

/** Who may never sign off, whatever the lookups say. */
function identityProblem(event: SignOffEvent, facts: PullRequestFacts, agents: Set<string>): string | null {
  if (agents.has(event.user.toLowerCase())) return `${event.user} is a coding agent; only people sign off`;
  if (event.userType !== "User") return `${event.user} is a ${event.userType} account (bot); only people sign off`;
  if (same(event.user, facts.author)) return `${event.user} opened this pull request (author)`;
  if (facts.committers.some((c) => same(c, event.user))) return `${event.user} authored, co-authored, pushed or committed commits in this pull request (committer)`;
  if (facts.initiators?.some((i) => same(i, event.user))) return `${event.user} started the coding agent that wrote this pull request (initiator)`;
  return null;
}

/** Why a sign-off given on another head no longer covers this one, or null. */
function staleness(event: SignOffEvent, facts: PullRequestFacts, policy: Policy, digest: string): string | null {
  if (event.headSha === facts.headSha) return null;
  const on = event.headSha
    ? `signed off on ${short(event.headSha)}, the head is now ${short(facts.headSha)}`
    : `signed off on a commit that is no longer known (before a force-push, or garbage-collected), the head is now ${short(facts.headSha)}`;
  if (policy.signoff.invalidate === "on_any_push") return `stale: ${on} (signoff.invalidate: on_any_push)`;
  if (event.digest === undefined) return `stale: ${on} and no findings digest was recorded for the sign-off`;
  if (event.digest !== digest) return `stale: ${on} and the gating findings changed since`;
  return null;
}

function lookup<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  if (!table) return undefined;
  if (key in table) return table[key];
  const found = Object.keys(table).find((k) => same(k, key));
  return found === undefined ? undefined : table[found];
}

function permissionProblem(user: string, facts: PullRequestFacts, policy: Policy): string | null {
  const min = policy.signoff.min_permission;
  const result = lookup(facts.permissions, user);
  if (!result) return `${user}'s permission was not looked up (insufficient permission assumed)`;
  if (!result.ok) return `could not check ${user}'s permission: ${result.error} (insufficient permission assumed)`;
  if ((PERMISSION_RANK[result.value] ?? 0) < PERMISSION_RANK[min]) return `${user} has ${result.value} permission; ${min} is needed (insufficient permission)`;
  return null;
}

function fromProblem(user: string, rule: PolicyRule, facts: PullRequestFacts): string | null {
  const from = rule.require?.from;
  if (!from || (from.teams.length === 0 && from.users.length === 0)) return null;
  if (from.users.some((u) => same(u, user))) return null;
  const failures: string[] = [];
  for (const team of from.teams) {
    const result = lookup(lookup(facts.teamMembership, team), user);
    if (result?.ok && result.value) return null;
    if (result && !result.ok) failures.push(`could not check ${user}'s membership in ${team}: ${result.error}`);
    else if (!result) failures.push(`${user}'s membership in ${team} was not looked up`);
  }
  if (failures.length > 0 && failures.length === from.teams.length) return `${failures.join("; ")} (not in team assumed)`;
  const named = [...from.teams, ...from.users].join(", ");
  return `${user} is not in ${from.teams.length > 0 ? "team " : ""}${named} (not in team)`;
}

function evaluateRule(
  m: MatchedRule,
  facts: PullRequestFacts,
  policy: Policy,
  digest: string,
  signOffs: LatestSignOffs,
  agents: Set<string>,
): RuleResult {
  const { rule } = m;
  const from = { teams: [...(rule.require?.from?.teams ?? [])], users: [...(rule.require?.from?.users ?? [])] };
  const base = { name: rule.name, findings: m.findings, from, labels: [...rule.labels], ...(m.builtin ? { builtin: true } : {}) };
  if (rule.block !== undefined) {
    return { ...base, status: "blocked", reason: `blocked: ${rule.block}`, required: 0, counted: [], dismissed: [], block: rule.block };
  }
  if (!rule.require) {
    return { ...base, status: "satisfied", reason: "labels only: no sign-off needed", required: 0, counted: [], dismissed: [] };
  }
  const required = rule.require.approvals + (facts.authorKind === "agent" ? policy.agents.extra_approvals : 0);
  const counted: CountedSignOff[] = [];
  const dismissed: Dismissal[] = [...signOffs.withdrawn];
  for (const event of signOffs.approved.values()) {
    const problem =
      identityProblem(event, facts, agents) ??
      staleness(event, facts, policy, digest) ??
      permissionProblem(event.user, facts, policy) ??
      fromProblem(event.user, rule, facts);
    if (problem) dismissed.push({ user: event.user, reason: problem });
    else counted.push({ user: event.user, via: event.via, headSha: event.headSha, at: event.at });
  }
  const satisfied = counted.length >= required;
  const whom = describeFrom(from);
  const names = counted.length > 0 ? ` (${counted.map((c) => c.user).join(", ")})` : "";
  const extra = facts.authorKind === "agent" && policy.agents.extra_approvals > 0 ? `, ${policy.agents.extra_approvals} extra for an agent-authored pull request` : "";
  const reason = `${satisfied ? "satisfied: " : ""}${Math.min(counted.length, required)}/${required} sign-off${required === 1 ? "" : "s"} from ${whom}${extra}${names}`;
  return { ...base, status: satisfied ? "satisfied" : "pending", reason, required, counted, dismissed };
}

function describeFrom(from: { teams: string[]; users: string[] }): string {
  const all = [...from.teams, ...from.users];
  if (all.length === 0) return "an eligible reviewer";
  return all.length === 1 ? all[0]! : `${all.slice(0, -1).join(", ")} or ${all[all.length - 1]}`;
}

function reviewersFor(matched: MatchedRule[], rules: RuleResult[], facts: PullRequestFacts): Decision["reviewers"] {
  const users: string[] = [];
  const teams: string[] = [];
  matched.forEach((m, i) => {
    const result = rules[i]!;
    if (!m.rule.request_review || result.status !== "pending") return;
    for (const user of result.from.users) {
      const excluded =
        same(user, facts.author) ||
        facts.committers.some((c) => same(c, user)) ||
        (facts.initiators ?? []).some((i) => same(i, user)) ||
        result.counted.some((c) => same(c.user, user));
      if (!excluded && !users.some((u) => same(u, user))) users.push(user);
    }
    for (const team of result.from.teams) if (!teams.some((t) => same(t, team))) teams.push(team);
  });
  return { users, teams };
}

function describeFinding(f: Finding): string {
  return f.object ? `${f.rule} ${f.object}` : `${f.rule} in ${f.file}`;
}

const MAX_SUMMARY = 200;

function summarize(decision: Decision, enforced: Outcome, findingCount: number): string {
  const pending = decision.rules.filter((r) => r.status === "pending");
  const gating = decision.rules.filter((r) => r.status === "blocked" || r.required > 0);
  let line: string;
  if (enforced === "blocked") {
    line = `Blocked: ${decision.blockReasons[0] ?? "a rule blocks this change"}${decision.blockReasons.length > 1 ? ` (+${decision.blockReasons.length - 1} more)` : ""}`;
  } else if (enforced === "needs-signoff") {
    const first = pending[0]!;
    const missing = first.required - first.counted.length;
    const what = first.findings.slice(0, 2).map(describeFinding).join(", ") + (first.findings.length > 2 ? ` and ${first.findings.length - 2} more` : "");
    line = `Needs ${missing} sign-off${missing === 1 ? "" : "s"} from ${describeFrom(first.from)}: ${what}`;
    if (pending.length > 1) line += ` (+${pending.length - 1} more rule${pending.length > 2 ? "s" : ""})`;
  } else if (gating.length > 0) {
    const people = unique(gating.flatMap((r) => r.counted.map((c) => c.user)));
    line = `Signed off by ${people.join(", ")}`;
  } else if (findingCount > 0) {
    line = `${findingCount} finding${findingCount === 1 ? "" : "s"}, none needs sign-off`;
  } else {
    line = "No destructive changes found";
  }
  if (decision.mode === "report-only" && enforced !== "pass") line = `Report-only (would be ${enforced}): ${line}`;
  return line.length > MAX_SUMMARY ? `${line.slice(0, MAX_SUMMARY - 1)}…` : line;
}

function invalidPolicyDecision(findings: readonly Finding[], loaded: Extract<LoadedPolicy, { source: "invalid" }>): Decision {
  const blockReasons = loaded.errors.map((e) => `Invalid policy: ${formatPolicyError(loaded.path, e)}`);
  const n = loaded.errors.length;
  return {
    outcome: "blocked",
    conclusion: "failure",
    mode: "enforce",
    rules: [],
    nonGating: [...findings],
    ignored: [],
    digest: findingsDigest(findings),
    labels: { add: [LABEL_NEEDS_SIGNOFF], remove: [LABEL_SIGNED_OFF] },
    reviewers: { users: [], teams: [] },
    blockReasons,
    summary: `Blocked: the policy ${loaded.path} on the base branch is invalid (${n} error${n === 1 ? "" : "s"})`,
    policy: { source: "invalid", path: loaded.path },
  };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
