/**
 * The best-effort writes after the check run: managed labels and review requests. Failures are
 * logged, never fatal — the check run already carries the decision. Labels are only ever written:
 * they are never read as a sign-off.
 */
import type { Decision } from "../policy/types.js";
import { messageOf, type Octokit, type RepoRef } from "./octokit.js";

export interface PullActionPlan {
  addLabels: string[];
  removeLabels: string[];
  reviewers: string[];
  teamReviewers: string[];
}

/** What to write, given the decision and what the pull request already has. */
export function planPullActions(
  decision: Decision,
  pr: { author: string; labels: readonly string[]; requestedUsers: readonly string[]; requestedTeams: readonly string[] },
  alreadyRequested: boolean,
): PullActionPlan {
  const have = new Set(pr.labels.map((l) => l.toLowerCase()));
  const addLabels = [...new Set(decision.labels.add)].filter((l) => !have.has(l.toLowerCase()));
  const adding = new Set(decision.labels.add.map((l) => l.toLowerCase()));
  const removeLabels = [...new Set(decision.labels.remove)].filter((l) => have.has(l.toLowerCase()) && !adding.has(l.toLowerCase()));
  const author = pr.author.toLowerCase();
  const users = new Set(pr.requestedUsers.map((u) => u.toLowerCase()));
  const teams = new Set(pr.requestedTeams.map((t) => t.toLowerCase()));
  const reviewers = alreadyRequested ? [] : decision.reviewers.users.filter((u) => u.toLowerCase() !== author && !users.has(u.toLowerCase()));
  const teamReviewers = alreadyRequested
    ? []
    : decision.reviewers.teams.map((t) => t.split("/").pop() ?? t).filter((t) => t !== "" && !teams.has(t.toLowerCase()));
  return { addLabels, removeLabels, reviewers, teamReviewers };
}

export async function performPullActions(
  octokit: Octokit,
  repo: RepoRef,
  pullNumber: number,
  plan: PullActionPlan,
  log: { warn: (obj: object, msg: string) => void },
): Promise<{ requested: boolean }> {
  const tasks: Promise<unknown>[] = [];
  const attempt = (what: string, run: () => Promise<unknown>) =>
    tasks.push(run().catch((error: unknown) => log.warn({ event: "pull-action-failed", what, error: messageOf(error) }, `changegate could not ${what}`)));
  if (plan.addLabels.length > 0) attempt("add labels", () => octokit.rest.issues.addLabels({ ...repo, issue_number: pullNumber, labels: plan.addLabels }));
  for (const name of plan.removeLabels) attempt(`remove label ${name}`, () => octokit.rest.issues.removeLabel({ ...repo, issue_number: pullNumber, name }));
  let requested = false;
  if (plan.reviewers.length + plan.teamReviewers.length > 0) {
    attempt("request reviewers", async () => {
      await octokit.rest.pulls.requestReviewers({ ...repo, pull_number: pullNumber, reviewers: plan.reviewers, team_reviewers: plan.teamReviewers });
      requested = true;
    });
  }
  await Promise.all(tasks);
  return { requested };
}
