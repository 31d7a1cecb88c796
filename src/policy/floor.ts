/**
 * The built-in rules are a floor (DESIGN §3): a repository's `rules` add to them, so a policy that
 * only blocks agents, or only labels, still leaves a human's DROP TABLE gated. Only an explicit
 * `defaults: false` turns the floor off, and `floorGaps` says what that drops.
 */
import { atLeast, SEVERITIES, type Severity } from "../model/finding.js";
import type { AuthorKind } from "../analyzers/types.js";
import type { Policy, PolicyRule } from "./schema.js";

/** The built-in rules: the whole policy when there is no file, the floor beneath a file's rules. */
export const DEFAULT_RULES: readonly PolicyRule[] = deepFreeze([
  {
    name: "High-severity changes",
    when: { severity: "high", author: "any" },
    require: { approvals: 1 },
    labels: [],
    request_review: false,
  },
  {
    name: "Agent-authored changes",
    when: { severity: "medium", author: "agent" },
    require: { approvals: 1 },
    labels: [],
    request_review: false,
  },
  {
    name: "Changes to the gate",
    when: { findings: ["gate/config-change"], author: "any" },
    require: { approvals: 1 },
    labels: [],
    request_review: false,
  },
]);

/** Suffix a built-in rule's name gets when the repository has a rule of the same name. */
export const BUILTIN_SUFFIX = " (built-in)";

export interface EffectiveRule {
  rule: PolicyRule;
  /** A built-in rule (the floor), not one of the repository's. */
  builtin: boolean;
}

/**
 * The rules a decision evaluates, in order: the repository's, then the floor (unless
 * `defaults: false`). A built-in rule whose name a repository rule already uses is shown as
 * "<name> (built-in)", so every rule in the check run has its own name.
 */
export function effectiveRules(policy: Pick<Policy, "rules" | "defaults">): EffectiveRule[] {
  const own = policy.rules.map((rule) => ({ rule, builtin: false }));
  if (policy.defaults === false) return own;
  const taken = new Set(policy.rules.map((r) => r.name.toLowerCase()));
  const floor = DEFAULT_RULES.map((rule) => ({
    rule: taken.has(rule.name.toLowerCase()) ? { ...rule, name: `${rule.name}${BUILTIN_SUFFIX}` } : rule,
    builtin: true,
  }));
  return [...own, ...floor];
}

const AUTHORS: readonly AuthorKind[] = ["human", "agent", "bot"];
const AUTHOR_WORDS: Record<AuthorKind, string> = { human: "people", agent: "coding agents", bot: "bots" };

/** What `defaults: false` drops: a built-in rule, and the findings no rule of the policy gates in its place. */
export interface FloorGap {
  /** The built-in rule's name. */
  rule: string;
  /** Per author kind, the severities of findings that no rule of the policy gates in full. */
  ungated: { author: AuthorKind; severities: Severity[] }[];
  /** One line: "critical and high findings on pull requests by people or bots". */
  description: string;
}

/**
 * With `defaults: false`, the built-in rules whose findings the policy's own rules do not gate in
 * full. A severity counts as gated for an author kind only when one rule that requires sign-off
 * or blocks matches every finding of it (no `findings`, `paths` or `base_branches` narrowing it);
 * a narrower rule gates only some, and the rest would merge with no sign-off. `gate/*` findings
 * always gate, so the floor's gate rule never leaves a gap. Empty when the floor is on.
 */
export function floorGaps(policy: Pick<Policy, "rules" | "defaults">): FloorGap[] {
  if (policy.defaults !== false) return [];
  const gating = policy.rules.filter(
    (r) => (r.require !== undefined || r.block !== undefined) && !r.when.findings && !r.when.paths && !r.when.base_branches,
  );
  const covered = (severity: Severity, author: AuthorKind) =>
    gating.some((r) => (r.when.author === "any" || r.when.author === author) && (r.when.severity === undefined || atLeast(severity, r.when.severity)));
  const gaps: FloorGap[] = [];
  for (const rule of DEFAULT_RULES) {
    if (rule.when.findings?.every((id) => id.startsWith("gate/"))) continue;
    const min = rule.when.severity ?? "low";
    const severities = [...SEVERITIES].reverse().filter((s) => atLeast(s, min));
    const authors = rule.when.author === "any" ? AUTHORS : AUTHORS.filter((a) => a === rule.when.author);
    const ungated = authors
      .map((author) => ({ author, severities: severities.filter((s) => !covered(s, author)) }))
      .filter((u) => u.severities.length > 0);
    if (ungated.length > 0) gaps.push({ rule: rule.name, ungated, description: describeGap(ungated) });
  }
  return gaps;
}

function describeGap(ungated: FloorGap["ungated"]): string {
  // Authors with the same ungated severities share a clause.
  const groups = new Map<string, { severities: Severity[]; authors: AuthorKind[] }>();
  for (const u of ungated) {
    const key = u.severities.join(",");
    const group = groups.get(key);
    if (group) group.authors.push(u.author);
    else groups.set(key, { severities: u.severities, authors: [u.author] });
  }
  return [...groups.values()]
    .map(({ severities, authors }) => `${joinWords(severities, "and")} findings on pull requests by ${joinWords(authors.map((a) => AUTHOR_WORDS[a]), "or")}`)
    .join("; ");
}

function joinWords(words: readonly string[], conjunction: string): string {
  if (words.length <= 1) return words.join("");
  return `${words.slice(0, -1).join(", ")} ${conjunction} ${words[words.length - 1]}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
