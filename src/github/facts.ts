/**
 * `PullRequestFacts` from the GitHub API: who wrote the pull request and its commits, the reviews
 * as sign-off events, and the live eligibility lookups (repository permission, active team
 * membership) — memoised for one delivery and asked only for the people and teams that matter.
 */
import { agentCoAuthors, authorKindOf, BUILTIN_AGENT_LOGINS, isAgentLogin } from "../policy/agents.js";
import type { Policy } from "../policy/schema.js";
import type { Lookup, Permission, SignOffEvent } from "../policy/types.js";
import type { AuthorKind } from "../analyzers/types.js";
import { memo, messageOf, statusOf, type Octokit, type RepoRef } from "./octokit.js";

/** GitHub lists at most 250 commits of a pull request. */
export const PR_COMMIT_CAP = 250;

export interface Account {
  login: string;
  type: string;
}

export interface ReviewRecord {
  user: Account;
  state: string;
  commitId: string | null;
  at: string;
}

export interface CommitRecord {
  sha: string;
  author?: Account;
  committer?: Account;
  message: string;
}

export async function listReviews(octokit: Octokit, repo: RepoRef, pullNumber: number): Promise<ReviewRecord[]> {
  const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { ...repo, pull_number: pullNumber, per_page: 100 });
  const out: ReviewRecord[] = [];
  for (const r of reviews) {
    if (!r.user) continue;
    out.push({ user: { login: r.user.login, type: r.user.type }, state: r.state, commitId: r.commit_id, at: r.submitted_at ?? "" });
  }
  return out;
}

export async function listCommits(octokit: Octokit, repo: RepoRef, pullNumber: number): Promise<CommitRecord[]> {
  const commits = await octokit.paginate(octokit.rest.pulls.listCommits, { ...repo, pull_number: pullNumber, per_page: 100 });
  return commits.map((c) => {
    const record: CommitRecord = { sha: c.sha, message: c.commit.message };
    if (c.author && "login" in c.author && c.author.login) record.author = { login: c.author.login, type: c.author.type ?? "User" };
    if (c.committer && "login" in c.committer && c.committer.login) record.committer = { login: c.committer.login, type: c.committer.type ?? "User" };
    return record;
  });
}

/**
 * Reviews as sign-off events. Only approvals sign off; a later "changes requested" or a dismissal
 * withdraws them; comments say nothing. The digest is the one the app recorded for the reviewed
 * commit (unknown ⇒ the sign-off carries over only while that commit is the head).
 */
export function reviewEvents(reviews: readonly ReviewRecord[], digests: Readonly<Record<string, string>>): SignOffEvent[] {
  const events: SignOffEvent[] = [];
  for (const r of reviews) {
    const state = r.state.toUpperCase();
    const mapped = state === "APPROVED" ? "approved" : state === "CHANGES_REQUESTED" ? "changes_requested" : state === "DISMISSED" ? "dismissed" : undefined;
    if (!mapped) continue;
    const event: SignOffEvent = { user: r.user.login, userType: r.user.type, via: "review", state: mapped, headSha: r.commitId ?? "", at: r.at };
    const digest = r.commitId ? digests[r.commitId] : undefined;
    if (digest) event.digest = digest;
    events.push(event);
  }
  return events;
}

/** The author kind: the account, then the commits (an agent author or co-author makes the change agent-written). */
export function pullAuthorKind(author: Account, commits: readonly CommitRecord[], policy: Policy | undefined): { kind: AuthorKind; why?: string } {
  const kind = authorKindOf(author, policy);
  if (kind === "agent") return { kind, why: `@${author.login} is a coding agent` };
  for (const c of commits) {
    for (const who of [c.author, c.committer]) {
      if (who && isAgentLogin(who.login, policy)) return { kind: "agent", why: `commit ${c.sha.slice(0, 7)} was written by ${who.login}` };
    }
    const coAuthors = agentCoAuthors(c.message, policy);
    if (coAuthors.length > 0) return { kind: "agent", why: `commit ${c.sha.slice(0, 7)} is co-authored by ${coAuthors.join(", ")}` };
  }
  return { kind };
}

export function committerLogins(commits: readonly CommitRecord[]): string[] {
  const logins = new Set<string>();
  for (const c of commits) {
    if (c.author) logins.add(c.author.login);
    if (c.committer) logins.add(c.committer.login);
  }
  return [...logins];
}

export function agentLogins(policy: Policy | undefined): string[] {
  return [...new Set([...BUILTIN_AGENT_LOGINS, ...(policy?.agents.logins ?? [])].map((l) => l.toLowerCase()))];
}

const PERMISSIONS: readonly Permission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/** Live eligibility lookups for one delivery; each question goes to GitHub once. */
export class Eligibility {
  readonly permission: (login: string) => Promise<Lookup<Permission>>;
  private readonly membership: (key: string) => Promise<Lookup<boolean>>;

  constructor(octokit: Octokit, repo: RepoRef) {
    this.permission = memo(async (login: string): Promise<Lookup<Permission>> => {
      try {
        const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ ...repo, username: login });
        const role = (data.role_name ?? "").toLowerCase() as Permission;
        const value = PERMISSIONS.includes(role) ? role : (data.permission as Permission);
        return { ok: true, value: PERMISSIONS.includes(value) ? value : "none" };
      } catch (error) {
        if (statusOf(error) === 404) return { ok: true, value: "none" };
        return { ok: false, error: `permission lookup for ${login} failed: ${messageOf(error)}` };
      }
    });
    this.membership = memo(async (key: string): Promise<Lookup<boolean>> => {
      const [org, team, login] = key.split("\0") as [string, string, string];
      try {
        const { data } = await octokit.rest.teams.getMembershipForUserInOrg({ org, team_slug: team, username: login });
        return { ok: true, value: data.state === "active" };
      } catch (error) {
        if (statusOf(error) === 404) return { ok: true, value: false };
        return { ok: false, error: `membership lookup for ${login} in ${org}/${team} failed: ${messageOf(error)}` };
      }
    });
  }

  isMember(team: string, login: string): Promise<Lookup<boolean>> {
    const [org, slug] = team.split("/");
    if (!org || !slug) return Promise.resolve({ ok: false, error: `"${team}" is not an org/team` });
    return this.membership(`${org}\0${slug}\0${login.toLowerCase()}`);
  }
}
