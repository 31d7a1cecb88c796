/**
 * `runGate`: the one pipeline every pull-request event ends in (policy-bot's eval_context stages).
 *
 *   1. read, all at once: the policy at the base branch head, the merge base, the file list, this
 *      app's run on the head, reviews, commits, the base branch's rules
 *   2. start the check run (in progress) while the claimed files are read and earlier runs recalled
 *   3. the eligibility lookups `decide` needs, nothing more
 *   4. decide, plan, complete the check run (must succeed)
 *   5. labels and review requests (best effort, logged)
 */
import { analyzeChangeSet, type AnalysisResult } from "../analyze.js";
import { analysisOptionsFromPolicy } from "../policy/options.js";
import { decide, requiredLookups, type FactsWithoutLookups } from "../policy/decide.js";
import { loadPolicy, validatePolicyText, type LoadedPolicy } from "../policy/load.js";
import type { Conclusion, Decision, Dismissal, Lookup, Permission, PullRequestFacts, SignOffEvent } from "../policy/types.js";
import { fit, OUTPUT_LIMIT, planCheckRun, type CheckRunPlan } from "../report/check-run.js";
import { SourceError } from "../source/source.js";
import { completeRun, findRuns, startRun, type ExistingRun, type RunTarget } from "./checks.js";
import { readEnforcement, type Enforcement } from "./enforcement.js";
import {
  agentLogins,
  committerLogins,
  Eligibility,
  listCommits,
  listReviews,
  pullAuthorKind,
  reviewEvents,
  type CommitRecord,
  type ReviewRecord,
} from "./facts.js";
import { mapBounded, messageOf, statusOf, type Octokit, type RepoRef } from "./octokit.js";
import { performPullActions, planPullActions } from "./pull-actions.js";
import { GitHubSource, listPullFiles } from "./source.js";
import { buttonEvent, encodeState, mergeStates, STATE_VERSION, type ButtonSignOff, type GateState } from "./state.js";

export const POLICY_PATH = ".github/changegate.yml";
const CONTENT_CONCURRENCY = 8;
/** Earlier runs recalled per evaluation: the reviewed commits and the previous head (state is carried forward). */
const MAX_EARLIER_RUNS = 20;

export interface GateLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface GateDeps {
  octokit: Octokit;
  log: GateLog;
  /** This app's id: only its own runs are read or written. */
  appId: number | undefined;
  now?: () => number;
}

/** The parts of a pull request the gate reads (a webhook's `pull_request` or `pulls.get`). */
export interface PullRequestData {
  number: number;
  state: string;
  html_url: string;
  user: { login: string; type: string } | null;
  head: { sha: string };
  base: { ref: string; sha: string };
  changed_files?: number;
  labels?: readonly { name?: string }[];
  requested_reviewers?: readonly ({ login?: string } | null)[] | null;
  requested_teams?: readonly ({ slug?: string } | null)[] | null;
}

export interface PullLocator extends RepoRef {
  pullNumber: number;
  /** The pull request as the webhook carried it; fetched live when absent. */
  pr?: PullRequestData;
}

export type Trigger =
  | { kind: "pull_request"; action: string; before?: string; pusher?: string }
  | { kind: "review"; action: string }
  | { kind: "button"; user: { login: string; type: string }; runHeadSha: string }
  | { kind: "rerun"; event: string };

export interface GateResult {
  skipped?: string;
  runId?: number;
  headSha?: string;
  decision?: Decision;
  conclusion?: string;
}

const locks = new Map<string, Promise<unknown>>();

/** Evaluations of the same head SHA in this process run one after another (duplicate deliveries never race). */
function withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
  const previous = locks.get(key) ?? Promise.resolve();
  const next = previous.then(task, task);
  const tail = next.catch(() => undefined);
  locks.set(key, tail);
  void tail.then(() => {
    if (locks.get(key) === tail) locks.delete(key);
  });
  return next;
}

export async function fetchPull(octokit: Octokit, repo: RepoRef, pullNumber: number): Promise<PullRequestData> {
  const { data } = await octokit.rest.pulls.get({ ...repo, pull_number: pullNumber });
  return data;
}

export async function runGate(deps: GateDeps, locator: PullLocator, trigger: Trigger): Promise<GateResult> {
  const repo: RepoRef = { owner: locator.owner, repo: locator.repo };
  const pr = locator.pr ?? (await fetchPull(deps.octokit, repo, locator.pullNumber));
  if (pr.state !== "open") {
    deps.log.info({ event: "skip", repo: `${repo.owner}/${repo.repo}`, pr: pr.number, reason: "closed" }, "changegate skips a closed pull request");
    return { skipped: "closed" };
  }
  return withLock(`${repo.owner}/${repo.repo}@${pr.head.sha}`, () => evaluate(deps, repo, pr, trigger));
}

async function evaluate(deps: GateDeps, repo: RepoRef, pr: PullRequestData, trigger: Trigger): Promise<GateResult> {
  const { octokit, log } = deps;
  const seq = (deps.now ?? Date.now)();
  const head = pr.head.sha;
  const baseBranch = pr.base.ref;
  const author = { login: pr.user?.login ?? "ghost", type: pr.user?.type ?? "User" };
  const where = { repo: `${repo.owner}/${repo.repo}`, pr: pr.number, head_sha: head };

  // Stage 1: everything that depends only on the pull request, at once.
  const policyP = loadPolicy((path) => readAtRef(octokit, repo, path, baseBranch), POLICY_PATH).then(
    (loaded): LoadedPolicy | { source: "error"; error: string } => loaded,
    (error: unknown) => ({ source: "error" as const, error: messageOf(error) }),
  );
  const mergeBaseP = octokit.rest.repos
    .compareCommitsWithBasehead({ ...repo, basehead: `${pr.base.sha}...${head}`, per_page: 1 })
    .then(({ data }) => data.merge_base_commit.sha)
    .catch(() => pr.base.sha);
  const listingP = listPullFiles(octokit, { ...repo, pullNumber: pr.number, ...(pr.changed_files !== undefined ? { changedFiles: pr.changed_files } : {}) });
  listingP.catch(() => undefined);
  const headRunsP = findRuns(octokit, repo, head, deps.appId);
  const reviewsP = listReviews(octokit, repo, pr.number);
  const commitsP = listCommits(octokit, repo, pr.number);
  const enforcementP = readEnforcement(octokit, repo, baseBranch, deps.appId).catch(
    (error: unknown): Enforcement => ({ branch: baseBranch, required: undefined, detail: messageOf(error) }),
  );
  for (const p of [reviewsP, commitsP]) p.catch(() => undefined);

  const headRuns = await headRunsP;
  const existing = headRuns[0];
  if (existing?.state && existing.state.seq > seq) {
    log.info({ event: "skip", ...where, reason: "a newer evaluation already wrote this run" }, "changegate keeps the newer result");
    return { skipped: "newer", runId: existing.id, headSha: head };
  }
  const target: RunTarget = { repo, headSha: head, detailsUrl: pr.html_url, ...(existing ? { existing } : {}) };
  // A check run belongs to a commit: other open pull requests with this head share it, and it shows the strictest verdict.
  const othersP = sharingPulls(octokit, repo, pr, existing).catch(() => rememberedOthers(pr.number, baseBranch, existing));

  // Stage 2: the run shows "in progress" while the claimed files are read.
  const runIdP = startRun(octokit, target, "Analysing…");
  runIdP.catch(() => undefined);
  try {
    const [loaded, reviews, commits] = await Promise.all([policyP, reviewsP, commitsP]);

    if (loaded.source === "error" || loaded.source === "invalid") {
      return await finishWithoutAnalysis(deps, { repo, pr, target, runIdP, existing, seq, loaded, where, enforcementP, author, commits, reviews, baseBranch, others: await othersP });
    }
    const policy = loaded.policy;
    const authorKind = pullAuthorKind(author, commits, policy);

    const source = new GitHubSource(octokit, { ...repo, pullNumber: pr.number, base: await mergeBaseP, head, listing: listingP });
    const analysisP = analyzeChangeSet(source, {
      ...analysisOptionsFromPolicy(policy),
      authorKind: authorKind.kind,
      policyPath: POLICY_PATH,
      validatePolicy: validatePolicyText,
      concurrency: CONTENT_CONCURRENCY,
    }).catch((error: unknown): AnalysisResult => {
      // The file list itself could not be read: nothing is known, the check fails and offers a re-run.
      const retryable = error instanceof SourceError ? error.retryable : true;
      return { base: source.base, head, findings: [], files: [], unclaimed: 0, contextFiles: 0, errors: [{ file: "(file list)", message: messageOf(error), retryable }] };
    });

    const earlierShas = earlierCommits(head, reviews, commits, trigger);
    const earlierP = mapBounded(earlierShas, CONTENT_CONCURRENCY, (sha) =>
      findRuns(octokit, repo, sha, deps.appId).catch((error: unknown) => {
        log.warn({ event: "recall-failed", ...where, sha, error: messageOf(error) }, "changegate could not read an earlier run");
        return [] as ExistingRun[];
      }),
    );
    const [analysis, earlier] = await Promise.all([analysisP, earlierP]);

    const states = [...headRuns, ...earlier.flat()].map((r) => r.state).filter((s): s is GateState => s !== undefined && s.pr === pr.number);
    const memory = mergeStates(states);
    // Authors, committers, co-authors and everyone who pushed: none of them signs off.
    const pushers = [...memory.pushers];
    if (trigger.kind === "pull_request" && trigger.pusher && !pushers.some((p) => same(p, trigger.pusher!))) pushers.push(trigger.pusher);
    const committers = [...new Set([...committerLogins(commits), ...pushers])];
    const seen = { ...memory.seen, [head]: firstSeen(head, memory.seen, existing, seq) };
    const events: SignOffEvent[] = [...reviewEvents(reviews, memory.digests, seen), ...memory.signoffs.map(buttonEvent)];
    const pressed = trigger.kind === "button" ? pressEvent(trigger, new Date(seq).toISOString(), memory.digests) : undefined;

    const factsBase: FactsWithoutLookups = {
      author: author.login,
      authorKind: authorKind.kind,
      committers,
      baseBranch,
      headSha: head,
      signOffs: sortEvents(pressed ? [...events, pressed] : events),
      agentLogins: agentLogins(policy),
    };
    const analysisErrors = analysis.errors.map((e) => `${e.file}: ${e.message}`);

    // A button press on the current head is bound to this evaluation's digest, known only after a first pass.
    if (pressed && pressed.headSha === head) {
      const first = decide({ findings: analysis.findings, facts: { ...factsBase, permissions: {}, teamMembership: {} }, policy: loaded, analysisErrors });
      pressed.digest = first.digest;
    }

    // Stage 3: only the lookups the decision will read.
    const needed = requiredLookups(analysis.findings, factsBase, loaded);
    const eligibility = new Eligibility(octokit, repo);
    const permissions: Record<string, Lookup<Permission>> = {};
    const teamMembership: Record<string, Record<string, Lookup<boolean>>> = {};
    await mapBounded(
      [
        ...needed.permissions.map((login) => async () => {
          permissions[login] = await eligibility.permission(login);
        }),
        ...needed.teamMembership.map(({ team, user }) => async () => {
          (teamMembership[team] ??= {})[user] = await eligibility.isMember(team, user);
        }),
      ],
      CONTENT_CONCURRENCY,
      (task) => task(),
    );
    const facts: PullRequestFacts = { ...factsBase, permissions, teamMembership };
    const decision = decide({ findings: analysis.findings, facts, policy: loaded, analysisErrors });

    // A press counts only if it counted; otherwise it is refused, with the reason, and not remembered.
    const buttons: ButtonSignOff[] = [...memory.signoffs];
    const refused: Dismissal[] = [];
    if (pressed && trigger.kind === "button") {
      const mine = decision.rules.flatMap((r) => r.counted.filter((c) => same(c.user, pressed.user)));
      const counted = mine.some((c) => c.via === "button" && c.at === pressed.at);
      if (mine.length > 0 && !counted) {
        // Already signed off another way (an approving review): nothing to record, nothing to refuse.
      } else if (counted) {
        const record: ButtonSignOff = { user: pressed.user, userType: pressed.userType, headSha: pressed.headSha, at: pressed.at };
        if (pressed.digest) record.digest = pressed.digest;
        buttons.push(record);
      } else {
        const reasons = decision.rules.flatMap((r) => r.dismissed.filter((d) => same(d.user, pressed.user)).map((d) => d.reason));
        refused.push({ user: pressed.user, reason: reasons[0] ?? "nothing on this pull request needs a sign-off" });
      }
    }

    const enforcement = await enforcementP;
    const pullPlan = planPullActions(decision, pullFacts(pr, author.login), existing?.state?.requested === true);
    const state: GateState = {
      v: STATE_VERSION,
      seq,
      pr: pr.number,
      head,
      base: baseBranch,
      digest: decision.digest,
      digests: { ...memory.digests, [head]: decision.digest },
      signoffs: buttons,
      requested: existing?.state?.requested === true || pullPlan.reviewers.length + pullPlan.teamReviewers.length > 0,
      others: await othersP,
      pushers,
      seen,
    };
    const plan = planWithState({
      headSha: head,
      decision,
      findings: analysis.findings,
      policy: { source: loaded.source, path: loaded.path },
      analysis: { analysed: analysis.files.length, unclaimed: analysis.unclaimed, errors: analysis.errors },
      enforced: enforcement,
      refused,
    }, state, existing);

    // Stage 4: the check run must be written; a failure here fails the delivery (GitHub shows the run as pending).
    const runId = await completeRun(octokit, target, await runIdP.catch(() => undefined), plan);

    audit(log, where, trigger, decision, plan, facts, refused, pressed, authorKind.why);

    // Stage 5: best effort.
    await performPullActions(octokit, repo, pr.number, pullPlan, log);
    return { runId, headSha: head, decision, conclusion: plan.conclusion };
  } catch (error) {
    // Whatever failed, the run must not stay "in progress" or, worse, keep an older success.
    await failRun(deps, target, await runIdP.catch(() => undefined), seq, pr.number, baseBranch, existing, error);
    throw error;
  }
}

/**
 * Plans the run, sending the annotations only if this run does not already carry the same set, and
 * holding it at the strictest verdict of the other open pull requests that share this head commit.
 */
function planWithState(input: Parameters<typeof planCheckRun>[0], state: GateState, existing: ExistingRun | undefined): CheckRunPlan {
  const probe = planCheckRun({ ...input, annotate: true });
  const already = existing?.state?.annotated === probe.annotationsHash;
  const full: GateState = { ...state, annotated: probe.annotationsHash, conclusion: probe.conclusion };
  return holdForOthers(planCheckRun({ ...input, annotate: !already, stateBlock: encodeState(full) }), state.others ?? {});
}

/** Passing conclusions rank lowest; anything unknown ranks as a failure. */
const STRICTNESS: Readonly<Record<string, number>> = { success: 0, skipped: 1, neutral: 1, action_required: 2, failure: 3 };

function strictness(conclusion: string): number {
  return STRICTNESS[conclusion] ?? 3;
}

/**
 * The plan, made as strict as the strictest other verdict this head's run remembers: another open
 * pull request with the same head (`"3"`), or this pull request evaluated against another base
 * branch at this same head (`"2@main"`, so retargeting away and back cannot borrow a laxer verdict).
 */
function holdForOthers(plan: CheckRunPlan, others: Readonly<Record<string, string>>): CheckRunPlan {
  // Only verdicts that hold a merge matter: a neutral next to a success passes either way.
  const stricter = Object.entries(others).filter(([, c]) => strictness(c) >= 2 && strictness(c) > strictness(plan.conclusion));
  if (stricter.length === 0) return plan;
  const worst = Math.max(...stricter.map(([, c]) => strictness(c)));
  const conclusion: Conclusion = worst >= 3 ? "failure" : "action_required";
  const names = stricter.map(([key]) => describeOther(key));
  const note =
    `> [!IMPORTANT]\n> This commit is held by ${names.join(", ")}: ${stricter.map(([key, c]) => `${describeOther(key)} is ${c}`).join(", ")}. ` +
    `A check run belongs to a commit, not to a pull request or a base branch, so it shows the strictest verdict. ` +
    `Sign off there, close the other pull request, or push a new commit.`;
  return {
    ...plan,
    conclusion,
    title: `Held by ${names.join(", ")} — ${plan.title}`.slice(0, 250),
    summary: fit([note, "", ...plan.summary.split("\n")], OUTPUT_LIMIT),
    actions: plan.actions.filter((a) => conclusion === "action_required" || a.identifier !== "signoff"),
  };
}

function parseOther(key: string): { number: number; base?: string } | undefined {
  const m = /^(\d+)(?:@(.+))?$/.exec(key);
  if (!m) return undefined;
  return m[2] !== undefined ? { number: Number(m[1]), base: m[2] } : { number: Number(m[1]) };
}

function describeOther(key: string): string {
  const other = parseOther(key);
  if (!other) return key;
  return other.base !== undefined ? `#${other.number} against \`${other.base}\`` : `#${other.number} (same head commit)`;
}

/** The verdicts the head's run remembers besides this pull request against this base: `"N"` other pull requests, `"N@base"` other bases. */
function rememberedOthers(pullNumber: number, base: string | undefined, existing: ExistingRun | undefined): Record<string, string> {
  const remembered: Record<string, string> = {};
  for (const [key, conclusion] of Object.entries(existing?.state?.others ?? {})) if (parseOther(key)) remembered[key] = conclusion;
  const state = existing?.state;
  const theirs = state ? (state.conclusion ?? existing?.conclusion ?? "failure") : undefined;
  if (state && theirs !== undefined) {
    if (state.pr !== pullNumber) remembered[String(state.pr)] = theirs;
    else if (state.base !== undefined && base !== undefined && state.base !== base) remembered[`${state.pr}@${state.base}`] = theirs;
  }
  delete remembered[String(pullNumber)];
  if (base !== undefined) delete remembered[`${pullNumber}@${base}`];
  return remembered;
}

/**
 * The remembered verdicts that still apply: another pull request only while it is open with this
 * head (checked live; one that cannot be read keeps holding); this pull request's other bases
 * for as long as this head's run lives.
 */
async function sharingPulls(octokit: Octokit, repo: RepoRef, pr: PullRequestData, existing: ExistingRun | undefined): Promise<Record<string, string>> {
  const remembered = rememberedOthers(pr.number, pr.base.ref, existing);
  const kept: Record<string, string> = {};
  const numbers = [...new Set(Object.keys(remembered).map((key) => parseOther(key)!.number))].filter((n) => n !== pr.number);
  const live = new Map<number, boolean>();
  await mapBounded(numbers, 4, async (number) => {
    try {
      const other = await fetchPull(octokit, repo, number);
      live.set(number, other.state === "open" && other.head.sha === pr.head.sha);
    } catch (error) {
      live.set(number, statusOf(error) !== 404);
    }
  });
  for (const [key, conclusion] of Object.entries(remembered)) {
    const other = parseOther(key)!;
    if (other.number === pr.number || live.get(other.number)) kept[key] = conclusion;
  }
  return kept;
}

/** Completes the run as a failure with a re-run button after an unexpected error (best effort). */
async function failRun(deps: GateDeps, target: RunTarget, runId: number | undefined, seq: number, pr: number, base: string, existing: ExistingRun | undefined, error: unknown): Promise<void> {
  const state: GateState = {
    v: STATE_VERSION,
    seq,
    pr,
    head: target.headSha,
    base,
    digest: "",
    digests: existing?.state?.digests ?? {},
    signoffs: existing?.state?.signoffs ?? [],
    conclusion: "failure",
    others: rememberedOthers(pr, base, existing),
    pushers: existing?.state?.pushers ?? [],
    seen: { ...(existing?.state?.seen ?? {}), [target.headSha]: firstSeen(target.headSha, existing?.state?.seen ?? {}, existing, seq) },
  };
  const plan = planCheckRun({
    headSha: target.headSha,
    findings: [],
    policy: { source: "default", path: POLICY_PATH },
    analysis: { analysed: 0, unclaimed: 0, errors: [{ file: "(GitHub API)", message: messageOf(error), retryable: true }] },
    stateBlock: encodeState(state),
  });
  try {
    await completeRun(deps.octokit, target, runId, plan);
  } catch (writeError) {
    deps.log.error({ event: "check-run-failed", head_sha: target.headSha, error: messageOf(writeError) }, "changegate could not write its check run");
  }
  deps.log.error({ event: "decision", pr, head_sha: target.headSha, outcome: "blocked", conclusion: "failure", error: messageOf(error) }, "changegate evaluation failed");
}

interface NoAnalysis {
  repo: RepoRef;
  pr: PullRequestData;
  target: RunTarget;
  runIdP: Promise<number>;
  existing: ExistingRun | undefined;
  seq: number;
  loaded: Extract<LoadedPolicy, { source: "invalid" }> | { source: "error"; error: string };
  where: object;
  enforcementP: Promise<Enforcement>;
  author: { login: string; type: string };
  commits: CommitRecord[];
  reviews: ReviewRecord[];
  baseBranch: string;
  others: Record<string, string>;
}

/** The policy could not be read or is invalid: the gate fails closed without analysing anything. */
async function finishWithoutAnalysis(deps: GateDeps, x: NoAnalysis): Promise<GateResult> {
  const { octokit, log } = deps;
  const errors =
    x.loaded.source === "invalid"
      ? x.loaded.errors.map((e) => ({ message: e.message, line: e.line, column: e.column }))
      : [{ message: `could not be read: ${x.loaded.error}`, line: 1 }];
  const loaded: LoadedPolicy =
    x.loaded.source === "invalid" ? x.loaded : { source: "invalid", path: POLICY_PATH, errors: errors.map((e) => ({ ...e, column: 1 })) };
  const facts: PullRequestFacts = {
    author: x.author.login,
    authorKind: pullAuthorKind(x.author, x.commits, undefined).kind,
    committers: committerLogins(x.commits),
    baseBranch: x.baseBranch,
    headSha: x.target.headSha,
    signOffs: [],
    permissions: {},
    teamMembership: {},
  };
  const decision = decide({ findings: [], facts, policy: loaded });
  const state: GateState = {
    v: STATE_VERSION,
    seq: x.seq,
    pr: x.pr.number,
    head: x.target.headSha,
    base: x.baseBranch,
    digest: "",
    digests: x.existing?.state?.digests ?? {},
    signoffs: x.existing?.state?.signoffs ?? [],
    others: x.others,
    pushers: x.existing?.state?.pushers ?? [],
    seen: { ...(x.existing?.state?.seen ?? {}), [x.target.headSha]: firstSeen(x.target.headSha, x.existing?.state?.seen ?? {}, x.existing, x.seq) },
  };
  const readError = x.loaded.source === "error" ? x.loaded.error : undefined;
  const plan = planWithState(
    {
      headSha: x.target.headSha,
      decision,
      findings: [],
      policy: { source: "invalid", path: POLICY_PATH, errors },
      ...(readError !== undefined ? { analysis: { analysed: 0, unclaimed: 0, errors: [{ file: POLICY_PATH, message: readError, retryable: true }] } } : {}),
      enforced: await x.enforcementP,
    },
    state,
    x.existing,
  );
  const runId = await completeRun(octokit, x.target, await x.runIdP.catch(() => undefined), plan);
  log.info(
    { event: "decision", ...x.where, digest: "", outcome: decision.outcome, conclusion: plan.conclusion, policy: "invalid", errors: errors.length },
    "changegate decision",
  );
  await performPullActions(octokit, x.repo, x.pr.number, planPullActions(decision, pullFacts(x.pr, x.author.login), true), log);
  return { runId, headSha: x.target.headSha, decision, conclusion: plan.conclusion };
}

function pressEvent(trigger: Extract<Trigger, { kind: "button" }>, at: string, digests: Record<string, string>): SignOffEvent {
  const event: SignOffEvent = { user: trigger.user.login, userType: trigger.user.type, via: "button", state: "approved", headSha: trigger.runHeadSha, at };
  const digest = digests[trigger.runHeadSha];
  if (digest) event.digest = digest;
  return event;
}

/**
 * When the app first saw `head`: as remembered; now, for a new head of a pull request it has been
 * watching; 0 (unknown: reviews are taken at their word) the first time it looks at a pull request.
 */
function firstSeen(head: string, seen: Readonly<Record<string, number>>, existing: ExistingRun | undefined, now: number): number {
  const remembered = seen[head] ?? existing?.state?.seen?.[head];
  if (remembered !== undefined) return remembered;
  const watched = Object.keys(seen).length > 0 || Object.keys(existing?.state?.seen ?? {}).length > 0;
  return watched ? now : 0;
}

/** Commits whose runs may remember digests or button sign-offs: the reviewed ones and the previous head. */
function earlierCommits(head: string, reviews: readonly ReviewRecord[], commits: readonly CommitRecord[], trigger: Trigger): string[] {
  const shas = new Set<string>();
  if (trigger.kind === "pull_request" && trigger.before) shas.add(trigger.before);
  if (trigger.kind === "button") shas.add(trigger.runHeadSha);
  const at = commits.findIndex((c) => c.sha === head);
  const previous = at > 0 ? commits[at - 1] : commits.length > 0 && at < 0 ? commits[commits.length - 1] : undefined;
  if (previous) shas.add(previous.sha);
  for (const r of reviews) if (r.commitId && /^(APPROVED|CHANGES_REQUESTED|DISMISSED)$/i.test(r.state)) shas.add(r.commitId);
  shas.delete(head);
  return [...shas].slice(-MAX_EARLIER_RUNS);
}

function sortEvents(events: SignOffEvent[]): SignOffEvent[] {
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.at.localeCompare(b.e.at) || a.i - b.i).map(({ e }) => e);
}

function pullFacts(pr: PullRequestData, author: string) {
  return {
    author,
    labels: (pr.labels ?? []).map((l) => l.name ?? "").filter((n) => n !== ""),
    requestedUsers: (pr.requested_reviewers ?? []).map((r) => r?.login ?? "").filter((n) => n !== ""),
    requestedTeams: (pr.requested_teams ?? []).map((t) => t?.slug ?? "").filter((n) => n !== ""),
  };
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

async function readAtRef(octokit: Octokit, repo: RepoRef, path: string, ref: string): Promise<Uint8Array | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path, ref, mediaType: { format: "raw" } });
    return typeof data === "string" ? new TextEncoder().encode(data) : new Uint8Array(data as unknown as ArrayBuffer);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** One structured line per decision and per sign-off: who, what, head SHA, digest. */
function audit(
  log: GateLog,
  where: { repo: string; pr: number; head_sha: string },
  trigger: Trigger,
  decision: Decision,
  plan: CheckRunPlan,
  facts: PullRequestFacts,
  refused: readonly Dismissal[],
  pressed: SignOffEvent | undefined,
  agentWhy: string | undefined,
): void {
  log.info(
    {
      event: "decision",
      ...where,
      trigger: trigger.kind === "pull_request" || trigger.kind === "review" ? `${trigger.kind}.${trigger.action}` : trigger.kind,
      digest: decision.digest,
      outcome: decision.outcome,
      conclusion: plan.conclusion,
      author: facts.author,
      author_kind: facts.authorKind,
      ...(agentWhy ? { agent: agentWhy } : {}),
      rules: decision.rules.map((r) => ({ name: r.name, status: r.status, required: r.required, counted: r.counted.map((c) => c.user) })),
      findings: new Set([...decision.rules.flatMap((r) => r.findings), ...decision.nonGating]).size,
    },
    "changegate decision",
  );
  for (const rule of decision.rules) {
    for (const c of rule.counted) {
      log.info(
        { event: "signoff", ...where, user: c.user, via: c.via, signed_sha: c.headSha, digest: decision.digest, rule: rule.name, accepted: true },
        "changegate sign-off counted",
      );
    }
  }
  for (const r of refused) {
    log.info(
      { event: "signoff", ...where, user: r.user, via: "button", signed_sha: pressed?.headSha, digest: pressed?.digest, accepted: false, reason: r.reason },
      "changegate sign-off refused",
    );
  }
}
