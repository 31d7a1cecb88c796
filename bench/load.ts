/**
 * Load: 500 signed webhooks for 100 pull requests, over loopback, to the real server (`node
 * dist/src/server/main.js`, as test/e2e/app-process.ts starts it) against the local GitHub
 * (test/support/github-server), which adds 50 ms to every API answer. Run twice: one process
 * without Redis (the webhook is answered when the evaluation is done), then two processes on one
 * Redis (answered 202 at once; the evaluation runs behind it), each delivery sent to one of them.
 *
 * Each pull request is a coding agent's branch that drops a table (the sample repository's
 * first pull request carries the whole sample change). Its five deliveries, in this order, with
 * the deliveries of all pull requests interleaved: opened, ready_for_review, an approval by the
 * engineer who pushed the agent's commits (not eligible), an approval by the DBA (eligible),
 * reopened. Each pull request must end with exactly one `changegate` check run on its head,
 * `success` with the DBA's sign-off, and every delivery must have been evaluated: none lost.
 *
 * Evaluated means: an evaluation that started after the delivery arrived completed. Deliveries
 * for a head that is being evaluated wait in the head's queue and are answered together by the
 * next evaluation of it (src/gate/coalesce.ts), which names them all in its `decision` log line
 * (`deliveries`); a `skip` line (a newer evaluation had already written the run) names them too.
 * A delivery whose only evaluation failed counts as lost, even though its check failed closed.
 *
 * Probot throttles writes (check runs, labels, review requests) to one a second per key; the
 * server keys that limiter by installation (src/server/throttle.ts). With every pull request in
 * one installation the run takes 500 evaluations × 2–4 writes at one write a second, so the 100
 * pull requests are spread over INSTALLATIONS installations, as traffic to a GitHub App spreads
 * over the organisations that installed it. (The local GitHub has one repository; the
 * installation id in each payload is what Probot keys its token and its limiter by.)
 *
 * Printed per run: throughput (deliveries per second, first send to last decision), p50/p99 of
 * webhook-to-completed-check latency (from sending a delivery to the log line the server writes
 * after completing the check run for it), and the peak resident memory (VmHWM) of each process.
 *
 *   npm run build && node --import tsx bench/load.ts [--installations N] [--concurrency N] [--pulls N]
 *     [--only one-process|two-processes-redis] [--logs FILE]
 *
 * `--logs FILE` writes every server log line (JSON, with the process's index as `process`) and the
 * local GitHub's check-run writes, for reading what happened to a pull request that went wrong.
 */
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { GitHubServer } from "../test/support/github-server/server.js";
import { AGENT, DBA, ENGINEER, sampleRepository } from "../test/support/github-server/scenario.js";
import { ROOT, startApp, type AppProcess } from "../test/e2e/app-process.js";
import { startRedisServer } from "../test/support/redis-server.js";

const PULLS_DEFAULT = 100;
const DELIVERIES_PER_PULL = 5;
const DELAY_MS = 50;
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
/** 100; fewer for a quick look (`--pulls 10`). */
const PULLS = arg("pulls", PULLS_DEFAULT);
const INSTALLATIONS = arg("installations", 25);
/** Deliveries in flight at once (GitHub delivers in parallel; a single process answers each after its evaluation). */
const CONCURRENCY = arg("concurrency", 50);
const TIMEOUT_MS = 15 * 60_000;
const option = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const LOGS = option("logs");
const ONLY = option("only");

interface Planned {
  pull: number;
  step: number;
  id: string;
}

interface Outcome {
  name: string;
  processes: number;
  deliveries: number;
  refused: number;
  lost: string[];
  wrong: string[];
  seconds: number;
  throughput: number;
  p50: number;
  p99: number;
  peakMiB: number[];
  writes: number;
  /** Evaluations that completed (decision lines): fewer than deliveries where the head's queue coalesced them. */
  evaluations: number;
}

/** Peak resident set size of a process, from /proc (Linux). */
function peakMiB(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Math.round(Number(kb) / 1024) : NaN;
  } catch {
    return NaN;
  }
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function run(name: string, processes: number): Promise<Outcome> {
  const github = await GitHubServer.start({ delayMs: 0 });
  const redis = processes > 1 ? await startRedisServer() : undefined;
  let apps: AppProcess[] = [];
  try {
    const sample = sampleRepository(github);
    const pulls = [sample.pull.number];
    for (let n = 2; n <= PULLS; n++) {
      const branch = `copilot/drop-legacy-${n}`;
      github.push(branch, { [`db/migrations/1${String(n).padStart(5, "0")}_drop_legacy_${n}.up.sql`]: `-- Nothing reads legacy_${n} any more.\nDROP TABLE legacy_${n};\n` }, {
        message: `Drop legacy_${n}\n\nCo-authored-by: ${ENGINEER} <${github.identity(ENGINEER).email}>`,
        author: AGENT,
        committer: ENGINEER,
      });
      pulls.push(github.openPull({ head: branch, title: `Drop legacy_${n}`, author: AGENT }).number);
    }
    const env = { LOG_LEVEL: "info", ...(redis ? { REDIS_URL: redis.url } : {}) };
    apps = await Promise.all(Array.from({ length: processes }, () => startApp(github, sample.app, { env, cwd: ROOT })));
    github.delayMs = DELAY_MS;

    // Interleaved: every pull request's first delivery, then every second one, each round shuffled.
    const planned: Planned[] = [];
    for (let step = 0; step < DELIVERIES_PER_PULL; step++) {
      const round = pulls.map((pull) => ({ pull, step, id: `load-${name}-${pull}-${step}` }));
      for (let i = round.length - 1; i > 0; i--) {
        const j = Math.floor(Math.random() * (i + 1));
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
      planned.push(...round);
    }

    const sentAt = new Map<string, number>();
    let refused = 0;
    const payloadFor = (p: Planned): [string, Record<string, unknown>] => {
      let event: string;
      let payload: Record<string, unknown>;
      if (p.step === 0) [event, payload] = ["pull_request", github.pullRequestEvent("opened", p.pull)];
      else if (p.step === 1) [event, payload] = ["pull_request", github.pullRequestEvent("ready_for_review", p.pull)];
      else if (p.step === 2) [event, payload] = ["pull_request_review", github.reviewEvent("submitted", github.review(p.pull, ENGINEER, "APPROVED"))];
      else if (p.step === 3) [event, payload] = ["pull_request_review", github.reviewEvent("submitted", github.review(p.pull, DBA, "APPROVED"))];
      else [event, payload] = ["pull_request", github.pullRequestEvent("reopened", p.pull)];
      payload.installation = { id: 1 + (p.pull % INSTALLATIONS) };
      return [event, payload];
    };
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < planned.length) {
          const p = planned[next++]!;
          const [event, payload] = payloadFor(p);
          const app = apps[(p.pull + p.step) % apps.length]!;
          sentAt.set(p.id, Date.now());
          // A refused or dropped delivery is counted, and its evaluation still looked for in the logs.
          try {
            const delivery = await github.deliver({ webhookUrl: app.webhookUrl, secret: sample.app.secret }, event, payload, { id: p.id });
            if (delivery.status !== 200 && delivery.status !== 202) {
              refused++;
              const why = app.logs.find((l) => l.id === p.id && typeof l.error === "string")?.error;
              console.error(`${p.id}: HTTP ${delivery.status} ${delivery.body.slice(0, 200)}${why ? ` (${String(why)})` : ""}`);
            }
          } catch (error) {
            refused++;
            console.error(`${p.id}: ${error instanceof Error ? `${error.message} (${String((error as { cause?: unknown }).cause)})` : String(error)}`);
          }
        }
      }),
    );

    // Every delivery is answered by a decision line naming it (or a skip: a newer evaluation already wrote the run); the first one counts.
    const doneAt = () => {
      const done = new Map<string, number>();
      for (const app of apps) {
        for (const line of app.logs) {
          if ((line.event !== "decision" && line.event !== "skip") || typeof line.time !== "number" || line.error) continue;
          for (const id of Array.isArray(line.deliveries) ? line.deliveries : []) {
            if (typeof id === "string" && !(done.get(id)! <= line.time)) done.set(id, line.time);
          }
        }
      }
      return done;
    };
    // Until every delivery has its line, or no process has an evaluation in flight any more.
    const until = Date.now() + TIMEOUT_MS;
    let done = doneAt();
    for (let quiet = 0; done.size < planned.length && quiet < 3 && Date.now() < until; ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      const inFlight = await Promise.all(apps.map(async (a) => ((await (await fetch(`${a.url}/readyz`)).json()) as { inFlight?: number }).inFlight ?? 0));
      quiet = inFlight.every((n) => n === 0) ? quiet + 1 : 0;
      done = doneAt();
    }
    const finished = done.size > 0 ? Math.max(...done.values()) : Date.now();
    const latencies = planned.flatMap((p) => (done.has(p.id) ? [done.get(p.id)! - sentAt.get(p.id)!] : [])).sort((a, b) => a - b);
    const lost = planned.filter((p) => !done.has(p.id)).map((p) => p.id);

    const wrong: string[] = [];
    for (const pull of pulls) {
      const runs = github.runsFor(github.headOf(pull));
      if (runs.length !== 1) wrong.push(`#${pull}: ${runs.length} check runs (${runs.map((r) => `#${r.id} app ${r.appId} ${r.status}/${r.conclusion}`).join(", ")})`);
      else if (runs[0]!.conclusion !== "success" || !(runs[0]!.output.summary ?? "").includes(DBA)) wrong.push(`#${pull}: ${runs[0]!.status}/${runs[0]!.conclusion} "${runs[0]!.output.title}"`);
    }
    if (github.problems.length > 0) wrong.push(...github.problems.slice(0, 5).map((p) => `local GitHub refused: ${p}`));
    const errors = new Map<string, number>();
    for (const app of apps) for (const line of app.logs) if (typeof line.error === "string") errors.set(line.error, (errors.get(line.error) ?? 0) + 1);
    for (const [error, count] of [...errors].slice(0, 5)) wrong.push(`${count}× evaluation error: ${error}`);
    if (LOGS) {
      apps.forEach((app, index) => appendFileSync(LOGS, app.logs.map((line) => `${JSON.stringify({ run: name, process: index, ...line })}\n`).join("")));
      const writes = github.requests.filter((r) => r.path.includes("/check-runs") && r.method !== "GET");
      const fields = (body: unknown) => {
        const b = (body ?? {}) as Record<string, unknown>;
        return { head_sha: b.head_sha, run_status: b.status, conclusion: b.conclusion };
      };
      appendFileSync(LOGS, writes.map((r) => `${JSON.stringify({ run: name, github: `${r.method} ${r.path}`, status: r.status, start: r.start, end: r.end, ...fields(r.body) })}\n`).join(""));
    }
    const seconds = (finished - started) / 1000;
    const writes = github.requests.filter((r) => r.method !== "GET" && !r.path.endsWith("/access_tokens")).length;
    const evaluations = apps.reduce((sum, a) => sum + a.logs.filter((l) => l.event === "decision" && !l.error).length, 0);
    return {
      name,
      processes,
      deliveries: planned.length,
      refused,
      lost,
      wrong,
      seconds,
      throughput: planned.length / seconds,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      peakMiB: apps.map((a) => peakMiB(a.child.pid)),
      writes,
      evaluations,
    };
  } finally {
    await Promise.all(apps.map((a) => a.stop()));
    redis?.child.kill("SIGTERM");
    await github.close();
  }
}

const results: Outcome[] = [];
if (LOGS) writeFileSync(LOGS, "");
if (ONLY === undefined || ONLY === "one-process") results.push(await run("one-process", 1));
if (ONLY === undefined || ONLY === "two-processes-redis") results.push(await run("two-processes-redis", 2));

console.log(`\nLoad: ${PULLS} pull requests × ${DELIVERIES_PER_PULL} deliveries, ${DELAY_MS} ms per API answer, ${INSTALLATIONS} installations, ${CONCURRENCY} deliveries in flight\n`);
console.log("run                    processes  delivered  evaluations  lost  wrong  seconds  deliveries/s  p50 ms  p99 ms  API writes  peak RSS MiB");
for (const r of results) {
  console.log(
    `${r.name.padEnd(22)} ${String(r.processes).padStart(9)}  ${String(r.deliveries - r.refused).padStart(9)}  ${String(r.evaluations).padStart(11)}  ${String(r.lost.length).padStart(4)}  ${String(r.wrong.length).padStart(5)}  ${r.seconds.toFixed(1).padStart(7)}  ${r.throughput.toFixed(1).padStart(12)}  ${String(r.p50).padStart(6)}  ${String(r.p99).padStart(6)}  ${String(r.writes).padStart(10)}  ${r.peakMiB.join(" / ")}`,
  );
}
let failed = false;
for (const r of results) {
  if (r.refused > 0 || r.lost.length > 0 || r.wrong.length > 0) {
    failed = true;
    console.log(`\n${r.name}: ${r.refused} refused, ${r.lost.length} lost (${r.lost.slice(0, 10).join(", ")}), ${r.wrong.length} wrong:\n  ${r.wrong.slice(0, 20).join("\n  ")}`);
  }
}
console.log(failed ? "\nFAILED: see above." : "\nHeld: nothing lost, every pull request ends with exactly one check run, success with the DBA's sign-off.");
process.exit(failed ? 1 : 0);
