/**
 * The pull-request actions after the check run, as a plan (pure): managed labels and review
 * requests. Labels are only ever written: they are never read as a sign-off.
 */
import type { Decision } from "../policy/types.js";

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
