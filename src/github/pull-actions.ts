/**
 * Performs the planned pull-request actions: best effort, failures logged, never fatal — the check
 * run already carries the decision.
 */
import type { PullActionPlan } from "../gate/pull-actions.js";
import { messageOf, type Octokit, type RepoRef } from "./octokit.js";

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
