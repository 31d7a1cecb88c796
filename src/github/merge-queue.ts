/**
 * The merge queue: `merge_group.checks_requested` asks for the required checks on the group's
 * head SHA. changegate reports the same `changegate` check there — success only if every pull
 * request in the group is signed off now, read from this app's run on each pull request's head.
 * Never a rubber stamp: a group whose pull requests cannot be identified fails.
 */
import { CHECK_NAME, type CheckRunPlan } from "../report/check-run.js";
import { completeRun, findRuns, runTarget } from "./checks.js";
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

/** What the group's commits trace to: the pull requests, and every commit that traces to none. */
export interface GroupTrace {
  numbers: number[];
  untraced: string[];
  /** Why the group could not be read at all (then nothing in it is trusted). */
  error?: string;
}

const SUBJECT_REF = /(?:\(#(\d{1,9})\)\s*$|^Merge pull request #(\d{1,9}) )/;

/**
 * Traces every commit of the group (base...head) to a pull request: a merge or squash subject
 * naming it, a pull request GitHub associates with the commit, or a commit of a named pull
 * request. A commit that traces to none — a rebase-method entry GitHub does not associate, say —
 * fails the group, and so does a comparison that cannot be read: never judged by the queue
 * branch's pull request alone.
 */
export async function traceGroup(octokit: Octokit, group: MergeGroup): Promise<GroupTrace> {
  const repo = { owner: group.owner, repo: group.repo };
  const numbers = new Set<number>();
  const fromRef = /\/pr-(\d+)-[0-9a-f]+$/.exec(group.headRef);
  if (fromRef) numbers.add(Number(fromRef[1]));
  let commits: { sha: string; commit: { message: string } }[];
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({ ...repo, basehead: `${group.baseSha}...${group.headSha}` });
    if (data.total_commits !== undefined && data.total_commits > data.commits.length) {
      return { numbers: [...numbers], untraced: [], error: `the group has ${data.total_commits} commits, more than GitHub lists in one comparison (${data.commits.length})` };
    }
    commits = data.commits;
  } catch (error) {
    return { numbers: [...numbers], untraced: [], error: `its commits could not be listed: ${messageOf(error)}` };
  }
  const pending: string[] = [];
  for (const commit of commits) {
    const m = SUBJECT_REF.exec(commit.commit.message.split("\n")[0] ?? "");
    if (m) numbers.add(Number(m[1] ?? m[2]));
    else pending.push(commit.sha);
  }
  const groupBase = group.baseRef.replace(/^refs\/heads\//, "");
  const untraced: string[] = [];
  const stillPending: string[] = [];
  await mapBounded(pending, 4, async (sha) => {
    try {
      const { data } = await octokit.rest.repos.listPullRequestsAssociatedWithCommit({ ...repo, commit_sha: sha, per_page: 10 });
      const mine = data.filter((p) => p.state === "open" && p.base.ref === groupBase);
      if (mine.length === 0) stillPending.push(sha);
      for (const p of mine) numbers.add(p.number);
    } catch {
      stillPending.push(sha);
    }
  });
  if (stillPending.length > 0) {
    // A merge-method group also lists each pull request's own commits: those trace to it.
    const own = new Set<string>();
    const failed: string[] = [];
    await mapBounded([...numbers], 4, async (number) => {
      try {
        const list = await octokit.paginate(octokit.rest.pulls.listCommits, { ...repo, pull_number: number, per_page: 100 });
        for (const c of list) own.add(c.sha);
      } catch (error) {
        failed.push(`#${number}: ${messageOf(error)}`);
      }
    });
    for (const sha of stillPending) if (!own.has(sha)) untraced.push(sha);
    if (failed.length > 0 && untraced.length > 0) return { numbers: [...numbers].sort((a, b) => a - b), untraced, error: `commits of ${failed.join(", ")} could not be listed` };
  }
  return { numbers: [...numbers].sort((a, b) => a - b), untraced };
}

export async function runMergeGroup(deps: { octokit: Octokit; log: GateLog; appId: number | undefined }, group: MergeGroup): Promise<{ conclusion: string; members: GroupMember[] }> {
  const { octokit, log } = deps;
  const repo = { owner: group.owner, repo: group.repo };
  // The group head's earlier run is only there to be updated in place: when it cannot be listed,
  // the verdict goes into a new run (the newest one is what the queue reads), never nowhere.
  const [trace, existing] = await Promise.all([
    traceGroup(octokit, group),
    findRuns(octokit, repo, group.headSha, deps.appId).catch((error: unknown) => {
      log.warn({ event: "merge-group", error: messageOf(error) }, "changegate could not list the merge group's runs; writing a new one");
      return [];
    }),
  ]);
  if (trace.error) log.warn({ event: "merge-group", error: trace.error }, "changegate could not trace the merge group");
  const numbers = trace.numbers;

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

  const traced = trace.error === undefined && trace.untraced.length === 0;
  const ok = traced && members.length > 0 && members.every((m) => m.ok);
  const lines = [
    ok ? "Every pull request in this merge group is signed off." : "This merge group cannot pass: not every commit in it traces to a pull request that is signed off now.",
    "",
    ...(trace.error ? [`- ⛔ The group could not be traced: ${trace.error}. Re-run the merge queue once GitHub answers.`] : []),
    ...trace.untraced.slice(0, 50).map((sha) => `- ⛔ Commit \`${sha.slice(0, 12)}\` traces to no pull request (GitHub associates it with none, and no pull request in the group has it): it cannot be vouched for.`),
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
  await completeRun(octokit, runTarget(repo, group.headSha, group.detailsUrl, existing, deps.appId), existing[0]?.id, plan);
  log.info(
    { event: "decision", repo: `${repo.owner}/${repo.repo}`, merge_group: group.headRef, head_sha: group.headSha, outcome: ok ? "pass" : "blocked", members },
    "changegate merge-group decision",
  );
  return { conclusion: plan.conclusion, members };
}
