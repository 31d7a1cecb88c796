/**
 * The pull-request records the policy reads, from the GitHub API: reviews and commits (as plain
 * records; src/policy/pull-facts.ts judges them), and the live eligibility lookups (repository
 * permission, active team membership) — memoised for one delivery and asked only for the people
 * and teams that matter.
 */
import type { CommitRecord, ReviewRecord } from "../policy/pull-facts.js";
import type { Lookup, Permission } from "../policy/types.js";
import { memo, messageOf, statusOf, type Octokit, type RepoRef } from "./octokit.js";

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
