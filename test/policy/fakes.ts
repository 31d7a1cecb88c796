/**
 * Builders for decision tests, shaped like policy-bot's pulltest.Context: every live lookup is a
 * value or an error, so "the lookup failed ⇒ not counted" is one field.
 */
import type { Finding, Severity } from "../../src/model/finding.js";
import { parsePolicy } from "../../src/policy/load.js";
import type { Policy } from "../../src/policy/schema.js";
import type { Lookup, Permission, PullRequestFacts, SignOffEvent } from "../../src/policy/types.js";

export const HEAD = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";
export const OLD_HEAD = "0f9e8d7c6b5a49382716051f2e3d4c5b6a798877";

export function finding(rule: string, overrides: Partial<Finding> = {}): Finding {
  const severity: Severity = overrides.severity ?? (rule.startsWith("sql/drop-table") ? "critical" : "high");
  return {
    rule,
    severity,
    category: rule.startsWith("gate/") ? "gate" : "data-loss",
    file: "db/migrate/001_drop.sql",
    line: 3,
    object: "users",
    message: `${rule} on users`,
    side: "head",
    ...overrides,
  };
}

export function signOff(user: string, overrides: Partial<SignOffEvent> = {}): SignOffEvent {
  return { user, userType: "User", via: "review", state: "approved", headSha: HEAD, at: "2026-11-20T10:00:00Z", ...overrides };
}

export const ok = <T>(value: T): Lookup<T> => ({ ok: true, value });
export const failed = (error: string): Lookup<never> => ({ ok: false, error });

export interface FactsOptions extends Partial<PullRequestFacts> {
  /** login → permission (or an Error for a failed lookup). Defaults: everyone who signed off has write. */
  perms?: Record<string, Permission | Error>;
  /** team → logins that are active members; `{ team: Error }` makes that team's lookups fail. */
  teams?: Record<string, string[] | Error>;
}

export function facts(options: FactsOptions = {}): PullRequestFacts {
  const { perms, teams, ...rest } = options;
  const signOffs = rest.signOffs ?? [];
  const users = [...new Set(signOffs.map((s) => s.user))];
  const permissions: Record<string, Lookup<Permission>> = {};
  for (const user of users) {
    const p = perms?.[user] ?? "write";
    permissions[user] = p instanceof Error ? failed(p.message) : ok(p);
  }
  const teamMembership: Record<string, Record<string, Lookup<boolean>>> = {};
  for (const [team, members] of Object.entries(teams ?? {})) {
    teamMembership[team] = {};
    for (const user of users) {
      teamMembership[team]![user] = members instanceof Error ? failed(members.message) : ok(members.some((m) => m.toLowerCase() === user.toLowerCase()));
    }
  }
  return {
    author: "dev",
    authorKind: "human",
    committers: ["dev"],
    baseBranch: "main",
    headSha: HEAD,
    permissions,
    teamMembership,
    ...rest,
    signOffs,
  };
}

export function policy(yaml: string): Policy {
  const result = parsePolicy(yaml);
  if (!result.ok) throw new Error(`test policy is invalid: ${JSON.stringify(result.errors)}`);
  return result.policy;
}
