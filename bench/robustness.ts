// Hostile and oversized input, timed as users meet it (prints figures; never a timed test).
// Run: npm run build && node --import tsx bench/robustness.ts
//
// Each case runs the built `changegate` process (bin/changegate.js: start-up, git and all) on a
// generated git repository, beside `node -e 0` in the same run, and prints the median wall time,
// the peak memory of the process and the ratio to the bare Node start. The behaviour of every case
// (what is found) is asserted by the tests; this file only says how long it takes and how much
// memory it needs, and fails when a case is over its budget.
//
// One case is in-process: `analyzeSqlText` on a 50 MB text, which the engine never hands over
// (it stops reading a file at 16 MiB and reports gate/incomplete-analysis), but the function is
// exported and must stay bounded.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadSqlParsers, analyzeSqlText } from "../src/analyzers/sql/index.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CLI = join(ROOT, "bin", "changegate.js");
const RUNS = 3;

interface Run {
  seconds: number;
  peakMiB: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One child process, timed; its peak resident memory from GNU time (NaN where /usr/bin/time is absent). */
function run(args: string[], cwd: string): Run {
  const started = process.hrtime.bigint();
  const timeBin = "/usr/bin/time";
  const useTime = spawnSync(timeBin, ["--version"], { stdio: "ignore" }).status === 0;
  const child = useTime
    ? spawnSync(timeBin, ["-f", "%M", process.execPath, ...args], { cwd, encoding: "utf8", maxBuffer: 1 << 28 })
    : spawnSync(process.execPath, args, { cwd, encoding: "utf8", maxBuffer: 1 << 28 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const stderr = child.stderr.trimEnd().split("\n");
  const peakKiB = useTime ? Number(stderr.pop()) : Number.NaN;
  return { seconds, peakMiB: peakKiB / 1024, status: child.status, stdout: child.stdout, stderr: stderr.join("\n") };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args], { cwd, stdio: "ignore" });
}

/** A repository whose second commit adds the given files. */
function repository(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "changegate-robustness-"));
  git(dir, "init", "-q", "-b", "main");
  writeFileSync(join(dir, "README"), "base\n");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "base");
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "change");
  return dir;
}

interface Case {
  name: string;
  files: Record<string, string>;
  args: string[];
  /** What the process must print (its behaviour is tested elsewhere; this keeps the bench honest). */
  expect: RegExp;
  budget: Budget;
}

/** The bounds the tests once asserted as wall-clock limits, now checked here on the whole process. */
interface Budget {
  seconds: number;
  peakMiB: number;
}

const insertLines = (count: number) => "INSERT INTO t VALUES (1, 'héllo wörld');\n".repeat(count);

const cases: Case[] = [
  {
    name: "15 MiB migration ending in DROP TABLE (just under the engine's read limit)",
    files: { "db/migrations/000001_big.up.sql": insertLines(380_000) + "DROP TABLE victim;\n" },
    args: ["scan", "--base", "HEAD~1", "--format", "json"],
    expect: /"sql\/drop-table"/,
    budget: { seconds: 30, peakMiB: 900 },
  },
  {
    name: "10,000 statements on one line",
    files: { "db/migrations/000001_one_line.up.sql": Array.from({ length: 10_000 }, (_, i) => `DROP TABLE t${i}`).join("; ") },
    args: ["scan", "--base", "HEAD~1", "--format", "json"],
    expect: /"t9999"/,
    budget: { seconds: 10, peakMiB: 400 },
  },
  {
    name: "MySQL: 100,000 inserts, then a DROP",
    files: {
      ".github/changegate.yml": "version: 1\nsql: { dialect: mysql }\n",
      "db/migrations/000001_inserts.up.sql": "INSERT INTO t VALUES (1, 'x');\n".repeat(100_000) + "DROP TABLE t;\n",
    },
    args: ["scan", "--base", "HEAD~1", "--config", ".github/changegate.yml", "--format", "json"],
    expect: /"sql\/drop-table"/,
    budget: { seconds: 10, peakMiB: 500 },
  },
  {
    name: "validate-config on an alias bomb",
    files: { ".github/changegate.yml": readFileSync(join(ROOT, "fixtures", "policy", "alias-bomb.yml"), "utf8") },
    args: ["validate-config", ".github/changegate.yml"],
    expect: /alias/,
    budget: { seconds: 2, peakMiB: 200 },
  },
];

const bare = mkdtempSync(join(tmpdir(), "changegate-robustness-bare-"));
const baseline = median(Array.from({ length: RUNS }, () => run(["-e", "0"], bare).seconds));
console.log(`node -e 0: ${baseline.toFixed(2)} s (median of ${RUNS})\n`);

let failed = false;
const report = (name: string, seconds: number, peakMiB: number, budget: Budget, ratio: number | undefined) => {
  const over = seconds > budget.seconds || peakMiB > budget.peakMiB;
  if (over) failed = true;
  const ratioText = ratio === undefined ? "" : ` (${ratio.toFixed(1)}× node -e 0)`;
  console.log(`${over ? "OVER" : "ok  "}  ${name}: ${seconds.toFixed(2)} s${ratioText}, budget ${budget.seconds} s; peak ${peakMiB.toFixed(0)} MiB, budget ${budget.peakMiB} MiB`);
};

for (const c of cases) {
  const dir = repository(c.files);
  try {
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = run([CLI, ...c.args], dir);
      if (!c.expect.test(r.stdout + r.stderr)) throw new Error(`${c.name}: the scan did not report what it should (exit ${r.status}):\n${r.stdout.slice(0, 2000)}`);
      runs.push(r);
    }
    const seconds = median(runs.map((r) => r.seconds));
    report(c.name, seconds, Math.max(...runs.map((r) => r.peakMiB)), c.budget, seconds / baseline);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// In-process: the exported text analysis on 50 MB stays bounded (batches of statements).
{
  await loadSqlParsers();
  const text = insertLines(1_250_000) + "DROP TABLE victim;\n";
  const started = process.hrtime.bigint();
  const findings = analyzeSqlText(text, { file: "db/migrations/big.sql", side: "head", dialect: "postgresql" });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (!findings.some((f) => f.rule === "sql/drop-table" && f.line === 1_250_001)) throw new Error("50 MB text: the DROP at its end was not found");
  const peakMiB = Number(/VmHWM:\s+(\d+)/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? Number.NaN) / 1024;
  report(`analyzeSqlText on ${(Buffer.byteLength(text) / 1e6).toFixed(0)} MB (in-process)`, seconds, peakMiB, { seconds: 60, peakMiB: 2_000 }, undefined);
}

rmSync(bare, { recursive: true, force: true });
if (failed) {
  console.log("\nFAILED: a case is over its budget");
  process.exitCode = 1;
}
