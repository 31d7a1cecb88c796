/**
 * The gate's middle stage, pure (policy-bot separates gather → evaluate → perform the same way):
 * the facts gathered for one pull request at one head, what this app's runs remember, and what
 * triggered the evaluation go in; the decision, the next state, the check-run plan, the
 * pull-request actions, the refused button presses and the audit record come out. It decides once.
 * `lookupsFor` says beforehand which live lookups (permission, team membership) `evaluate` reads.
 */
import type { AuthorKind } from "../analyzers/types.js";
import type { Finding } from "../model/finding.js";
import { agentLoginSet } from "../policy/agents.js";
import { decide, requiredLookups, type FactsWithoutLookups, type RequiredLookups } from "../policy/decide.js";
import { DEFAULT_POLICY_PATH, type LoadedPolicy } from "../policy/read.js";
import { committerLogins, pullAuthorKind, reviewEvents, type Account, type CommitRecord, type ReviewRecord } from "../policy/pull-facts.js";
import type { Policy } from "../policy/schema.js";
import type { Decision, Dismissal, Lookup, Permission, PullRequestFacts, SignOffEvent } from "../policy/types.js";
import { planCheckRun, type CheckRunInput, type CheckRunPlan } from "../report/check-run.js";
import { holdForOthers } from "./others.js";
import { planPullActions, type PullActionPlan } from "./pull-actions.js";
import { buttonEvent, encodeState, mergeStates, STATE_VERSION, type ButtonSignOff, type GateState, type Memory } from "./state.js";
import { compareText } from "../util/compare.js";

/** The policy file, read from the base branch. Defined once, in the policy loader. */
export const POLICY_PATH = DEFAULT_POLICY_PATH;

export type Trigger =
  | { kind: "pull_request"; action: string; before?: string; pusher?: string }
  | { kind: "review"; action: string }
  /**
   * A "Sign off" press. `at` is the earliest GitHub time the press can have happened (the run's
   * `completed_at`: buttons show only on a completed run), so a withdrawal after it always wins;
   * `delivery` is the webhook's delivery id, which GitHub keeps on a redelivery.
   */
  | { kind: "button"; user: Account; runHeadSha: string; delivery: string; at: string }
  | { kind: "rerun"; event: string };

export interface PullSnapshot {
  number: number;
  author: Account;
  headSha: string;
  baseBranch: string;
  labels: readonly string[];
  requestedUsers: readonly string[];
  requestedTeams: readonly string[];
}

export interface AnalysisSummary {
  findings: readonly Finding[];
  analysed: number;
  unclaimed: number;
  errors: readonly { file: string; message: string; retryable: boolean }[];
}

/** The base branch's policy: loaded, invalid, or unreadable (an API error: never the defaults). */
export type PolicyFact = LoadedPolicy | { source: "error"; path: string; error: string };

export interface Enforced {
  required: boolean | undefined;
  branch: string;
  detail?: string;
}

export interface GateFacts {
  pull: PullSnapshot;
  /** Evaluation sequence: the app's clock when it started, in ms. Larger is newer. */
  seq: number;
  /** GitHub's clock (ms) when the pull request was read at this head: when a new head was first seen. */
  observedAt: number;
  policy: PolicyFact;
  /** Absent when the policy could not be used (nothing was analysed). */
  analysis?: AnalysisSummary;
  reviews: readonly ReviewRecord[];
  commits: readonly CommitRecord[];
  enforcement?: Enforced;
  /** Other verdicts on this commit that still apply (checked live by the caller). */
  others: Readonly<Record<string, string>>;
  /** `false` where a press of Sign off could never reach the gate (Action mode): no button is offered. */
  signoffButton?: boolean;
}

export interface Lookups {
  permissions: Readonly<Record<string, Lookup<Permission>>>;
  teamMembership: Readonly<Record<string, Readonly<Record<string, Lookup<boolean>>>>>;
}

export interface Earlier {
  /** This app's run on the head that is written to (its state is the newest). */
  head?: { state?: GateState; conclusion: string | null };
  /** What this app's runs remember: the head's and the earlier commits' (other pull requests' are ignored). */
  states: readonly GateState[];
}

export interface AuditRecord {
  decision: Record<string, unknown>;
  signoffs: Record<string, unknown>[];
}

export interface Evaluation {
  decision: Decision;
  state: GateState;
  plan: CheckRunPlan;
  pullActions: PullActionPlan;
  refused: Dismissal[];
  audit: AuditRecord;
}

/** What the policy and the sign-off events come to, before any live lookup. */
interface Prepared {
  memory: Memory;
  pushers: string[];
  seen: Record<string, number>;
  policy: Policy | undefined;
  loaded: LoadedPolicy;
  authorKind: { kind: AuthorKind; why?: string };
  facts: FactsWithoutLookups;
  press?: SignOffEvent;
  /** A press whose delivery was already judged: a redelivery, which never counts again. */
  replayed: boolean;
  analysisErrors: string[];
  analysis: AnalysisSummary | undefined;
  findings: readonly Finding[];
}

function prepare(facts: GateFacts, earlier: Earlier, trigger: Trigger): Prepared {
  const { pull } = facts;
  const memory = mergeStates(earlier.states.filter((s) => s.pr === pull.number));
  // Authors, committers, co-authors and everyone who pushed: none of them signs off.
  const pushers = [...memory.pushers];
  if (trigger.kind === "pull_request" && trigger.pusher && !pushers.some((p) => same(p, trigger.pusher!))) pushers.push(trigger.pusher);
  const policy = facts.policy.source === "file" || facts.policy.source === "default" ? facts.policy.policy : undefined;
  const authorKind = pullAuthorKind(pull.author, facts.commits, policy);
  const seen = { ...memory.seen, [pull.headSha]: firstSeen(pull.headSha, memory.seen, facts.observedAt) };
  const events: SignOffEvent[] = [...reviewEvents(facts.reviews, memory.digests, seen), ...memory.signoffs.map(buttonEvent)];

  let press: SignOffEvent | undefined;
  let replayed = false;
  if (trigger.kind === "button") {
    replayed = memory.presses.includes(trigger.delivery);
    if (!replayed) {
      press = { user: trigger.user.login, userType: trigger.user.type, via: "button", state: "approved", headSha: trigger.runHeadSha, at: trigger.at };
      const digest = memory.digests[trigger.runHeadSha];
      if (digest && trigger.runHeadSha !== pull.headSha) press.digest = digest;
    }
  }

  const loaded: LoadedPolicy =
    facts.policy.source === "error"
      ? { source: "invalid", path: facts.policy.path, errors: [{ message: `could not be read: ${facts.policy.error}`, line: 1, column: 1 }] }
      : facts.policy;
  const base: FactsWithoutLookups = {
    author: pull.author.login,
    authorKind: authorKind.kind,
    committers: [...new Set([...committerLogins(facts.commits), ...pushers])],
    baseBranch: pull.baseBranch,
    headSha: pull.headSha,
    signOffs: sortEvents(press ? [...events, press] : events),
    agentLogins: [...agentLoginSet(policy)],
  };
  // Without a usable policy nothing is judged, whatever was analysed.
  const analysis = policy ? facts.analysis : undefined;
  const analysisErrors = (analysis?.errors ?? []).map((e) => `${e.file}: ${e.message}`);
  return { memory, pushers, seen, policy, loaded, authorKind, facts: base, ...(press ? { press } : {}), replayed, analysisErrors, analysis, findings: analysis?.findings ?? [] };
}

/** The live lookups `evaluate` will read for these facts: resolve exactly these. */
export function lookupsFor(facts: GateFacts, earlier: Earlier, trigger: Trigger): RequiredLookups {
  const p = prepare(facts, earlier, trigger);
  return requiredLookups(p.findings, p.facts, p.loaded);
}

export function evaluate(facts: GateFacts, earlier: Earlier, trigger: Trigger, lookups: Lookups): Evaluation {
  const p = prepare(facts, earlier, trigger);
  const { pull } = facts;
  const full: PullRequestFacts = { ...p.facts, permissions: lookups.permissions, teamMembership: lookups.teamMembership };
  const decision = decide({ findings: p.findings, facts: full, policy: p.loaded, analysisErrors: p.analysisErrors });

  // A press counts only if it counted; otherwise it is refused, with the reason, and not remembered.
  const signoffs: ButtonSignOff[] = [...p.memory.signoffs];
  const refused: Dismissal[] = [];
  if (p.press) {
    const press = p.press;
    const mine = decision.rules.flatMap((r) => r.counted.filter((c) => same(c.user, press.user)));
    const counted = mine.some((c) => c.via === "button" && c.at === press.at && c.headSha === press.headSha);
    if (counted) {
      // A press on the current head is bound to this evaluation's digest.
      const digest = press.headSha === pull.headSha ? decision.digest : press.digest;
      signoffs.push({ user: press.user, userType: press.userType, headSha: press.headSha, at: press.at, ...(digest ? { digest } : {}) });
    } else if (mine.length === 0) {
      const reasons = decision.rules.flatMap((r) => r.dismissed.filter((d) => same(d.user, press.user)).map((d) => d.reason));
      const why = reasons[0] ?? (p.analysis ? "nothing on this pull request needs a sign-off" : "the pull request could not be evaluated");
      refused.push({ user: press.user, reason: why });
    }
    // Already signed off another way (an approving review): nothing to record, nothing to refuse.
  }

  const alreadyRequested = earlier.head?.state?.requested === true;
  const usable = p.analysis !== undefined;
  const pullActions = planPullActions(decision, pullFacts(pull), alreadyRequested || !usable);
  const state = nextState(facts, p, trigger, {
    digest: usable ? decision.digest : "",
    signoffs,
    requested: alreadyRequested || pullActions.reviewers.length + pullActions.teamReviewers.length > 0,
  });

  const input: CheckRunInput = {
    headSha: pull.headSha,
    decision,
    findings: p.findings,
    policy: policyReport(facts.policy),
    ...(p.analysis
      ? { analysis: { analysed: p.analysis.analysed, unclaimed: p.analysis.unclaimed, errors: p.analysis.errors } }
      : facts.policy.source === "error"
        ? { analysis: { analysed: 0, unclaimed: 0, errors: [{ file: facts.policy.path, message: facts.policy.error, retryable: true }] } }
        : {}),
    ...(facts.enforcement ? { enforced: facts.enforcement } : {}),
    ...(facts.signoffButton === false ? { signoffButton: false } : {}),
    refused,
  };
  const plan = planWithState(input, state, earlier);
  return { decision, state, plan, pullActions, refused, audit: auditRecord(facts, trigger, decision, plan, p, refused) };
}

/** What is known when the evaluation itself failed (an API error before a decision). */
export interface FailureFacts {
  pull: { number: number; headSha: string; baseBranch?: string };
  seq: number;
  observedAt: number;
  others?: Readonly<Record<string, string>>;
}

/**
 * The run after an unexpected error: failure with a re-run button, saying what happened. The
 * state keeps everything remembered (digests, sign-offs, pushers, this delivery's pusher), so a
 * failed evaluation never makes the app forget who may not sign off.
 */
export function evaluateFailure(known: FailureFacts, earlier: Earlier, trigger: Trigger, error: string): { state: GateState; plan: CheckRunPlan } {
  const memory = mergeStates(earlier.states.filter((s) => s.pr === known.pull.number));
  const pushers = [...memory.pushers];
  if (trigger.kind === "pull_request" && trigger.pusher && !pushers.some((p) => same(p, trigger.pusher!))) pushers.push(trigger.pusher);
  const presses = trigger.kind === "button" ? [...memory.presses, trigger.delivery] : memory.presses;
  const state: GateState = {
    v: STATE_VERSION,
    seq: known.seq,
    pr: known.pull.number,
    head: known.pull.headSha,
    ...(known.pull.baseBranch !== undefined ? { base: known.pull.baseBranch } : {}),
    digest: "",
    digests: memory.digests,
    signoffs: memory.signoffs,
    conclusion: "failure",
    others: { ...(known.others ?? {}) },
    pushers,
    seen: { ...memory.seen, [known.pull.headSha]: firstSeen(known.pull.headSha, memory.seen, known.observedAt) },
    presses,
    ...(earlier.head?.state?.requested ? { requested: true } : {}),
  };
  const plan = planCheckRun({
    headSha: known.pull.headSha,
    findings: [],
    policy: { source: "default", path: POLICY_PATH },
    analysis: { analysed: 0, unclaimed: 0, errors: [{ file: "(GitHub API)", message: error, retryable: true }] },
    stateBlock: encodeState(state),
  });
  return { state, plan };
}

// ---------------------------------------------------------------------------------------------

/** The next state: built here only. */
function nextState(facts: GateFacts, p: Prepared, trigger: Trigger, outcome: { digest: string; signoffs: ButtonSignOff[]; requested: boolean }): GateState {
  const { pull } = facts;
  return {
    v: STATE_VERSION,
    seq: facts.seq,
    pr: pull.number,
    head: pull.headSha,
    base: pull.baseBranch,
    digest: outcome.digest,
    digests: outcome.digest ? { ...p.memory.digests, [pull.headSha]: outcome.digest } : { ...p.memory.digests },
    signoffs: outcome.signoffs,
    requested: outcome.requested,
    others: { ...facts.others },
    pushers: p.pushers,
    seen: p.seen,
    presses: trigger.kind === "button" && !p.replayed ? [...p.memory.presses, trigger.delivery] : p.memory.presses,
  };
}

/**
 * Plans the run in one pass: the state block records the plan's own conclusion and annotation
 * hash; annotations this run already carries are not sent again; the verdict is then held at the
 * strictest other verdict that shares this head commit.
 */
function planWithState(input: CheckRunInput, state: GateState, earlier: Earlier): CheckRunPlan {
  const annotated = earlier.head?.state?.annotated;
  const plan = planCheckRun({
    ...input,
    ...(annotated !== undefined ? { annotated } : {}),
    stateBlock: ({ conclusion, annotationsHash }) => encodeState({ ...state, annotated: annotationsHash, conclusion }),
  });
  state.annotated = plan.annotationsHash;
  state.conclusion = plan.conclusion;
  return holdForOthers(plan, state.others ?? {});
}

function policyReport(policy: PolicyFact): CheckRunInput["policy"] {
  if (policy.source === "invalid") return { source: "invalid", path: policy.path, errors: policy.errors.map((e) => ({ message: e.message, line: e.line, column: e.column })) };
  if (policy.source === "error") return { source: "invalid", path: policy.path, errors: [{ message: `could not be read: ${policy.error}`, line: 1 }] };
  return { source: policy.source, path: policy.path };
}

/**
 * When the app first saw `head` (GitHub's clock): as remembered; now, for a new head of a pull
 * request it has been watching; 0 (unknown: reviews are taken at their word) the first time it
 * looks at a pull request.
 */
function firstSeen(head: string, seen: Readonly<Record<string, number>>, now: number): number {
  const remembered = seen[head];
  if (remembered !== undefined) return remembered;
  return Object.keys(seen).length > 0 ? now : 0;
}

function sortEvents(events: SignOffEvent[]): SignOffEvent[] {
  return events.map((e, i) => ({ e, i })).sort((a, b) => compareText(a.e.at, b.e.at) || a.i - b.i).map(({ e }) => e);
}

function pullFacts(pull: PullSnapshot) {
  return { author: pull.author.login, labels: pull.labels, requestedUsers: pull.requestedUsers, requestedTeams: pull.requestedTeams };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function triggerName(trigger: Trigger): string {
  return trigger.kind === "pull_request" || trigger.kind === "review" ? `${trigger.kind}.${trigger.action}` : trigger.kind;
}

/** One structured record per decision and per sign-off: who, what, head SHA, digest. */
function auditRecord(facts: GateFacts, trigger: Trigger, decision: Decision, plan: CheckRunPlan, p: Prepared, refused: readonly Dismissal[]): AuditRecord {
  const signoffs: Record<string, unknown>[] = [];
  for (const rule of decision.rules) {
    for (const c of rule.counted) signoffs.push({ user: c.user, via: c.via, signed_sha: c.headSha, digest: decision.digest, rule: rule.name, accepted: true });
  }
  for (const r of refused) signoffs.push({ user: r.user, via: "button", signed_sha: p.press?.headSha, digest: p.press?.digest ?? decision.digest, accepted: false, reason: r.reason });
  if (p.replayed && trigger.kind === "button") {
    signoffs.push({ user: trigger.user.login, via: "button", signed_sha: trigger.runHeadSha, accepted: false, reason: `delivery ${trigger.delivery} was already judged (a redelivery)` });
  }
  return {
    decision: {
      trigger: triggerName(trigger),
      digest: decision.digest,
      outcome: decision.outcome,
      conclusion: plan.conclusion,
      author: p.facts.author,
      author_kind: p.facts.authorKind,
      ...(p.authorKind.why ? { agent: p.authorKind.why } : {}),
      ...(facts.policy.source === "invalid" || facts.policy.source === "error" ? { policy: "invalid" } : {}),
      rules: decision.rules.map((r) => ({ name: r.name, status: r.status, required: r.required, counted: r.counted.map((c) => c.user) })),
      findings: new Set([...decision.rules.flatMap((r) => r.findings), ...decision.nonGating]).size,
    },
    signoffs,
  };
}
