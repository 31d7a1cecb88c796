/**
 * API cost of one evaluation: the real Probot app against the fake GitHub (nock, no network), for
 * a pull request of 20 changed files of which 5 are migrations with 60 findings in all. Each reply
 * is delayed, so requests in flight together overlap and the longest chain of requests that had to
 * wait for each other is the number of sequential round trips. Prints the figures and checks the
 * targets: no content request for unclaimed files, at most ⌈annotations/50⌉ + 2 check-run writes,
 * at most 5 sequential round trips from webhook to completed check run.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../src/index.js";
import { FakeGitHub, type FakeFile } from "../test/fakes/github.js";

const APP_ID = 123;
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const MERGE_BASE = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const DELAY_MS = 25;

const migrations = Array.from({ length: 5 }, (_, i) => `db/migrate/2024010${i}000000_cleanup_${i}.sql`);
const others = Array.from({ length: 15 }, (_, i) => `src/module-${i}.ts`);
const files: FakeFile[] = [...migrations.map((path) => ({ path, status: "added" as const })), ...others.map((path) => ({ path, status: "modified" as const }))];
const headContents: Record<string, string> = {};
migrations.forEach((path, m) => {
  headContents[path] = Array.from({ length: 12 }, (_, t) => `DROP TABLE legacy_${m}_${t};`).join("\n") + "\n";
});
for (const path of others) headContents[path] = "export {};\n";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});

async function main(): Promise<void> {
  nock.disableNetConnect();
  const silent = { level: "silent", trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent, isLevelEnabled: () => false };
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    log: silent as never,
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createApp({ appId: APP_ID }));
  const github = new FakeGitHub({
    owner: "Codertocat",
    repo: "Hello-World",
    appId: APP_ID,
    pull: { number: 2, head: HEAD, base: BASE, baseRef: "master", author: { login: "copilot-swe-agent[bot]", type: "Bot" } },
    mergeBase: MERGE_BASE,
    files,
    contents: { [HEAD]: headContents, [MERGE_BASE]: Object.fromEntries(others.map((p) => [p, "export {};\n"])) },
    commits: [{ sha: HEAD, author: { login: "copilot-swe-agent[bot]", type: "Bot" }, committer: { login: "web-flow" } }],
    reviews: [{ user: "alice", state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }],
    permissions: { alice: "write" },
    teams: {},
    branchRules: [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "changegate" }], strict_required_status_checks_policy: false } }],
    delayMs: DELAY_MS,
  }).install();

  const payload = JSON.parse(readFileSync(new URL("../fixtures/payloads/pull_request.opened.json", import.meta.url), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  payload.pull_request.user = { ...payload.pull_request.user, login: "copilot-swe-agent[bot]", type: "Bot" };
  payload.pull_request.changed_files = files.length;

  const started = Date.now();
  await probot.receive({ id: "bench-1", name: "pull_request", payload: payload as never });
  const elapsed = Date.now() - started;

  const run = github.runsFor(HEAD)[0];
  if (!run) throw new Error("no check run was written");
  const all = github.apiRequests();
  // Up to the request that completed the run: the labels and review requests come after.
  const completing = all.filter((r) => r.method === "PATCH" && r.path.includes("/check-runs/"));
  const lastCheckWrite = Math.max(...completing.map((r) => r.end));
  const toCompletion = all.filter((r) => r.start <= lastCheckWrite);
  const contentReads = all.filter((r) => r.path.includes("/contents/"));
  const unclaimedReads = contentReads.filter((r) => others.some((p) => decodeURIComponent(r.path).endsWith(p)));
  const checkWrites = all.filter((r) => r.path.includes("/check-runs") && r.method !== "GET");
  const annotations = run.annotations.length;
  const findings = annotations;
  const allowedWrites = Math.ceil(annotations / 50) + 2;
  const trips = github.sequentialRoundTrips(toCompletion);

  const rows: [string, string | number][] = [
    ["changed files / migrations", `${files.length} / ${migrations.length}`],
    ["findings (annotations written)", findings],
    ["conclusion", String(run.conclusion)],
    ["API requests, all (excluding the token)", all.length],
    ["API requests until the run completed", toCompletion.length],
    ["  by route", summarize(all)],
    ["content requests (claimed files + policy)", contentReads.length],
    ["content requests for unclaimed files", unclaimedReads.length],
    ["check-run writes", `${checkWrites.length} (target ≤ ${allowedWrites})`],
    ["sequential round trips, webhook → completed run", `${trips} (target ≤ 5; + 1 for the installation token)`],
    [`wall time with ${DELAY_MS} ms per reply`, `${elapsed} ms`],
  ];
  console.log("changegate API benchmark: one pull_request.opened delivery");
  for (const [k, v] of rows) console.log(`  ${k.padEnd(50)} ${v}`);

  const failures: string[] = [];
  if (unclaimedReads.length > 0) failures.push("content was read for files no analyzer claims");
  if (checkWrites.length > allowedWrites) failures.push(`too many check-run writes: ${checkWrites.length} > ${allowedWrites}`);
  if (trips > 5) failures.push(`too many sequential round trips: ${trips} > 5`);
  if (github.unexpected.length > 0) failures.push(`unexpected requests: ${github.unexpected.join(", ")}`);
  nock.cleanAll();
  if (failures.length > 0) {
    console.error(`FAILED: ${failures.join("; ")}`);
    process.exitCode = 1;
  }
}

function summarize(requests: readonly { method: string; path: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) {
    const route = `${r.method} ${r.path
      .replace(/^\/repos\/[^/]+\/[^/]+/, "")
      .replace(/\/contents\/.*/, "/contents/…")
      .replace(/[0-9a-f]{40}/g, "{sha}")
      .replace(/\/\d+/g, "/{n}")}`;
    counts.set(route, (counts.get(route) ?? 0) + 1);
  }
  return [...counts].map(([k, v]) => `${k} ×${v}`).join(", ");
}

await main();
