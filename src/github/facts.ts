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
export function reviewEvents(
  reviews: readonly ReviewRecord[],
  digests: Readonly<Record<string, string>>,
  seen: Readonly<Record<string, number>> = {},
): SignOffEvent[] {
  const events: SignOffEvent[] = [];
  for (const r of reviews) {
    const state = r.state.toUpperCase();
    const mapped = state === "APPROVED" ? "approved" : state === "CHANGES_REQUESTED" ? "changes_requested" : state === "DISMISSED" ? "dismissed" : undefined;
    if (!mapped) continue;
    const reviewed = mapped === "approved" ? reviewedCommit(r, seen) : r.commitId;
    const event: SignOffEvent = { user: r.user.login, userType: r.user.type, via: "review", state: mapped, headSha: reviewed ?? "", at: r.at };
    const digest = reviewed ? digests[reviewed] : undefined;
    if (digest) event.digest = digest;
    events.push(event);
  }
  return events;
}

/** Slack for the clocks of GitHub (`submitted_at`) and the app (first sightings). */
const SIGHTING_SLACK_MS = 2_000;

/**
 * The commit an approval really covers. A force-push re-points an older review's `commit_id` at the
 * new head (reported by several projects; GitHub does not document it), so an approval submitted
 * before the app first saw its commit is bound to the head the app had seen at that time instead —
 * or to nothing known (`null`), which never carries over.
 */
function reviewedCommit(r: ReviewRecord, seen: Readonly<Record<string, number>>): string | null {
  if (!r.commitId) return null;
  const firstSeen = seen[r.commitId];
  const at = Date.parse(r.at);
  if (firstSeen === undefined || !Number.isFinite(at) || at >= firstSeen - SIGHTING_SLACK_MS) return r.commitId;
  let best: { sha: string; t: number } | undefined;
  for (const [sha, t] of Object.entries(seen)) if (sha !== r.commitId && t <= at && (!best || t > best.t)) best = { sha, t };
  return best?.sha ?? null;
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

/** Everyone who wrote the commits: authors, committers and `Co-authored-by` co-authors (none of them may sign off). */
export function committerLogins(commits: readonly CommitRecord[]): string[] {
  const logins = new Set<string>();
  for (const c of commits) {
    if (c.author) logins.add(c.author.login);
    if (c.committer) logins.add(c.committer.login);
    for (const login of coAuthorLogins(c.message)) logins.add(login);
  }
  return [...logins];
}

const CO_AUTHOR = /^co-authored-by:\s*(.*?)\s*<([^>]*)>\s*$/gim;
const LOGIN_SHAPED = /^[a-z\d](?:[a-z\d-]{0,38})(?:\[bot\])?$/i;

/**
 * Logins a commit message names as co-authors: the login of a GitHub no-reply address
 * (`123+login@users.noreply.github.com`), and the trailer's name when it is shaped like a login.
 * Trailers can be forged, so this only ever takes people away from the eligible reviewers.
 */
export function coAuthorLogins(message: string): string[] {
  const found: string[] = [];
  for (const match of message.matchAll(CO_AUTHOR)) {
    const name = match[1]!.trim();
    const email = match[2]!.trim().toLowerCase();
    if (email.endsWith("@users.noreply.github.com")) {
      const login = (email.split("@")[0] ?? "").replace(/^\d+\+/, "");
      if (login) found.push(login);
    }
    if (LOGIN_SHAPED.test(name)) found.push(name);
  }
  return found;
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
