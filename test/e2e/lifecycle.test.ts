/**
 * The server's process: SIGTERM lets an evaluation in flight finish (its check run completes, the
 * webhook is answered) before the process exits; `.env` never overrides what the environment set.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { GitHubServer } from "../support/github-server/server.js";
import { sampleRepository, type Sample } from "../support/github-server/scenario.js";
import { eventually, ROOT, startApp } from "./app-process.js";

let github: GitHubServer;
let sample: Sample;
const dirs: string[] = [];

beforeAll(async () => {
  github = await GitHubServer.start();
  sample = sampleRepository(github);
});

afterAll(async () => {
  await github?.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

it("SIGTERM finishes the evaluation in flight, then exits 0", async () => {
  // The process Docker and Kubernetes signal: node itself, not an npm wrapper.
  const app = await startApp(github, sample.app, { cwd: ROOT });
  sample.app.webhookUrl = app.webhookUrl;
  // Every API answer takes a while: the signal arrives mid-evaluation.
  github.delayMs = 200;
  const delivery = github.deliver(sample.app, "pull_request", github.pullRequestEvent("opened", sample.pull.number));
  const run = await eventually(() => github.runsFor(sample.head).find((r) => r.status === "in_progress"), "the run to start");
  const stopped = app.stop("SIGTERM");
  expect((await delivery).status).toBe(200);
  expect(await stopped).toEqual({ code: 0, signal: null });
  github.delayMs = 0;
  expect(run.status).toBe("completed");
  expect(run.conclusion).toBe("action_required");
  const shutdown = app.logs.filter((l) => l.event === "shutdown");
  expect(shutdown[0]).toMatchObject({ in_flight: 1 });
  expect(shutdown.at(-1)).toMatchObject({ finished: true });
});

it("values in .env fill gaps but never override the environment; empty ones count as unset", async () => {
  const dir = mkdtempSync(join(tmpdir(), "changegate-dotenv-"));
  dirs.push(dir);
  // A copied .env.example, half filled in.
  writeFileSync(join(dir, ".env"), ["APP_ID=", "PRIVATE_KEY=", "WEBHOOK_SECRET=not-the-real-one", "PORT=3000", "LOG_LEVEL=debug", "SHUTDOWN_TIMEOUT_MS=1500", ""].join("\n"));
  const app = await startApp(github, sample.app, { cwd: dir });
  try {
    expect(new URL(app.url).port).not.toBe("3000");
    const warning = app.logs.find((l) => l.event === "env");
    expect(warning).toBeDefined();
    expect((warning!.kept_from_environment as string[]).sort()).toEqual(["LOG_LEVEL", "PORT", "WEBHOOK_SECRET"]);
    // The environment's secret is the one in force.
    const ping = await github.deliver({ webhookUrl: app.webhookUrl, secret: sample.app.secret }, "ping", { zen: "Keep it logically awesome.", hook_id: 1, hook: {} });
    expect(ping.status).toBe(200);
    expect(app.logs.some((l) => l.level === 20)).toBe(false);
  } finally {
    await app.stop();
  }
});
