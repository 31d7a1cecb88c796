/**
 * API cost of one evaluation: the real Probot app against the fake GitHub (its transport, no network). Each
 * reply is delayed, so requests in flight together overlap and the longest chain of requests that
 * had to wait for each other is the number of sequential round trips. A first delivery warms the
 * process (parsers loaded, as in a running app); then one `pull_request.opened` delivery per case:
 *
 *   - 20 changed files of which 5 are migrations (60 findings): the targets below must hold
 *   - 20 and 300 migrations: how the round trips grow with the files read
 *
 * Targets: no content request for unclaimed files; at most ⌈annotations/50⌉ + 2 check-run writes;
 * at most 5 sequential round trips from webhook to completed check run (plus the installation
 * token) for the 5-migration case. Claimed files are read 10 at a time (Probot's throttling lets
 * 10 requests of a process be in flight; GitHub allows 100), so each further 10 files read add one
 * round trip: about 5 + ⌈files/10⌉ − 1. The analysis runs on the same thread between replies and
 * can push a read past the next reply (more so on a busy machine), so the check only holds the
 * growth linear: at most two round trips per further 10 files.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { Probot, ProbotOctokit } from "probot";
import { CONTENT_CONCURRENCY } from "../src/github/gate.js";
import { MemoryBlobCache } from "../src/github/blob-cache.js";
import { GRAPHQL_BLOBS_PER_QUERY } from "../src/github/source.js";
import { createApp } from "../src/index.js";
import { FakeGitHub, type FakeFile } from "../test/fakes/github.js";

const APP_ID = 123;
const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
const MERGE_BASE = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const DELAY_MS = 25;
const AGENT = { login: "copilot-swe-agent[bot]", type: "Bot" };

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});

interface Case {
  migrations: number;
  others: number;
  /** Migrations already at base in the same directory: the history the schema model replays. */
  history?: number;
}

interface Figures {
  files: number;
  migrations: number;
  findings: number;
  conclusion: string;
  requests: number;
  toCompletion: number;
  routes: string;
  contentReads: number;
  unclaimedReads: number;
  checkWrites: number;
  allowedWrites: number;
  trips: number;
  elapsed: number;
  unexpected: string[];
  history: number;
  /** Blobs read through the REST blobs API. */
  blobReads: number;
  /** GraphQL queries, and the blobs they asked for. */
  blobQueries: number;
  graphqlBlobs: number;
  treeReads: number;
}

async function measure(probot: Probot, c: Case, delivery: string, action: "opened" | "synchronize" = "opened"): Promise<Figures> {
  const migrations = Array.from({ length: c.migrations }, (_, i) => `db/migrate/2024${String(i).padStart(6, "0")}0000_cleanup_${i}.sql`);
  const others = Array.from({ length: c.others }, (_, i) => `src/module-${i}.ts`);
  const files: FakeFile[] = [...migrations.map((path) => ({ path, status: "added" as const })), ...others.map((path) => ({ path, status: "modified" as const }))];
  const headContents: Record<string, string> = {};
  migrations.forEach((path, m) => {
    // With a history, a type change: judging it needs the column's type from the model, so the history is read.
    headContents[path] = c.history ? `ALTER TABLE legacy_${m}_0 ALTER COLUMN note TYPE varchar(20);\n` : Array.from({ length: 12 }, (_, t) => `DROP TABLE legacy_${m}_${t};`).join("\n") + "\n";
  });
  for (const path of others) headContents[path] = "export {};\n";
  const historyFiles: Record<string, string> = {};
  for (let i = 0; i < (c.history ?? 0); i++) {
    historyFiles[`db/migrate/2023${String(i).padStart(6, "0")}0000_step_${i}.sql`] = `-- step ${i}\nCREATE TABLE legacy_${i % Math.max(1, c.migrations)}_${Math.floor(i / Math.max(1, c.migrations)) % 12} (id bigint PRIMARY KEY, note text);\n`;
  }
  Object.assign(headContents, historyFiles);
  const github = new FakeGitHub({
    owner: "Codertocat",
    repo: "Hello-World",
    appId: APP_ID,
    pull: { number: 2, head: HEAD, base: BASE, baseRef: "master", author: AGENT },
    mergeBase: MERGE_BASE,
    files,
    contents: { [HEAD]: headContents, [MERGE_BASE]: { ...Object.fromEntries(others.map((p) => [p, "export {};\n"])), ...historyFiles } },
    commits: [{ sha: HEAD, author: AGENT, committer: { login: "web-flow" } }],
    reviews: [{ user: "alice", state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }],
    permissions: { alice: "write" },
    teams: {},
    branchRules: [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "changegate", integration_id: APP_ID }], strict_required_status_checks_policy: false } }],
    delayMs: DELAY_MS,
  });
  answering = github;

  const payload = JSON.parse(readFileSync(new URL(`../fixtures/payloads/pull_request.${action}.json`, import.meta.url), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  payload.pull_request.user = { ...payload.pull_request.user, ...AGENT };
  payload.pull_request.changed_files = files.length;

  const started = Date.now();
  await probot.receive({ id: delivery, name: "pull_request", payload: payload as never });
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
  const figures: Figures = {
    files: files.length,
    migrations: migrations.length,
    findings: run.annotations.length,
    conclusion: String(run.conclusion),
    requests: all.length,
    toCompletion: toCompletion.length,
    routes: summarize(all),
    contentReads: contentReads.length,
    unclaimedReads: unclaimedReads.length,
    checkWrites: checkWrites.length,
    allowedWrites: Math.ceil(run.annotations.length / 50) + 2,
    trips: github.sequentialRoundTrips(toCompletion),
    elapsed,
    unexpected: [...github.unexpected],
    history: c.history ?? 0,
    blobReads: github.blobReads.length,
    blobQueries: all.filter((r) => r.path === "/graphql").length,
    graphqlBlobs: github.graphqlBlobReads.length,
    treeReads: all.filter((r) => r.path.includes("/git/trees/") && r.query.recursive !== undefined).length,
  };
  if (process.env.BENCH_TRACE) for (const r of [...all].sort((a, b) => a.start - b.start)) console.log(r.start - all[0]!.start, r.end - all[0]!.start, r.method, decodeURIComponent(r.path));
  return figures;
}

/** The case being measured: one app serves every case, and its transport is the case's fake. */
let answering: FakeGitHub | undefined;

async function main(): Promise<void> {
  const silent = { level: "silent", trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent, isLevelEnabled: () => false };
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    log: silent as never,
    request: { fetch: (input: string | URL | Request, init?: RequestInit) => answering!.fetch(input, init) },
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  // The server's process-wide cache of decoded blobs (main.ts; on Redis with REDIS_URL).
  await probot.load(createApp({ appId: APP_ID, blobCache: new MemoryBlobCache() }));

  const cold = await measure(probot, { migrations: 5, others: 15 }, "bench-warm-up");
  const target = await measure(probot, { migrations: 5, others: 15 }, "bench-5");
  const twenty = await measure(probot, { migrations: 20, others: 0 }, "bench-20");
  const many = await measure(probot, { migrations: 300, others: 0 }, "bench-300");
  // One migration added to a history of 800: the schema model reads the history, first cold, then on the next push from the cache.
  const historyCold = await measure(probot, { migrations: 1, others: 0, history: 800 }, "bench-history-800");
  const historyWarm = await measure(probot, { migrations: 1, others: 0, history: 800 }, "bench-history-800-push", "synchronize");

  const rows: [string, string | number][] = [
    ["changed files / migrations", `${target.files} / ${target.migrations}`],
    ["findings (annotations written)", target.findings],
    ["conclusion", target.conclusion],
    ["API requests, all (excluding the token)", target.requests],
    ["API requests until the run completed", target.toCompletion],
    ["  by route", target.routes],
    ["content requests (claimed files, policy, its listing)", target.contentReads],
    ["content requests for unclaimed files", target.unclaimedReads],
    ["check-run writes", `${target.checkWrites} (target ≤ ${target.allowedWrites})`],
    ["sequential round trips, webhook → completed run", `${target.trips} (target ≤ 5; + 1 for the installation token)`],
    [`wall time with ${DELAY_MS} ms per reply`, `${target.elapsed} ms (first delivery of the process: ${cold.elapsed} ms, ${cold.trips} round trips)`],
  ];
  console.log("changegate API benchmark: one pull_request.opened delivery");
  for (const [k, v] of rows) console.log(`  ${k.padEnd(54)} ${v}`);
  console.log(`\n  round trips as the files read grow (${CONTENT_CONCURRENCY} content reads in flight):`);
  console.log(`  ${"migrations".padEnd(12)}${"round trips".padEnd(14)}${"requests".padEnd(10)}${"unclaimed reads".padEnd(17)}wall time`);
  for (const f of [target, twenty, many]) {
    console.log(`  ${String(f.migrations).padEnd(12)}${String(f.trips).padEnd(14)}${String(f.requests).padEnd(10)}${String(f.unclaimedReads).padEnd(17)}${f.elapsed} ms`);
  }
  console.log(`  growth: about 5 + ⌈migrations / ${CONTENT_CONCURRENCY}⌉ − 1 sequential round trips; every other stage is one round trip whatever the size.`);
  console.log(`\n  one migration added to a history of ${historyCold.history} (the schema model reads the history: recursive trees, then blobs by SHA, ${GRAPHQL_BLOBS_PER_QUERY} to a GraphQL query):`);
  console.log(`  ${"delivery".padEnd(36)}${"requests".padEnd(10)}${"round trips".padEnd(14)}${"trees".padEnd(7)}${"GraphQL".padEnd(9)}${"blobs".padEnd(7)}${"REST blobs".padEnd(12)}${"contents".padEnd(10)}wall time`);
  for (const [name, f] of [
    ["opened (cold blob cache)", historyCold],
    ["synchronize (blobs from the cache)", historyWarm],
  ] as const) {
    console.log(
      `  ${name.padEnd(36)}${String(f.requests).padEnd(10)}${String(f.trips).padEnd(14)}${String(f.treeReads).padEnd(7)}${String(f.blobQueries).padEnd(9)}${String(f.graphqlBlobs).padEnd(7)}${String(f.blobReads).padEnd(12)}${String(f.contentReads).padEnd(10)}${f.elapsed} ms`,
    );
  }

  const failures: string[] = [];
  for (const f of [target, twenty, many]) {
    if (f.unclaimedReads > 0) failures.push(`content was read for files no analyzer claims (${f.migrations} migrations)`);
    if (f.checkWrites > f.allowedWrites) failures.push(`too many check-run writes: ${f.checkWrites} > ${f.allowedWrites} (${f.migrations} migrations)`);
    if (f.unexpected.length > 0) failures.push(`unexpected requests: ${f.unexpected.join(", ")}`);
  }
  if (target.trips > 5) failures.push(`too many sequential round trips: ${target.trips} > 5`);
  if (historyCold.graphqlBlobs + historyCold.blobReads < historyCold.history) failures.push(`the schema model did not read the history: ${historyCold.graphqlBlobs + historyCold.blobReads} of ${historyCold.history} blobs`);
  if (historyCold.contentReads > historyCold.migrations + 2) failures.push(`the history was read through the contents API: ${historyCold.contentReads} content requests`);
  if (historyCold.blobReads + historyCold.graphqlBlobs > historyCold.history) failures.push(`a blob was read twice: ${historyCold.blobReads + historyCold.graphqlBlobs} blob reads for ${historyCold.history} migrations`);
  if (historyCold.blobReads > 0) failures.push(`the history was read a request per blob: ${historyCold.blobReads} REST blob requests`);
  if (historyCold.blobQueries > Math.ceil(historyCold.history / GRAPHQL_BLOBS_PER_QUERY)) failures.push(`the blobs took ${historyCold.blobQueries} GraphQL queries for ${historyCold.history} migrations`);
  if (historyWarm.blobReads + historyWarm.blobQueries > 0) failures.push(`the cache did not answer: ${historyWarm.blobReads + historyWarm.blobQueries} blob requests on the second delivery`);
  const bound = 5 + 2 * (Math.ceil(many.migrations / CONTENT_CONCURRENCY) - 1);
  if (many.trips > bound) failures.push(`round trips grow faster than the reads: ${many.trips} > ${bound} for ${many.migrations} migrations`);
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
