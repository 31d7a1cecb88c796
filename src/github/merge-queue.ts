/**
 * The merge queue: `merge_group.checks_requested` asks for the required checks on the group's
 * head SHA. changegate reports the same `changegate` check there — success only if every pull
 * request in the group is signed off now, read from this app's run on each pull request's head.
 * Never a rubber stamp: a group whose pull requests cannot be identified fails.
 */
import { CHECK_NAME, type CheckRunPlan } from "../report/check-run.js";
import { completeRun, findRuns } from "./checks.js";
import type { GateLog } from "./gate.js";
import { mapBounded, messageOf, type Octokit, type RepoRef } from "./octokit.js";

export interface MergeGroup extends RepoRef {
  headSha: string;
  headRef: string;
  baseSha: string;
  baseRef: string;
  /** Where the run links to (the repository). */
  detailsUrl: string;
}

export interface GroupMember {
  number: number;
  ok: boolean;
  reason: string;
}

/** Pull request numbers in the group: the queue branch names the last; the group's commits name the rest. */
export async function groupPullNumbers(octokit: Octokit, group: MergeGroup): Promise<number[]> {
  const numbers = new Set<number>();
  const fromRef = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.headRef);
  if (fromRef) numbers.add(Number(fromRef[1]));
  const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ owner: group.owner, repo: group.repo, basehead: `${group.baseSha}...${group.headSha}`, per_page: 100 });
  for (const commit of data.commits) {
    const message = commit.commit.message.split("\n")[0] ?? "";
    for (const match of message.matchAll(/(?:\(#(\d+)\)\s*$|^Merge pull request #(\d+) )/g)) numbers.add(Number(match[1] ?? match[2]));
  }
  return [...numbers].sort((a, b) => a - b);
}

export async function runMergeGroup(deps: { octokit: Octokit; log: GateLog; appId: number | undefined }, group: MergeGroup): Promise<{ conclusion: string; members: GroupMember[] }> {
  const { octokit, log } = deps;
  const repo = { owner: group.owner, repo: group.repo };
  const [numbers, existing] = await Promise.all([
    groupPullNumbers(octokit, group).catch((error: unknown) => {
      log.warn({ event: "merge-group", error: messageOf(error) }, "changegate could not list the merge group's commits");
      const fromRef = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.headRef);
      return fromRef ? [Number(fromRef[1])] : [];
    }),
    findRuns(octokit, repo, group.headSha, deps.appId),
  ]);

  const members = await mapBounded(numbers, 4, async (number): Promise<GroupMember> => {
    try {
      const { data: pr } = await octokit.rest.pulls.get({ ...repo, pull_number: number });
      const runs = await findRuns(octokit, repo, pr.head.sha, deps.appId);
      if (pr.state !== "open") return { number, ok: false, reason: `#${number} is ${pr.state}` };
      const groupBase = group.baseRef.replace(/^refs\/heads\//, "");
      if (pr.base.ref !== groupBase) return { number, ok: false, reason: `#${number} targets \`${pr.base.ref}\`, not \`${groupBase}\`` };
      if (runs.length === 0) return { number, ok: false, reason: `#${number} has no ${CHECK_NAME} result on its head ${pr.head.sha.slice(0, 7)}` };
      // Should a race have left two runs on the head, every one of them must pass.
      if (runs.some((run) => run.status !== "completed")) return { number, ok: false, reason: `#${number} is still being analysed` };
      // A verdict reached against another base branch (a retarget not yet re-evaluated) says nothing about this one.
      const elsewhere = runs.find((run) => run.state?.base !== undefined && run.state.base !== pr.base.ref);
      if (elsewhere) return { number, ok: false, reason: `#${number} was last evaluated against \`${elsewhere.state!.base}\`, not \`${pr.base.ref}\`` };
      const failing = runs.find((run) => run.conclusion !== "success" && run.conclusion !== "neutral");
      if (!failing) return { number, ok: true, reason: `#${number} is signed off (or needs no sign-off)` };
      return { number, ok: false, reason: `#${number} is not signed off (${failing.conclusion ?? "no conclusion"})` };
    } catch (error) {
      return { number, ok: false, reason: `#${number} could not be checked: ${messageOf(error)}` };
    }
  });

  const ok = members.length > 0 && members.every((m) => m.ok);
  const lines = [
    ok ? "Every pull request in this merge group is signed off." : "This merge group cannot pass: not every pull request in it is signed off.",
    "",
    ...(members.length === 0 ? ["- No pull request could be identified in this merge group."] : members.map((m) => `- ${m.ok ? "✅" : "⛔"} ${m.reason}`)),
  ];
  const plan: CheckRunPlan = {
    name: CHECK_NAME,
    title: ok ? `Merge group signed off (${members.length} pull request${members.length === 1 ? "" : "s"})` : "Merge group blocked: a pull request is not signed off",
    summary: lines.join("\n"),
    text: "",
    conclusion: ok ? "success" : "failure",
    actions: [],
    annotationBatches: [],
    annotationsHash: "",
  };
  await completeRun(octokit, { repo, headSha: group.headSha, detailsUrl: group.detailsUrl, ...(existing[0] ? { existing: existing[0] } : {}) }, existing[0]?.id, plan);
  log.info(
    { event: "decision", repo: `${repo.owner}/${repo.repo}`, merge_group: group.headRef, head_sha: group.headSha, outcome: ok ? "pass" : "blocked", members },
    "changegate merge-group decision",
  );
  return { conclusion: plan.conclusion, members };
}
