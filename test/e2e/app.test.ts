/**
 * The App end to end, over HTTP: `npm start` with the documented environment, pointed at the
 * local GitHub server (GHE_HOST/GHE_PROTOCOL), receiving webhooks signed as GitHub signs them.
 * The assertions read what the GitHub server recorded: the check run, its annotations, labels
 * and review requests.
 */
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubServer, type CheckRunRecord } from "../support/github-server/server.js";
import { AGENT, DBA, ENGINEER, sampleRepository, type Sample } from "../support/github-server/scenario.js";
import { startApp, type AppProcess } from "./app-process.js";

let github: GitHubServer;
let sample: Sample;
let app: AppProcess;

beforeAll(async () => {
  github = await GitHubServer.start();
  sample = sampleRepository(github);
  app = await startApp(github, sample.app);
  sample.app.webhookUrl = app.webhookUrl;
}, 60_000);

afterAll(async () => {
  await app?.stop();
  await github?.close();
});

function theRun(sha: string): CheckRunRecord {
  const runs = github.runsFor(sha);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

describe("a destructive pull request by a coding agent", () => {
  it("answers the health endpoints", async () => {
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${app.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: "ready" });
  });

  it("is held: one check run with annotations on the exact lines, labels and a review request for the DBA team", async () => {
    const delivery = await github.deliver(sample.app, "pull_request", github.pullRequestEvent("opened", sample.pull.number));
    expect(delivery.status).toBe(200);
    const run = theRun(sample.head);
    expect(run.appId).toBe(sample.app.id);
    expect(run.status).toBe("completed");
    expect(run.conclusion).toBe("action_required");
    expect(run.output.title).toMatch(/sign-off/i);
    expect(run.output.summary).toContain("Destructive database change");
    const at = run.annotations.map((a) => `${a.annotation_level} ${a.path}:${a.start_line}`);
    expect(at).toContain("failure db/migrations/000004_drop_legacy_orders.up.sql:2");
    expect(at).toContain("failure db/migrations/000005_purge_expired_sessions.up.sql:2");
    // The sample policy names only SQL: the built-in floor gates the critical namespace deletion beside it.
    expect(at).toContain("failure deploy/namespaces.yaml:6");
    expect(run.output.summary).toContain("| High-severity changes | ⏳ pending |");
    expect(run.output.summary).toContain("| Agent-authored changes | ⏳ pending |");
    expect(run.actions.map((a) => a.identifier)).toContain("signoff");
    expect(sample.pull.labels).toEqual(expect.arrayContaining(["changegate:needs-signoff", "destructive:database"]));
    expect(github.reviewRequests).toEqual([{ pull: sample.pull.number, reviewers: [], teamReviewers: ["dba"] }]);
    expect(github.problems).toEqual([]);
  });

  it("a redelivery of the same delivery id changes nothing", async () => {
    const before = github.requests.length;
    const id = github.deliveries[0]!.id;
    const again = await github.deliver(sample.app, "pull_request", github.pullRequestEvent("opened", sample.pull.number), { id });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ status: "duplicate" });
    expect(github.requests.length).toBe(before);
  });

  it("refuses forged, missing and stale signatures and malformed bodies, and keeps serving", async () => {
    const before = github.requests.length;
    const writes = theRun(sample.head).writes.length;
    const payload = github.pullRequestEvent("synchronize", sample.pull.number);
    const body = JSON.stringify(payload);
    const forged = await github.deliver(sample.app, "pull_request", payload, { headers: { "x-hub-signature-256": `sha256=${"0".repeat(64)}` } });
    const missing = await github.deliver(sample.app, "pull_request", payload, { headers: { "x-hub-signature-256": null } });
    // Signed with the secret before it was rotated.
    const stale = await github.deliver(sample.app, "pull_request", payload, { headers: { "x-hub-signature-256": `sha256=${createHmac("sha256", "the-old-secret").update(body).digest("hex")}` } });
    // Signed over different bytes than those sent.
    const tampered = await github.deliver(sample.app, "pull_request", payload, { body: body.replace(`"synchronize"`, `"opened"`), headers: { "x-hub-signature-256": GitHubServer.signedHeaders("pull_request", body, sample.app.secret)["x-hub-signature-256"]! } });
    const malformed = await github.deliver(sample.app, "pull_request", undefined, { body: "{ not json" });
    const wrongType = await github.deliver(sample.app, "pull_request", payload, { headers: { "content-type": "text/plain" } });
    for (const refused of [forged, missing, stale, tampered, malformed, wrongType]) expect(refused.status).toBeGreaterThanOrEqual(400);
    for (const refused of [forged, missing, stale, tampered, malformed, wrongType]) expect(refused.status).toBeLessThan(500);
    expect(github.requests.length).toBe(before);
    expect(theRun(sample.head).writes.length).toBe(writes);
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  it("an approval by the engineer who pushed the agent's commits changes nothing", async () => {
    const review = github.review(sample.pull.number, ENGINEER, "APPROVED");
    expect((await github.deliver(sample.app, "pull_request_review", github.reviewEvent("submitted", review))).status).toBe(200);
    const run = theRun(sample.head);
    expect(run.conclusion).toBe("action_required");
    expect(run.output.summary).toContain(ENGINEER);
  });

  it("the agent's own press of Sign off is refused", async () => {
    const run = theRun(sample.head);
    const press = github.checkRunEvent("requested_action", run.id, AGENT, "signoff");
    expect((await github.deliver(sample.app, "check_run", press)).status).toBe(200);
    expect(theRun(sample.head).conclusion).toBe("action_required");
  });

  it("the DBA's approval turns the gate green and swaps the labels", async () => {
    const review = github.review(sample.pull.number, DBA, "APPROVED");
    expect((await github.deliver(sample.app, "pull_request_review", github.reviewEvent("submitted", review))).status).toBe(200);
    const run = theRun(sample.head);
    expect(run.conclusion).toBe("success");
    expect(sample.pull.labels).toContain("changegate:signed-off");
    expect(sample.pull.labels).not.toContain("changegate:needs-signoff");
    // Annotations append on every update: a re-evaluation must not repeat them.
    const keys = run.annotations.map((a) => `${a.path}:${a.start_line}:${a.message}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("a re-run request evaluates again and keeps the verdict", async () => {
    const run = theRun(sample.head);
    const writes = run.writes.length;
    expect((await github.deliver(sample.app, "check_run", github.checkRunEvent("rerequested", run.id, DBA))).status).toBe(200);
    expect(theRun(sample.head).writes.length).toBeGreaterThan(writes);
    expect(theRun(sample.head).conclusion).toBe("success");
  });

  it("the merge queue's group passes while the pull request is signed off", async () => {
    const group = github.mergeGroup(sample.pull.number);
    expect((await github.deliver(sample.app, "merge_group", github.mergeGroupEvent(group))).status).toBe(200);
    const run = theRun(group.headSha);
    expect(run.conclusion).toBe("success");
    expect(run.output.summary).toContain(`#${sample.pull.number}`);
  });

  it("a withdrawal (changes requested) holds the pull request again", async () => {
    const review = github.review(sample.pull.number, DBA, "CHANGES_REQUESTED");
    expect((await github.deliver(sample.app, "pull_request_review", github.reviewEvent("submitted", review))).status).toBe(200);
    expect(theRun(sample.head).conclusion).toBe("action_required");
  });

  it("logs JSON under NODE_ENV=production: one decision line per evaluation", () => {
    expect(app.text.filter((line) => !line.startsWith(">"))).toEqual([]);
    const decisions = app.logs.filter((l) => l.event === "decision");
    expect(decisions.length).toBeGreaterThanOrEqual(5);
    expect(decisions[0]).toMatchObject({ repo: `${github.owner}/${github.repoName}`, pr: sample.pull.number, head_sha: sample.head, outcome: "needs-signoff" });
    expect(github.problems).toEqual([]);
  });
});
