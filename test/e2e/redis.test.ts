/**
 * Two replicas on one Redis (a real redis-server on a free loopback port): the same deliveries
 * go to both, interleaved and duplicated; each delivery runs once, one evaluation per head at a
 * time, one check run per head SHA, ending in the right state. Losing Redis mid-evaluation never
 * turns the check green. Skips only when no redis-server binary can be found (.ci/run installs it).
 */
import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, REDIS_BINARY, startRedisServer } from "../support/redis-server.js";
import { GitHubServer } from "../support/github-server/server.js";
import { decodeState } from "../../src/gate/state.js";
import { AGENT, DBA, ENGINEER, sampleRepository, type Sample } from "../support/github-server/scenario.js";
import { eventually, ROOT, startApp, type AppProcess } from "./app-process.js";

let redis: ChildProcess | undefined;
let github: GitHubServer;
let sample: Sample;
let replicas: AppProcess[] = [];

/** Waits until neither replica has an evaluation in flight. */
async function settled(): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    const counts = await Promise.all(replicas.map(async (r) => ((await (await fetch(`${r.url}/readyz`)).json()) as { inFlight: number }).inFlight));
    quiet = counts.every((n) => n === 0) ? quiet + 1 : 0;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(!REDIS_BINARY)("two replicas on one Redis", () => {
  beforeAll(async () => {
    const port = await freePort();
    redis = (await startRedisServer(port)).child;
    github = await GitHubServer.start();
    sample = sampleRepository(github);
    const env = { REDIS_URL: `redis://127.0.0.1:${port}`, CHANGEGATE_LOCK_LEASE_MS: "3000" };
    replicas = await Promise.all([startApp(github, sample.app, { env, cwd: ROOT }), startApp(github, sample.app, { env, cwd: ROOT })]);
  }, 60_000);

  afterAll(async () => {
    // Redis is gone by now: the replicas cannot drain; end them.
    await Promise.all(replicas.map((r) => r.stop("SIGKILL")));
    redis?.kill("SIGKILL");
    await github?.close();
  });

  it("acknowledges at once and runs each delivery once: one check run per head, the right final state", async () => {
    const [a, b] = replicas as [AppProcess, AppProcess];
    const to = (r: AppProcess) => ({ webhookUrl: r.webhookUrl, secret: sample.app.secret });
    const opened = github.pullRequestEvent("opened", sample.pull.number);
    const reopened = github.pullRequestEvent("reopened", sample.pull.number);
    // The same delivery to both replicas, at once, twice over; another event for the same head in between.
    const first = await Promise.all([
      github.deliver(to(a), "pull_request", opened, { id: "delivery-opened" }),
      github.deliver(to(b), "pull_request", opened, { id: "delivery-opened" }),
      github.deliver(to(b), "pull_request", reopened, { id: "delivery-reopened" }),
      github.deliver(to(a), "pull_request", opened, { id: "delivery-opened" }),
    ]);
    expect(first.map((d) => d.status).sort()).toEqual([200, 200, 202, 202]);
    expect(first.filter((d) => d.body.includes("duplicate"))).toHaveLength(2);
    await settled();
    expect(github.runsFor(sample.head)).toHaveLength(1);
    expect(github.runsFor(sample.head)[0]!.conclusion, JSON.stringify(github.runsFor(sample.head)[0]!.output)).toBe("action_required");

    const committer = github.reviewEvent("submitted", github.review(sample.pull.number, ENGINEER, "APPROVED"));
    const dba = github.reviewEvent("submitted", github.review(sample.pull.number, DBA, "APPROVED"));
    await Promise.all([
      github.deliver(to(b), "pull_request_review", committer, { id: "delivery-review-1" }),
      github.deliver(to(a), "pull_request_review", dba, { id: "delivery-review-2" }),
      github.deliver(to(a), "pull_request_review", committer, { id: "delivery-review-1" }),
      github.deliver(to(b), "pull_request_review", dba, { id: "delivery-review-2" }),
    ]);
    await settled();
    const runs = github.runsFor(sample.head);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.conclusion).toBe("success");
    // Each delivery was answered by one evaluation naming it (deliveries that waited together share one).
    const decisions = replicas.flatMap((r) => r.logs.filter((l) => l.event === "decision"));
    const answered = decisions.flatMap((l) => (Array.isArray(l.deliveries) ? (l.deliveries as string[]) : []));
    expect(answered.sort()).toEqual(["delivery-opened", "delivery-reopened", "delivery-review-1", "delivery-review-2"]);
    expect(decisions.length).toBeLessThanOrEqual(4);
    expect(github.problems).toEqual([]);
  }, 90_000);

  it("a burst on one head, a press among it: one check run, the press counted once, every delivery answered", async () => {
    const [a, b] = replicas as [AppProcess, AppProcess];
    const to = (r: AppProcess) => ({ webhookUrl: r.webhookUrl, secret: sample.app.secret });
    github.push("copilot/drop-legacy-burst", { "db/migrations/900001_drop_legacy_burst.up.sql": "DROP TABLE legacy_burst;\n" }, { message: "Drop legacy_burst", author: AGENT, committer: ENGINEER });
    const pull = github.openPull({ head: "copilot/drop-legacy-burst", title: "Drop legacy_burst", author: AGENT }).number;
    const head = github.headOf(pull);
    // Each evaluation takes a while (every API answer 40 ms late): the burst arrives while the head is held.
    github.delayMs = 40;
    const burst: [AppProcess, string, Record<string, unknown>, string][] = [
      [a, "pull_request", github.pullRequestEvent("opened", pull), "burst-opened"],
      [b, "pull_request", github.pullRequestEvent("ready_for_review", pull), "burst-ready"],
      [a, "pull_request_review", github.reviewEvent("submitted", github.review(pull, ENGINEER, "APPROVED")), "burst-review"],
      [b, "pull_request", github.pullRequestEvent("reopened", pull), "burst-reopened-1"],
      [a, "pull_request", github.pullRequestEvent("reopened", pull), "burst-reopened-2"],
      [b, "pull_request", github.pullRequestEvent("reopened", pull), "burst-reopened-3"],
    ];
    const answers = await Promise.all(burst.map(([r, event, payload, id]) => github.deliver(to(r), event, payload, { id })));
    expect(answers.map((d) => d.status)).toEqual(burst.map(() => 202));
    await settled();
    const run = github.runsFor(head);
    expect(run).toHaveLength(1);
    expect(run[0]!.conclusion).toBe("action_required");

    // The DBA presses Sign off; the press is delivered to both replicas (one takes it), amid re-runs and reopenings.
    const pressed = github.checkRunEvent("requested_action", run[0]!.id, DBA);
    const more: [AppProcess, string, Record<string, unknown>, string][] = [
      [a, "check_run", github.checkRunEvent("rerequested", run[0]!.id, ENGINEER), "burst-rerun"],
      [b, "check_run", pressed, "burst-press"],
      [a, "check_run", pressed, "burst-press"],
      [a, "pull_request", github.pullRequestEvent("reopened", pull), "burst-reopened-4"],
      [b, "pull_request", github.pullRequestEvent("reopened", pull), "burst-reopened-5"],
    ];
    const later = await Promise.all(more.map(([r, event, payload, id]) => github.deliver(to(r), event, payload, { id })));
    expect(later.filter((d) => d.body.includes("duplicate"))).toHaveLength(1);
    await settled();
    github.delayMs = 0;

    const runs = github.runsFor(head);
    expect(runs).toHaveLength(1);
    expect(runs[0]!.conclusion, runs[0]!.output.summary ?? "").toBe("success");
    const state = decodeState(runs[0]!.output.text);
    expect(state?.presses?.filter((id) => id === "burst-press")).toEqual(["burst-press"]);
    expect(state?.signoffs.filter((s) => s.user === DBA)).toHaveLength(1);
    // Every delivery was answered by an evaluation that named it; together they took fewer evaluations than deliveries.
    const decisions = replicas.flatMap((r) => r.logs.filter((l) => l.event === "decision" && l.pr === pull && !l.error));
    const answered = new Set(decisions.flatMap((l) => (Array.isArray(l.deliveries) ? (l.deliveries as string[]) : [])));
    const ids = [...new Set([...burst, ...more].map(([, , , id]) => id))];
    expect(ids.filter((id) => !answered.has(id))).toEqual([]);
    expect(decisions.length).toBeLessThan(ids.length);
    expect(github.problems).toEqual([]);
  }, 120_000);

  it("losing Redis mid-evaluation never turns the check green", async () => {
    const [a] = replicas as [AppProcess];
    // A push that leaves the findings as they were: the DBA's sign-off would carry over to it.
    const before = sample.head;
    const head = github.push(sample.pull.headRef, { "README.md": "# shop\n\nNow with fewer legacy tables.\n" }, { message: "Update the README", author: ENGINEER });
    github.delayMs = 250;
    const delivery = await github.deliver({ webhookUrl: a.webhookUrl, secret: sample.app.secret }, "pull_request", github.pullRequestEvent("synchronize", sample.pull.number, { before, sender: ENGINEER }), { id: "delivery-push" });
    expect(delivery.status).toBe(202);
    await eventually(() => github.runsFor(head)[0], "the run on the new head");
    redis!.kill("SIGKILL");
    // Past the lease (3 s) and its renewals: whatever the evaluation does now, it does without the lock.
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    github.delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const runs = github.runsFor(head);
    expect(runs).toHaveLength(1);
    // Held: still in progress (Probot's cluster throttling waits for Redis) or failed, never passing.
    expect(["success", "neutral", "skipped"]).not.toContain(runs[0]!.conclusion);
    expect(runs[0]!.conclusion === null ? runs[0]!.status : "completed").toMatch(/in_progress|queued|completed/);
  }, 90_000);
});
