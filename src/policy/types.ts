/**
 * The contract between the policy engine (pure) and its callers (the CLI, the GitHub App).
 * `decide()` sees only these values: everything live (permissions, team membership, reviews)
 * is resolved by the caller first, so the decision is a pure function that tests can table-drive.
 */
import type { AuthorKind } from "../analyzers/types.js";
import type { Finding } from "../model/finding.js";

export type Permission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** A sign-off event, in the order GitHub recorded it. Reviews and button presses alike. */
export interface SignOffEvent {
  /** GitHub login. */
  user: string;
  /** The account type GitHub reports: `User`, `Bot`, `Organization`. */
  userType: string;
  via: "review" | "button";
  /** approved: signs off; changes_requested / dismissed: withdraws that person's earlier sign-off. */
  state: "approved" | "changes_requested" | "dismissed";
  /** The head SHA the review or button press was given on. */
  headSha: string;
  /** The findings digest at that head, when known (the App records it per head SHA in its check runs). */
  digest?: string;
  /** ISO timestamp. */
  at: string;
}

/** A lookup that may have failed: failures never count as eligible (fail closed). */
export type Lookup<T> = { ok: true; value: T } | { ok: false; error: string };

export interface PullRequestFacts {
  author: string;
  authorKind: AuthorKind;
  /** Logins of the authors, co-authors and committers of the pull request's commits, and of everyone who pushed to it (they cannot sign off). */
  committers: readonly string[];
  baseBranch: string;
  headSha: string;
  signOffs: readonly SignOffEvent[];
  /** Repository permission of each person who signed off, resolved live by the caller. */
  permissions: Readonly<Record<string, Lookup<Permission>>>;
  /** Active membership per `org/team-slug` and login, for the teams the matched rules name. */
  teamMembership: Readonly<Record<string, Readonly<Record<string, Lookup<boolean>>>>>;
  /** Logins that are coding agents (built-in list plus `agents.logins`), lower-case. */
  agentLogins?: readonly string[];
  /**
   * People who started or asked the coding agent behind an agent-authored pull request (the
   * human who assigned Copilot, Devin's "Requested by", a `Co-authored-by` human): like the
   * author, they cannot sign off. Optional; the App fills it where it can tell.
   */
  initiators?: readonly string[];
}

export type Outcome = "pass" | "needs-signoff" | "blocked";
/** Check-run conclusions the decision maps to. Required checks pass on success and neutral: never use neutral for "blocked". */
export type Conclusion = "success" | "neutral" | "action_required" | "failure";

/** A person whose sign-off counted. */
export interface CountedSignOff {
  user: string;
  via: "review" | "button";
  headSha: string;
  at: string;
}

/** A sign-off that did not count, and why ("alice authored this pull request", "stale: given on abc123 before a new finding"). */
export interface Dismissal {
  user: string;
  reason: string;
}

export interface RuleResult {
  /** The policy rule's `name` (the default policy's rules have fixed names). */
  name: string;
  status: "satisfied" | "pending" | "blocked";
  /** One line: "1/2 sign-offs from acme/dba", "blocked: Open this change as a person". */
  reason: string;
  findings: Finding[];
  /** Sign-offs required, `agents.extra_approvals` included. */
  required: number;
  from: { teams: string[]; users: string[] };
  counted: CountedSignOff[];
  dismissed: Dismissal[];
  /** For `block` rules: the message. */
  block?: string;
  /** Labels this rule applies. */
  labels?: string[];
  /** Set for the rules changegate adds itself (the built-in floor, and `gate/*` findings no policy rule covers). */
  builtin?: boolean;
}

export interface Decision {
  outcome: Outcome;
  conclusion: Conclusion;
  mode: "enforce" | "report-only";
  /** Every policy rule that matched at least one finding. */
  rules: RuleResult[];
  /** Findings that no rule gates (shown, never block). */
  nonGating: Finding[];
  /** Findings dropped by `ignore` entries. */
  ignored: Finding[];
  /** Digest of the gating findings: what a sign-off is bound to. */
  digest: string;
  /** Labels the App should have on the pull request, and the managed ones it should remove. */
  labels: { add: string[]; remove: string[] };
  /** Reviewers to request (never the author). */
  reviewers: { users: string[]; teams: string[] };
  /** Why the outcome is `blocked` (block rules, invalid policy, analysis errors). */
  blockReasons: string[];
  /** One line for the check run's title. */
  summary: string;
  /** In `report-only` mode: the outcome `enforce` would have given (the real outcome is then `pass`). */
  wouldBe?: Outcome;
  /** Where the policy came from (`file` at `path`, the built-in `default`, or an `invalid` file). */
  policy?: { source: "file" | "default" | "invalid"; path?: string };
}
