/**
 * Pull-request facts as the policy reads them, from plain records of what GitHub returned: who
 * wrote the pull request and its commits, and the reviews as sign-off events. Pure: the App reads
 * the records (src/github), this turns them into what `decide` needs.
 */
import type { AuthorKind } from "../analyzers/types.js";
import { agentCoAuthors, authorKindOf, coAuthorTrailers, isAgentLogin, noreplyLogin } from "./agents.js";
import type { Policy } from "./schema.js";
import type { SignOffEvent } from "./types.js";

export interface Account {
  login: string;
  type: string;
}

export interface ReviewRecord {
  user: Account;
  state: string;
  commitId: string | null;
  /** `submitted_at`, GitHub's clock. */
  at: string;
}

export interface CommitRecord {
  sha: string;
  author?: Account;
  committer?: Account;
  message: string;
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

/**
 * The commit an approval really covers. A force-push re-points an older review's `commit_id` at the
 * new head (reported by several projects; GitHub does not document it), so an approval covers a
 * commit only when it was submitted after that commit reached the pull request — both times on
 * GitHub's clock, with no slack: an approval in the same second as the push is not taken for it.
 * Otherwise it is bound to the head the pull request had when it was given, or to nothing known
 * (`null`), which never carries over.
 */
function reviewedCommit(r: ReviewRecord, seen: Readonly<Record<string, number>>): string | null {
  if (!r.commitId) return null;
  const firstSeen = seen[r.commitId];
  const at = Date.parse(r.at);
  // 0: the app saw the pull request for the first time at this head and cannot know; taken at its word.
  if (firstSeen === undefined || firstSeen === 0) return r.commitId;
  if (!Number.isFinite(at)) return null;
  if (at > firstSeen) return r.commitId;
  let best: { sha: string; t: number } | undefined;
  for (const [sha, t] of Object.entries(seen)) if (sha !== r.commitId && t < at && (!best || t > best.t)) best = { sha, t };
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

const LOGIN_SHAPED = /^[a-z\d](?:[a-z\d-]{0,38})(?:\[bot\])?$/i;

/**
 * Logins a commit message names as co-authors: the login of a GitHub no-reply address
 * (`123+login@users.noreply.github.com`), and the trailer's name when it is shaped like a login.
 * Trailers can be forged, so this only ever takes people away from the eligible reviewers.
 */
export function coAuthorLogins(message: string): string[] {
  const found: string[] = [];
  for (const { name, email } of coAuthorTrailers(message)) {
    const login = noreplyLogin(email);
    if (login) found.push(login);
    if (LOGIN_SHAPED.test(name)) found.push(name);
  }
  return found;
}
