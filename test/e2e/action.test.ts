/**
 * The GitHub Action end to end: the step's entry point (dist/action/main.js, what action.yml
 * runs) as the runner starts it — the event written to GITHUB_EVENT_PATH, GITHUB_EVENT_NAME, the
 * workflow's GITHUB_TOKEN and GITHUB_API_URL — against the local GitHub over loopback. The token
 * is one the local GitHub hands out as GitHub Actions does (the github-actions app), so the check
 * run is recorded as github-actions', and organisation data is out of its reach.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ACTIONS_APP_ID, GitHubServer, type CheckRunRecord } from "../support/github-server/server.js";
import { DBA, ENGINEER, sampleRepository, type Sample } from "../support/github-server/scenario.js";
import { ROOT } from "./app-process.js";

let github: GitHubServer;
let sample: Sample;
let dir: string;
let token: string;

beforeAll(async () => {
  github = await GitHubServer.start();
  sample = sampleRepository(github);
  // A ruleset that requires the check from GitHub Actions, as the README tells an Action user.
  github.requireCheck(github.defaultBranch, ACTIONS_APP_ID);
  token = github.actionsToken();
  dir = mkdtempSync(join(tmpdir(), "changegate-action-"));
}, 60_000);

afterAll(async () => {
  await github?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let runs = 0;

/** Runs the step for one workflow event; the payload is the webhook's, without `installation` (the runner's event file has none). */
async function step(event: string, payload: Record<string, unknown>, env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const { installation: _installation, ...workflowPayload } = payload;
  const path = join(dir, `event-${++runs}.json`);
  writeFileSync(path, JSON.stringify(workflowPayload));
  const child = spawn(process.execPath, [join(ROOT, "dist", "action", "main.js")], {
    cwd: dir,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_NAME: event,
      GITHUB_EVENT_PATH: path,
      GITHUB_API_URL: github.apiUrl,
      GITHUB_REPOSITORY: `${github.owner}/${github.repoName}`,
      GITHUB_RUN_ID: String(7000 + runs),
      GITHUB_RUN_ATTEMPT: "1",
      GITHUB_TOKEN: token,
      CHANGEGATE_APP_ID: String(ACTIONS_APP_ID),
      LOG_FORMAT: "json",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString("utf8")));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  return { code, out };
}

function theRun(sha: string): CheckRunRecord {
  const found = github.runsFor(sha);
  expect(found).toHaveLength(1);
  return found[0]!;
}

describe("changegate as a GitHub Action step", () => {
  it("action.yml installs the action's own locked dependencies and runs the entry point with the workflow's token", () => {
    const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as { runs: { using: string; steps: { run?: string; env?: Record<string, string>; "working-directory"?: string }[] }; inputs: Record<string, { default?: string }> };
    expect(action.runs.using).toBe("composite");
    const runSteps = action.runs.steps.filter((s) => s.run);
    expect(runSteps[0]).toMatchObject({ run: expect.stringMatching(/^npm ci\b/), "working-directory": "${{ github.action_path }}" });
    const last = runSteps.at(-1)!;
    expect(last.run).toBe('node "$GITHUB_ACTION_PATH/dist/action/main.js"');
    // Inputs reach the step through the environment, never spliced into the script.
    expect(last.env).toEqual({ GITHUB_TOKEN: "${{ inputs.github-token }}", CHANGEGATE_APP_ID: "${{ inputs.app-id }}" });
    expect(action.inputs["github-token"]!.default).toBe("${{ github.token }}");
  });

  it("action.yml runs other actions only at a pinned commit, never at a tag that can be moved", () => {
    const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as { runs: { steps: { uses?: string }[] } };
    const uses = action.runs.steps.flatMap((s) => (s.uses ? [s.uses] : []));
    expect(uses.length).toBeGreaterThan(0);
    for (const use of uses) expect(use).toMatch(/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/);
  });

  it("the README's workflow triggers on the three events, grants what the step writes with, and uses this version", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("<!-- action:start -->"), readme.indexOf("<!-- action:end -->"));
    const workflow = parse(/```yaml\n([\s\S]*?)```/.exec(section)![1]!) as { on: Record<string, unknown>; permissions: Record<string, string>; jobs: Record<string, { name?: string; steps: { uses?: string }[] }> };
    expect(Object.keys(workflow.on)).toEqual(["pull_request", "pull_request_review", "merge_group"]);
    expect(workflow.permissions).toEqual({ checks: "write", "pull-requests": "write", issues: "write", contents: "read" });
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    for (const [id, job] of Object.entries(workflow.jobs)) {
      // The job's own check run is named after the job: never the gate's name.
      expect(job.name ?? id).not.toBe("changegate");
      expect(job.steps.map((s) => s.uses)).toContain(`changegate/changegate@v${version}`);
    }
  });

  it("pull_request: the agent's destructive pull request is held by a github-actions check run, with no Sign off button", async () => {
    const { code, out } = await step("pull_request", github.pullRequestEvent("opened", sample.pull.number));
    expect(code, out).toBe(0);
    const run = theRun(sample.head);
    expect(run.appId).toBe(ACTIONS_APP_ID);
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("action_required");
    expect(run.output.title).toMatch(/sign-off/i);
    expect(run.output.summary).toContain("Destructive database change");
    expect(run.output.summary).not.toContain("presses **Sign off**");
    // A press would go to github-actions, never to this step: no button.
    expect(run.actions).toEqual([]);
    const at = run.annotations.map((a) => `${a.annotation_level} ${a.path}:${a.start_line}`);
    expect(at).toContain("failure db/migrations/000004_drop_legacy_orders.up.sql:2");
    expect(at).toContain("failure deploy/namespaces.yaml:6");
    expect(sample.pull.labels).toEqual(expect.arrayContaining(["changegate:needs-signoff", "destructive:database"]));
    // The ruleset requires the check from GitHub Actions: enforced, no warning about it.
    expect(run.output.summary).not.toMatch(/not required/i);
    expect(github.problems).toEqual([]);
  });

  it("the same workflow event again (a re-run of the job) updates the one run", async () => {
    const { code, out } = await step("pull_request", github.pullRequestEvent("synchronize", sample.pull.number, { sender: ENGINEER }));
    expect(code, out).toBe(0);
    expect(theRun(sample.head).conclusion).toBe("action_required");
  });

  it("pull_request_target (the base branch's workflow, a writing token on forks too) is handled as pull_request", async () => {
    const { code, out } = await step("pull_request_target", github.pullRequestEvent("reopened", sample.pull.number));
    expect(code, out).toBe(0);
    expect(theRun(sample.head).conclusion).toBe("action_required");
  });

  it("pull_request_review: the DBA's approval cannot satisfy a rule that names a team (GITHUB_TOKEN cannot read membership)", async () => {
    const review = github.review(sample.pull.number, DBA, "APPROVED");
    const { code, out } = await step("pull_request_review", github.reviewEvent("submitted", review));
    expect(code, out).toBe(0);
    const run = theRun(sample.head);
    expect(run.conclusion).toBe("action_required");
    expect(run.output.summary).toMatch(new RegExp(`could not check ${DBA}'s membership in acme/dba: .*Resource not accessible by integration`));
    const membership = github.requests.filter((r) => r.path.startsWith("/orgs/"));
    expect(membership.length).toBeGreaterThan(0);
    expect(membership.every((r) => r.status === 403)).toBe(true);
  });

  it("pull_request_review: with the rule naming the DBA as a user, the approval turns the gate green", async () => {
    const policy = readFileSync(join(ROOT, "fixtures", "sample-repo", "base", ".github", "changegate.yml"), "utf8").replace('from: { teams: ["acme/dba"] }', `from: { users: ["${DBA}"] }`);
    expect(policy).toContain(`users: ["${DBA}"]`);
    github.push(github.defaultBranch, { ".github/changegate.yml": policy }, { message: "Name the DBA: a workflow token cannot read teams", author: DBA });
    const review = github.reviews.find((r) => r.user === DBA && r.state === "APPROVED")!;
    const { code, out } = await step("pull_request_review", github.reviewEvent("submitted", review));
    expect(code, out).toBe(0);
    const run = theRun(sample.head);
    expect(run.conclusion).toBe("success");
    expect(sample.pull.labels).toContain("changegate:signed-off");
    expect(sample.pull.labels).not.toContain("changegate:needs-signoff");
    const keys = run.annotations.map((a) => `${a.path}:${a.start_line}:${a.message}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("merge_group: the queue's group passes while the pull request is signed off", async () => {
    const group = github.mergeGroup(sample.pull.number);
    const { code, out } = await step("merge_group", github.mergeGroupEvent(group));
    expect(code, out).toBe(0);
    const run = theRun(group.headSha);
    expect(run.appId).toBe(ACTIONS_APP_ID);
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain(`#${sample.pull.number}`);
    expect(github.problems).toEqual([]);
  });

  it("refuses what it cannot handle, with a workflow error and exit 1", async () => {
    const push = await step("push", { ref: "refs/heads/main" });
    expect(push.code).toBe(1);
    expect(push.out).toMatch(/^::error title=changegate::changegate does not run on "push" events/m);
    const noToken = await step("pull_request", github.pullRequestEvent("opened", sample.pull.number), { GITHUB_TOKEN: "" });
    expect(noToken.code).toBe(1);
    expect(noToken.out).toContain("GITHUB_TOKEN is empty");
    // On another host the GitHub Actions app's id is not known: it is never guessed.
    const noAppId = await step("pull_request", github.pullRequestEvent("opened", sample.pull.number), { CHANGEGATE_APP_ID: "" });
    expect(noAppId.code).toBe(1);
    expect(noAppId.out).toContain("app-id is needed");
  });

  it("a token that cannot write checks fails the step and leaves the verdict as it was", async () => {
    const before = theRun(sample.head).writes.length;
    const readOnly = await step("pull_request", github.pullRequestEvent("synchronize", sample.pull.number, { sender: ENGINEER }), { GITHUB_TOKEN: "ghs_not-a-token" });
    expect(readOnly.code, readOnly.out).toBe(1);
    expect(readOnly.out).toContain("::error title=changegate::");
    expect(theRun(sample.head).writes.length).toBe(before);
  });
});
