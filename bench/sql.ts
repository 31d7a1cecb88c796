// SQL analysis benchmark (prints figures; never a timed test). Run: node --import tsx bench/sql.ts
//
// 1. Generates, deterministically from a seed, 1,000 PostgreSQL migration files (~50,000
//    statements) into bench/.corpus/ (gitignored).
// 2. Scans them the way `changegate scan` does once git has listed and read the files: the engine
//    (`analyzeChangeSet`) over an in-memory source holding every file as an added migration, so
//    path claiming, decoding, the migration layer, the SQL parsers and finding assembly are all
//    measured. The file reads from disk are inside the timing; git's own process calls are not.
// 3. Times squawk (node_modules/.bin/squawk, from the squawk-cli devDependency) on the same files
//    in the same run and prints the ratio. Target: changegate within 1.5× squawk's wall time.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeChangeSet } from "../src/analyze.js";
import { loadSqlParsers } from "../src/analyzers/sql/index.js";
import { MemorySource } from "../src/source/memory.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CORPUS = join(ROOT, "bench", ".corpus");
const FILES = 1_000;
const STATEMENTS_PER_FILE = 50;
const SEED = 20_260_101;
const SQUAWK = join(ROOT, "node_modules", ".bin", "squawk");
const SQUAWK_BATCH = 250;

// ---------------------------------------------------------------------------------------------
// Corpus

/** mulberry32: a small, fast, seeded PRNG: the same corpus on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ["account", "invoice", "order", "customer", "payment", "shipment", "product", "session", "audit", "event", "ledger", "coupon"];
const TYPES = ["bigint", "integer", "text", "varchar(255)", "boolean", "timestamptz", "jsonb", "numeric(12,2)", "uuid"];

interface Corpus {
  files: string[];
  statements: number;
  bytes: number;
}

function generateCorpus(): Corpus {
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  rmSync(CORPUS, { recursive: true, force: true });
  mkdirSync(CORPUS, { recursive: true });
  const files: string[] = [];
  let statements = 0;
  let bytes = 0;
  const tables: string[] = [];
  for (let f = 0; f < FILES; f++) {
    const out: string[] = [`-- Migration ${f + 1}: generated for the changegate benchmark (seed ${SEED}).`];
    const count = int(STATEMENTS_PER_FILE - 15, STATEMENTS_PER_FILE + 15);
    for (let s = 0; s < count; s++) {
      const roll = random();
      const table = tables.length > 0 && roll > 0.12 ? pick(tables) : `${pick(WORDS)}_${f}_${s}`;
      const column = `${pick(WORDS)}_${int(1, 99)}`;
      if (random() < 0.15) out.push(`-- ${pick(WORDS)} ${pick(WORDS)}: keep in sync with the ${pick(WORDS)} service`);
      if (roll <= 0.12) {
        tables.push(table);
        const cols = Array.from({ length: int(2, 8) }, (_, i) => `  ${pick(WORDS)}_${i} ${pick(TYPES)}${random() < 0.3 ? " NOT NULL" : ""}`);
        out.push(`CREATE TABLE ${table} (\n  id bigserial PRIMARY KEY,\n${cols.join(",\n")}\n);`);
      } else if (roll < 0.32) {
        const typed = random() < 0.5 ? (random() < 0.5 ? "integer NOT NULL DEFAULT 0" : "text DEFAULT 'n/a'") : pick(TYPES);
        out.push(`ALTER TABLE ${table} ADD COLUMN ${column} ${typed};`);
      } else if (roll < 0.38) {
        out.push(`ALTER TABLE ${table} DROP COLUMN ${column};`);
      } else if (roll < 0.5) {
        const concurrently = random() < 0.5 ? "CONCURRENTLY " : "";
        out.push(`CREATE INDEX ${concurrently}${table}_${column}_idx ON ${table} (${column});`);
      } else if (roll < 0.62) {
        out.push(
          random() < 0.85
            ? `UPDATE ${table} SET ${column} = ${int(0, 1000)} WHERE id BETWEEN ${int(1, 1000)} AND ${int(1001, 9999)};`
            : `UPDATE ${table} SET ${column} = NULL;`,
        );
      } else if (roll < 0.72) {
        out.push(random() < 0.85 ? `DELETE FROM ${table} WHERE created_at < now() - interval '${int(1, 90)} days';` : `DELETE FROM ${table};`);
      } else if (roll < 0.75) {
        out.push(`DROP TABLE IF EXISTS ${table};`);
      } else if (roll < 0.8) {
        out.push(
          `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = '${column}_kind') THEN\n` +
            `    CREATE TYPE ${column}_kind AS ENUM ('a', 'b', 'c');\n  END IF;\nEND\n$$;`,
        );
      } else if (roll < 0.85) {
        out.push(
          `CREATE OR REPLACE FUNCTION ${table}_touch() RETURNS trigger\nLANGUAGE plpgsql AS $$\nBEGIN\n` +
            `  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$;`,
        );
      } else if (roll < 0.9) {
        out.push(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_${column}_check CHECK (${column} IS NOT NULL) NOT VALID;`);
      } else if (roll < 0.95) {
        out.push(`INSERT INTO ${table} (id) VALUES (${int(1, 1_000_000)}) ON CONFLICT DO NOTHING;`);
      } else {
        out.push(`COMMENT ON TABLE ${table} IS 'owned by the ${pick(WORDS)} team';`);
      }
      statements++;
    }
    const name = `${String(f + 1).padStart(6, "0")}_migration.up.sql`;
    const text = out.join("\n") + "\n";
    writeFileSync(join(CORPUS, name), text);
    files.push(name);
    bytes += Buffer.byteLength(text);
  }
  return { files, statements, bytes };
}

// ---------------------------------------------------------------------------------------------
// Measurements

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

async function scanWithChangegate(files: string[]): Promise<{ ms: number; loadMs: number; findings: number; rules: Map<string, number> }> {
  const loadStart = performance.now();
  await loadSqlParsers();
  const loadMs = performance.now() - loadStart;

  const start = performance.now();
  const head: Record<string, Uint8Array> = {};
  for (const name of files) head[`db/migrations/${name}`] = readFileSync(join(CORPUS, name));
  const result = await analyzeChangeSet(new MemorySource({}, head));
  const ms = performance.now() - start;
  const rules = new Map<string, number>();
  for (const f of result.findings) rules.set(f.rule, (rules.get(f.rule) ?? 0) + 1);
  return { ms, loadMs, findings: result.findings.length, rules };
}

function scanWithSquawk(files: string[]): { ms: number; failed?: string } {
  const start = performance.now();
  for (let i = 0; i < files.length; i += SQUAWK_BATCH) {
    const batch = files.slice(i, i + SQUAWK_BATCH).map((name) => join(CORPUS, name));
    const run = spawnSync(SQUAWK, ["--reporter=json", ...batch], { encoding: "utf8", maxBuffer: 1024 * 1024 * 1024 });
    // squawk exits 1 when it reports violations; anything else is a failure to run.
    if (run.error || (run.status !== 0 && run.status !== 1)) {
      return { ms: performance.now() - start, failed: run.error?.message ?? (run.stderr || `exit ${run.status}`).trim().slice(0, 300) };
    }
  }
  return { ms: performance.now() - start };
}

async function main(): Promise<void> {
  const genStart = performance.now();
  const corpus = generateCorpus();
  const genMs = performance.now() - genStart;
  const files = readdirSync(CORPUS).filter((n) => n.endsWith(".sql")).sort();
  console.log("changegate SQL benchmark");
  console.log(`  corpus          ${files.length} files, ${corpus.statements.toLocaleString("en-US")} statements, ${mib(corpus.bytes)} (seed ${SEED}, generated in ${seconds(genMs)})`);
  console.log(`  path measured   analyzeChangeSet over an in-memory source (every file an added db/migrations/*.up.sql; disk reads included)`);

  // Two rounds, alternating, so a busy machine shows as spread between rounds; the best round counts.
  const ROUNDS = 2;
  const squawkInstalled = existsSync(SQUAWK);
  const cgRuns: Awaited<ReturnType<typeof scanWithChangegate>>[] = [];
  const sqRuns: ReturnType<typeof scanWithSquawk>[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    cgRuns.push(await scanWithChangegate(files));
    if (squawkInstalled) sqRuns.push(scanWithSquawk(files));
  }
  const usage = process.resourceUsage();
  const memory = process.memoryUsage();
  const cg = cgRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
  const loadMs = cgRuns[0]!.loadMs;
  const total = cg.ms + loadMs;
  console.log("");
  console.log("changegate");
  console.log(`  parser load     ${seconds(loadMs)} (once per process)`);
  console.log(`  scan wall time  ${seconds(cg.ms)} best of ${ROUNDS} (${cgRuns.map((r) => seconds(r.ms)).join(", ")}); ${seconds(total)} with the parser load`);
  console.log(
    `  throughput      ${Math.round(corpus.statements / (cg.ms / 1000)).toLocaleString("en-US")} statements/s, ` +
      `${Math.round(files.length / (cg.ms / 1000)).toLocaleString("en-US")} files/s`,
  );
  console.log(`  peak RSS        ${mib(usage.maxRSS * 1024)} (process high-water mark, tsx included)`);
  console.log(`  heap after      ${mib(memory.heapUsed)} used of ${mib(memory.heapTotal)} (external ${mib(memory.external)}, array buffers ${mib(memory.arrayBuffers)})`);
  console.log(`  findings        ${cg.findings.toLocaleString("en-US")}`);
  const top = [...cg.rules].sort((a, b) => b[1] - a[1]).slice(0, 8);
  for (const [rule, count] of top) console.log(`    ${rule.padEnd(28)} ${count.toLocaleString("en-US")}`);

  console.log("");
  if (!squawkInstalled) {
    console.log("squawk          not installed (node_modules/.bin/squawk is missing): no comparison.");
    return;
  }
  const version = spawnSync(SQUAWK, ["--version"], { encoding: "utf8" }).stdout.trim();
  console.log(`squawk (${version || "unknown version"})`);
  const failed = sqRuns.find((r) => r.failed);
  if (failed) {
    console.log(`  failed to run: ${failed.failed}`);
    return;
  }
  const sq = sqRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
  console.log(
    `  wall time       ${seconds(sq.ms)} best of ${ROUNDS} (${sqRuns.map((r) => seconds(r.ms)).join(", ")}); ` +
      `${Math.ceil(files.length / SQUAWK_BATCH)} processes of up to ${SQUAWK_BATCH} files, --reporter=json`,
  );
  console.log(`  throughput      ${Math.round(corpus.statements / (sq.ms / 1000)).toLocaleString("en-US")} statements/s`);
  console.log("");
  const ratio = total / sq.ms;
  const verdict = ratio <= 1.5 ? "within" : "OVER";
  const cold = (cgRuns[0]!.ms + loadMs) / sqRuns[0]!.ms;
  console.log(
    `ratio changegate/squawk  ${ratio.toFixed(2)}× best rounds with parser load, ${(cg.ms / sq.ms).toFixed(2)}× scan only, ` +
      `${cold.toFixed(2)}× first rounds (cold JIT)  (${verdict} the 1.5× target)`,
  );
}

await main();
