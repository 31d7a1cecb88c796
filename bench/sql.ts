// SQL scan benchmark, whole process, as users meet it (prints figures; never a timed test).
// Run: npm run build && node --import tsx bench/sql.ts [--runs N] [--bin OTHER/bin/changegate.js]
// (--bin times another build, a checkout of an older commit, for before/after figures;
// --no-throughput stops after the squawk comparison)
//
// Every changegate figure is the real `changegate scan` process (bin/changegate.js over the built
// dist/) run as a child on a git repository of corpus files (bench/corpus.ts builds them from
// ../shared/corpus into bench/.repos/): start-up, git, parsing, analysis and the report included.
//
//   1. Cold start: a pull request adding one Prisma migration to the 819 of trigger.dev's history,
//      against `node -e 0`, alternating, medians of wall time and peak memory.
//      Targets: ≤ 3× `node -e 0` (stretch 2×), peak ≤ 100 MiB.
//   2. All 820 Prisma migrations added at once, against squawk (node_modules/.bin/squawk, the
//      squawk-cli devDependency) on the same 820 files as a user runs it (one process, every
//      path), alternating, medians. Target: ≤ 1.5× squawk's wall time.
//   3. Throughput on the MySQL and ORM corpora (statements per second of wall time).
//
// Peak memory comes from GNU time (/usr/bin/time) where present, else from polling the child's
// VmHWM in /proc.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { addedSet, BIN, caseRepo, CORPUS, corpusPresent, oneMigrationCase, PRISMA, prismaMigrations, ROOT, scanArgs, walk, type CorpusCase } from "./corpus.js";

const SQUAWK = join(ROOT, "node_modules", ".bin", "squawk");
const FLOOR = join(ROOT, "bench", "parse-floor.mjs");
const GNU_TIME = "/usr/bin/time";
const runsAt = process.argv.indexOf("--runs");
const RUNS = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 7;
const binAt = process.argv.indexOf("--bin");
const CLI = binAt >= 0 ? process.argv[binAt + 1]! : BIN;

interface Sample {
  ms: number;
  /** Peak resident memory in KiB, when it could be measured. */
  peakKiB?: number;
  /** User + system CPU time of the process and its children (git), when GNU time is there. */
  cpuMs?: number;
  status: number | null;
  stdout: string;
}

/** Runs a command to completion; wall time from just before the spawn to its exit. */
async function measure(command: string, args: readonly string[], options: { cwd?: string } = {}): Promise<Sample> {
  if (existsSync(GNU_TIME)) {
    const start = performance.now();
    const run = spawnSync(GNU_TIME, ["-f", "changegate-bench-peak %M %U %S", command, ...args], {
      cwd: options.cwd ?? ROOT,
      encoding: "utf8",
      maxBuffer: 1024 * 1024 * 1024,
    });
    const ms = performance.now() - start;
    const match = /changegate-bench-peak (\d+) ([\d.]+) ([\d.]+)\s*$/.exec(run.stderr);
    return {
      ms,
      status: run.status,
      stdout: run.stdout,
      ...(match ? { peakKiB: Number(match[1]), cpuMs: (Number(match[2]) + Number(match[3])) * 1000 } : {}),
    };
  }
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { cwd: options.cwd ?? ROOT, stdio: ["ignore", "pipe", "ignore"] });
    const chunks: Buffer[] = [];
    let peakKiB: number | undefined;
    child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"));
        if (hwm) peakKiB = Math.max(peakKiB ?? 0, Number(hwm[1]));
      } catch {
        // gone already
      }
    }, 2);
    child.on("error", reject);
    child.on("close", (status) => {
      clearInterval(poll);
      resolve({ ms: performance.now() - start, status, stdout: Buffer.concat(chunks).toString("utf8"), ...(peakKiB ? { peakKiB } : {}) });
    });
  });
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const seconds = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms)} ms`);
const mib = (kib: number | undefined) => (kib === undefined ? "n/a" : `${(kib / 1024).toFixed(0)} MiB`);
const cpuOf = (samples: readonly Sample[]) => {
  const cpu = samples.flatMap((s) => (s.cpuMs === undefined ? [] : [s.cpuMs]));
  return cpu.length ? ` cpu ${seconds(median(cpu))}` : "";
};
const peakOf = (samples: readonly Sample[]) => {
  const peaks = samples.flatMap((s) => (s.peakKiB === undefined ? [] : [s.peakKiB]));
  return peaks.length ? median(peaks) : undefined;
};

function changegate(repo: string): Promise<Sample> {
  return measure(process.execPath, [CLI, ...scanArgs(repo).slice(1)]).then((sample) => {
    if (sample.status !== 0 && sample.status !== 1) throw new Error(`changegate scan failed on ${repo} (exit ${sample.status})`);
    return sample;
  });
}

/** Alternates commands `RUNS` times each, so a busy machine slows all of them alike. */
async function alternate<Commands extends (() => Promise<Sample>)[]>(...commands: Commands): Promise<{ [K in keyof Commands]: Sample[] }> {
  const samples = commands.map((): Sample[] => []);
  for (const command of commands) await command(); // warm the disk cache and git's object cache for all
  for (let i = 0; i < RUNS; i++) {
    for (const [at, command] of commands.entries()) samples[at]!.push(await command());
  }
  return samples as { [K in keyof Commands]: Sample[] };
}

/**
 * The floor's row: its time, its ratio to the reference, and what the target leaves beyond it for
 * everything changegate does besides reading and parsing (its modules, the policy, the rules, the
 * schema model, the report).
 */
function floorLine(samples: Sample[], referenceMs: number, reference: string, target: number): string {
  const ms = median(samples.map((s) => s.ms));
  const left = target * referenceMs - ms;
  return (
    `  floor             ${seconds(ms).padStart(8)}  peak ${mib(peakOf(samples))}${cpuOf(samples)}  (git and libpg-query only, bench/parse-floor.mjs: ` +
    `${(ms / referenceMs).toFixed(2)}× ${reference}; the ${target}× target leaves ${left > 0 ? seconds(left) : "nothing"} for the analysis)`
  );
}

/** bench/parse-floor.mjs on the same repository: git and libpg-query's parse, nothing else. */
function parseFloor(repo: string): Promise<Sample> {
  return measure(process.execPath, [FLOOR, repo, "base", "head"]).then((sample) => {
    if (sample.status !== 0) throw new Error(`bench/parse-floor.mjs failed on ${repo} (exit ${sample.status})`);
    return sample;
  });
}

/**
 * Statements in a case, counted once in this process (never timed): the top-level SQL statements
 * the SQL analyzer reads (from SQL files and from SQL inside ORM code), plus the ORM operations the
 * migration readers judge themselves (dropTable, RemoveField, …).
 */
async function countStatements(c: CorpusCase): Promise<number> {
  const dist = (path: string) => import(join(ROOT, "dist", "src", "analyzers", path));
  const { Emitter } = await dist("migrations/emit.js");
  const { Run } = await dist("sql/run.js");
  const { createMigrationAnalyzer } = await dist("migrations/index.js");
  const analyzer = createMigrationAnalyzer();
  await analyzer.prepare();
  let statements = 0;
  const counted = [
    [Run.prototype, "noteStatement"],
    [Emitter.prototype, "operation"],
  ] as const;
  const originals = counted.map(([proto, name]) => proto[name]);
  counted.forEach(([proto, name], i) => {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      statements++;
      return originals[i].apply(this, args);
    };
  });
  try {
    const changes = [...c.head]
      .filter(([path]) => analyzer.claims(path))
      .map(([path, file]) => ({ path, status: "added", base: null, head: { path, text: readFileSync(file, "utf8") } }));
    analyzer.analyzeAll({ changes, unchanged: [], scopes: [], inputs: [] }, { authorKind: "human" });
  } finally {
    counted.forEach(([proto, name], i) => (proto[name] = originals[i]));
  }
  return statements;
}

async function main(): Promise<void> {
  if (!corpusPresent()) {
    console.log("SQL benchmark: ../shared/corpus is absent; skipped.");
    return;
  }
  if (!existsSync(join(ROOT, "dist", "src", "cli.js"))) throw new Error("dist/ is missing: run npm run build first");
  const squawkInstalled = existsSync(SQUAWK);
  const squawkVersion = squawkInstalled ? spawnSync(SQUAWK, ["--version"], { encoding: "utf8" }).stdout.trim() : "not installed";
  console.log(`changegate SQL benchmark: whole process (${CLI}), ${RUNS} alternating runs each, medians`);
  console.log(`  node ${process.version}; squawk ${squawkVersion}; peak memory from ${existsSync(GNU_TIME) ? GNU_TIME : "/proc/<pid>/status VmHWM"}`);

  // 1. Cold start.
  const one = oneMigrationCase();
  const oneRepo = caseRepo(one);
  const [cgOne, nodeZero, floorOne] = await alternate(
    () => changegate(oneRepo),
    () => measure(process.execPath, ["-e", "0"]),
    () => parseFloor(oneRepo),
  );
  const oneMs = median(cgOne.map((s) => s.ms));
  const zeroMs = median(nodeZero.map((s) => s.ms));
  const coldRatio = oneMs / zeroMs;
  const onePeak = peakOf(cgOne);
  console.log("");
  console.log(`1. one-migration pull request (${one.describe}, ${PRISMA})`);
  console.log(`  changegate scan   ${seconds(oneMs).padStart(8)}  peak ${mib(onePeak)}${cpuOf(cgOne)}`);
  console.log(`  node -e 0         ${seconds(zeroMs).padStart(8)}  peak ${mib(peakOf(nodeZero))}${cpuOf(nodeZero)}`);
  console.log(floorLine(floorOne, zeroMs, "node -e 0", 3));
  console.log(
    `  ratio             ${coldRatio.toFixed(2)}× node -e 0 (target ≤ 3×, stretch 2×: ${coldRatio <= 2 ? "stretch met" : coldRatio <= 3 ? "met" : "OVER"}); ` +
      `peak ${onePeak === undefined ? "not measured" : onePeak <= 100 * 1024 ? "within 100 MiB" : "OVER 100 MiB"}`,
  );

  // 2. Every migration at once, against squawk.
  const all = addedSet("sql-migrations", PRISMA);
  const allRepo = caseRepo(all);
  const files = prismaMigrations().map((path) => join(CORPUS, "sql-migrations", PRISMA, path));
  console.log("");
  console.log(`2. all ${files.length} Prisma migrations added at once`);
  if (!squawkInstalled) {
    console.log("  squawk is not installed (node_modules/.bin/squawk is missing): no comparison.");
  } else {
    const [cgAll, squawk, floorAll] = await alternate(
      () => changegate(allRepo),
      () =>
        measure(SQUAWK, ["--reporter=json", ...files]).then((sample) => {
          // squawk exits 1 when it reports violations; anything else is a failure to run.
          if (sample.status !== 0 && sample.status !== 1) throw new Error(`squawk failed (exit ${sample.status})`);
          return sample;
        }),
      () => parseFloor(allRepo),
    );
    const cgMs = median(cgAll.map((s) => s.ms));
    const sqMs = median(squawk.map((s) => s.ms));
    const ratio = cgMs / sqMs;
    const findings = (JSON.parse(cgAll[0]!.stdout) as { findings: unknown[] }).findings.length;
    console.log(`  changegate scan   ${seconds(cgMs).padStart(8)}  peak ${mib(peakOf(cgAll))}${cpuOf(cgAll)}  (${findings} findings; runs: ${cgAll.map((s) => seconds(s.ms)).join(", ")})`);
    console.log(`  squawk            ${seconds(sqMs).padStart(8)}  peak ${mib(peakOf(squawk))}${cpuOf(squawk)}  (one process, ${files.length} paths; runs: ${squawk.map((s) => seconds(s.ms)).join(", ")})`);
    console.log(floorLine(floorAll, sqMs, "squawk", 1.5));
    console.log(`  ratio             ${ratio.toFixed(2)}× squawk (target ≤ 1.5×, stretch 1.0×: ${ratio <= 1 ? "stretch met" : ratio <= 1.5 ? "met" : "OVER"})`);
  }

  // 3. Throughput on other dialects and the ORM readers.
  if (process.argv.includes("--no-throughput")) return;
  console.log("");
  console.log("3. throughput, every file of a corpus set added at once");
  console.log(`  ${"set".padEnd(38)} ${"files".padStart(5)} ${"statements".padStart(10)} ${"wall".padStart(8)} ${"statements/s".padStart(12)}`);
  const sets = [PRISMA, "mysql-kratos", "goose-mysql-postgres-openfga", "rails-openstreetmap-website", "django-netbox", "alembic-dispatch", "knex-uptime-kuma"];
  for (const set of sets) {
    const c = addedSet("sql-migrations", set);
    const repo = caseRepo(c);
    await changegate(repo);
    const samples: Sample[] = [];
    for (let i = 0; i < Math.max(3, Math.ceil(RUNS / 2)); i++) samples.push(await changegate(repo));
    const ms = median(samples.map((s) => s.ms));
    const statements = await countStatements(c);
    const count = walk(join(CORPUS, "sql-migrations", set)).length;
    console.log(
      `  ${set.padEnd(38)} ${String(count).padStart(5)} ${statements.toLocaleString("en").padStart(10)} ${seconds(ms).padStart(8)} ${Math.round(statements / (ms / 1000))
        .toLocaleString("en")
        .padStart(12)}`,
    );
  }
}

await main();
