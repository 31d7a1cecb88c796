/**
 * `npm run fuzz`: the long fuzz run of issue 12 — 100,000 mutated or random inputs per analyzer
 * (SQL, ORM migrations, Terraform HCL, plan JSON, Kubernetes YAML) through the engine. Prints,
 * per analyzer, the inputs tried, crashes (a rejection, an "analyzer failed" finding, a rule
 * nobody registered) and hangs (an input over the per-input bound; one that never returns is
 * stopped by a watchdog and counted too). Not part of `npm test`; the short version is
 * test/security/properties.test.ts and the analyzers' fuzz tests.
 *
 *   npm run fuzz                    # 100,000 per analyzer
 *   FUZZ_N=2000 npm run fuzz        # fewer
 *   FUZZ_ONLY=sql,plan npm run fuzz # some analyzers
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";
import { analyzeChangeSet } from "../src/analyze.js";
import { analyzePlan } from "../src/analyzers/terraform/plan.js";
import { knownRuleIds } from "../src/policy/rule-ids.js";
import { MemorySource } from "../src/source/memory.js";
import { mutated, SEEDS } from "../test/security/seeds.js";

/**
 * An input that takes longer than this is a hang: in wall time and in CPU time both, so that a
 * machine busy with other work does not turn slow inputs into hangs. The CPU time is the whole
 * process's (Node 20 has no per-thread figure), which over-counts when analyzers run in parallel.
 */
const BOUND_MS = 2_000;
/** An input still running after this is stopped. */
const WATCHDOG_MS = 20_000;
const BATCH = 500;

const fixture = (path: string, max = 4000) => readFileSync(new URL(`../fixtures/${path}`, import.meta.url), "utf8").slice(0, max);

interface Target {
  seeds: { path: string; text: string }[];
  /** The base text of each seed's file (a modification), or none (an addition). */
  modified: boolean;
  run(path: string, text: string, base: string | undefined): Promise<string | undefined>;
}

const KNOWN = new Set(knownRuleIds());

async function throughEngine(path: string, text: string, base: string | undefined): Promise<string | undefined> {
  const result = await analyzeChangeSet(new MemorySource(base === undefined ? {} : { [path]: base }, { [path]: text }));
  for (const f of result.findings) {
    if (!KNOWN.has(f.rule)) return `unknown rule ${f.rule}`;
    if (/analyzer failed|could not start/.test(f.message)) return f.message;
  }
  return undefined;
}

function targets(): Record<string, Target> {
  const sqlExamples = readdirSync(new URL("../fixtures/sql-examples/", import.meta.url)).filter((f) => f.endsWith(".sql")).slice(0, 4);
  const k8s = ["kubernetes/flux2-7c6e245/head/infrastructure/controllers/cert-manager.yaml", "kubernetes/flux2-7c6e245/head/infrastructure/controllers/kustomization.yaml"];
  const plan = JSON.stringify({
    format_version: "1.2",
    resource_changes: [
      { address: "aws_db_instance.main", mode: "managed", type: "aws_db_instance", name: "main", change: { actions: ["delete"], before: { deletion_protection: true } } },
      { address: 'module.a["x"].aws_s3_bucket.b[0]', mode: "managed", type: "aws_s3_bucket", name: "b", change: { actions: ["delete", "create"], before: { force_destroy: false }, after: { force_destroy: true } } },
    ],
  });
  return {
    sql: { modified: false, seeds: [{ path: "db/migrate/20240101000000_x.sql", text: SEEDS["db/migrate/20240101000000_drop_users.sql"]! }, ...sqlExamples.map((f, i) => ({ path: `db/migrate/2024010100000${i + 1}_x.sql`, text: fixture(`sql-examples/${f}`) }))], run: throughEngine },
    migrations: { modified: false, seeds: Object.entries(SEEDS).filter(([p]) => !p.endsWith(".sql")).map(([path, text]) => ({ path, text })), run: throughEngine },
    terraform: { modified: true, seeds: [{ path: "infra/main.tf", text: fixture("terraform/rds-db-instance/main.tf") }], run: throughEngine },
    plan: {
      modified: false,
      seeds: [{ path: "plan.json", text: plan }],
      run: async (path, text) => {
        for (const f of analyzePlan(path, new TextEncoder().encode(text))) if (!KNOWN.has(f.rule)) return `unknown rule ${f.rule}`;
        return undefined;
      },
    },
    kubernetes: { modified: true, seeds: k8s.map((p, i) => ({ path: `k8s/app${i}/${p.split("/").pop()}`, text: fixture(p) })), run: throughEngine },
  };
}

/** Input `i` of an analyzer: nine in ten a mutation of a seed, one in ten random text. */
function inputs(target: Target, batch: number): { path: string; text: string; base: string | undefined }[] {
  return Array.from({ length: target.seeds.length }, (_, s) => s).flatMap((s) => {
    const seed = target.seeds[s]!;
    const count = Math.ceil(BATCH / target.seeds.length);
    const texts = fc.sample(fc.oneof({ weight: 9, arbitrary: mutated(seed.text) }, { weight: 1, arbitrary: fc.string({ maxLength: 400, unit: "binary" }) }), { numRuns: count, seed: batch * 1000 + s });
    return texts.map((text) => ({ path: seed.path, text, base: target.modified ? seed.text : undefined }));
  }).slice(0, BATCH);
}

async function worker(): Promise<void> {
  const { name, from, to } = workerData as { name: string; from: number; to: number };
  const target = targets()[name]!;
  // Each seed once first, uncounted: loading a parser (WASM) is not an input's time.
  for (const seed of target.seeds) await target.run(seed.path, seed.text, target.modified ? seed.text : undefined).catch(() => undefined);
  for (let batch = Math.floor(from / BATCH); batch * BATCH < to; batch++) {
    const list = inputs(target, batch);
    for (let j = 0; j < list.length; j++) {
      const i = batch * BATCH + j;
      if (i < from || i >= to) continue;
      const { path, text, base } = list[j]!;
      parentPort!.postMessage({ start: i });
      const t = performance.now();
      const cpu = process.cpuUsage();
      let crash: string | undefined;
      try {
        crash = await target.run(path, text, base);
      } catch (error) {
        crash = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      const ms = performance.now() - t;
      const used = process.cpuUsage(cpu);
      const cpuMs = (used.user + used.system) / 1000;
      parentPort!.postMessage({ done: i, ms, cpuMs, crash, sample: crash || ms > BOUND_MS ? JSON.stringify(text.slice(0, 200)) : undefined });
    }
  }
}

interface Tally {
  tried: number;
  crashes: number;
  hangs: number;
  maxMs: number;
  /** The most CPU time one input took. */
  maxCpuMs: number;
  /** Inputs over the bound in wall time only: the machine was busy. */
  slowWall: number;
  examples: string[];
}

function fuzz(name: string, n: number): Promise<Tally> {
  const tally: Tally = { tried: 0, crashes: 0, hangs: 0, maxMs: 0, maxCpuMs: 0, slowWall: 0, examples: [] };
  return new Promise((resolve) => {
    const start = (from: number) => {
      if (from >= n) return resolve(tally);
      let current = from;
      let startedAt = Date.now();
      let started = false;
      // tsx's loader does not follow a worker started from a .ts file: register it in the worker first.
      const boot = `import("tsx/esm/api").then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
      const w = new Worker(boot, { eval: true, workerData: { name, from, to: n } });
      const watchdog = setInterval(() => {
        if (Date.now() - startedAt > WATCHDOG_MS) {
          tally.tried++;
          tally.hangs++;
          if (tally.examples.length < 5) tally.examples.push(`input ${current} still running after ${WATCHDOG_MS} ms`);
          clearInterval(watchdog);
          void w.terminate().then(() => start(current + 1));
        }
      }, 1000);
      w.on("message", (m: { start?: number; done?: number; ms?: number; cpuMs?: number; crash?: string; sample?: string }) => {
        if (m.start !== undefined) {
          started = true;
          current = m.start;
          startedAt = Date.now();
          return;
        }
        tally.tried++;
        if (tally.tried % 10_000 === 0) console.log(`${name.padEnd(11)} … ${tally.tried} inputs, ${tally.crashes} crashes, ${tally.hangs} hangs`);
        tally.maxCpuMs = Math.max(tally.maxCpuMs, m.cpuMs!);
        if (m.ms! > BOUND_MS && m.cpuMs! > BOUND_MS) {
          tally.hangs++;
          if (tally.examples.length < 5) tally.examples.push(`input ${m.done} took ${Math.round(m.ms!)} ms (${Math.round(m.cpuMs!)} ms of CPU): ${m.sample ?? ""}`);
        } else {
          tally.maxMs = Math.max(tally.maxMs, m.ms!);
          if (m.ms! > BOUND_MS) tally.slowWall++;
        }
        if (m.crash !== undefined) {
          tally.crashes++;
          if (tally.examples.length < 5) tally.examples.push(`input ${m.done} crashed (${m.crash.slice(0, 200)}): ${m.sample}`);
        }
      });
      w.on("error", (e) => {
        clearInterval(watchdog);
        if (!started) {
          // The worker never ran an input: the script itself is broken.
          tally.examples.push(`the worker could not start: ${e.message}`);
          tally.crashes++;
          return resolve(tally);
        }
        tally.tried++;
        tally.crashes++;
        if (tally.examples.length < 5) tally.examples.push(`worker died at input ${current}: ${e.message}`);
        start(current + 1);
      });
      w.on("exit", () => {
        clearInterval(watchdog);
        if (tally.tried >= n) resolve(tally);
      });
    };
    start(0);
  });
}

async function main(): Promise<void> {
  const n = Number(process.env.FUZZ_N ?? 100_000);
  const only = process.env.FUZZ_ONLY?.split(",");
  const names = Object.keys(targets()).filter((t) => !only || only.includes(t));
  const parallel = Number(process.env.FUZZ_PARALLEL ?? 2);
  const results: Record<string, Tally> = {};
  const queue = [...names];
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        results[name] = await fuzz(name, n);
        const r = results[name]!;
        console.log(
          `${name.padEnd(11)} inputs ${r.tried}  crashes ${r.crashes}  hangs (> ${BOUND_MS} ms of wall and CPU time) ${r.hangs}  most CPU ${Math.round(r.maxCpuMs)} ms  slowest wall ${Math.round(r.maxMs)} ms (${r.slowWall} over ${BOUND_MS} ms on the clock only)`,
        );
        for (const e of r.examples) console.log(`  ${e}`);
      }
    }),
  );
  console.log(`done in ${Math.round((Date.now() - t0) / 1000)} s`);
  const failed = Object.values(results).some((r) => r.crashes > 0 || r.hangs > 0);
  process.exitCode = failed ? 1 : 0;
}

if (isMainThread) await main();
else await worker();
