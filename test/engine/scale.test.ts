/**
 * Long histories: the work of a scan grows with what the change touches, never with the square of
 * the history. Counted, not timed: git processes, blob reads and findings on generated histories of
 * 1,000 migrations (written with one `git fast-import`, so the test itself stays quick).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
import { analyzeSqlText, loadSqlParsers } from "../../src/analyzers/sql/index.js";
import { GitSource } from "../../src/source/git.js";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const migration = (i: number) => `prisma/migrations/${String(20200101000000 + i)}_step_${i}/migration.sql`;

/** A statement each added migration runs on a table of the history: DROP TABLE, or a type change (judged against the model). */
type Step = (table: string) => string;
const dropTable: Step = (table) => `DROP TABLE ${table};\n`;
const narrowName: Step = (table) => `ALTER TABLE ${table} ALTER COLUMN name TYPE varchar(20);\n`;

/** A repository whose `main` holds `history` migrations and whose `feature` adds `added` more. */
function history(historyCount: number, added: number, step: Step = dropTable): string {
  const dir = mkdtempSync(join(tmpdir(), "changegate-scale-"));
  dirs.push(dir);
  execFileSync("git", ["init", "--quiet", "-b", "main"], { cwd: dir });
  const chunks: string[] = [];
  const commit = (branch: string, message: string, from: string | null, files: Map<string, string>) => {
    chunks.push(`commit refs/heads/${branch}\ncommitter Test <test@example.com> 1767225600 +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`);
    if (from) chunks.push(`from ${from}\n`);
    for (const [path, text] of files) chunks.push(`M 100644 inline ${path}\ndata ${Buffer.byteLength(text)}\n${text}\n`);
    chunks.push("\n");
  };
  const base = new Map<string, string>();
  for (let i = 0; i < historyCount; i++) base.set(migration(i), `CREATE TABLE t${i} (id bigint PRIMARY KEY, name text);\n`);
  commit("main", "history", null, base);
  const head = new Map<string, string>();
  for (let i = historyCount; i < historyCount + added; i++) head.set(migration(i), step(`t${i - historyCount}`));
  commit("feature", "change", "refs/heads/main", head);
  execFileSync("git", ["fast-import", "--quiet"], { cwd: dir, input: chunks.join("") });
  return dir;
}

async function scan(dir: string) {
  const source = await GitSource.open({ repo: dir, base: "main", head: "feature" });
  try {
    const result = await analyzeChangeSet(source);
    return { result, stats: source.stats };
  } finally {
    await source.close();
  }
}

describe("a scan on a long history", () => {
  it("reads one migration added to 1,000 as it reads one added to 5: the same git processes, each blob once", async () => {
    const long = await scan(history(999, 1, narrowName));
    const short = await scan(history(5, 1, narrowName));
    for (const [{ result, stats }, historyCount] of [
      [long, 999],
      [short, 5],
    ] as const) {
      expect(result.files.map((f) => f.status)).toEqual(["added"]);
      // The history is the schema model's input: it knows the type the column had.
      expect(result.findings.map((f) => `${f.rule}: ${f.message}`)).toEqual([
        "sql/column-type-change: Changes the type of t0.name from text to varchar(20), rewriting the table; it narrows the column: values that do not fit are rejected or cut",
      ]);
      expect(result.contextFiles).toBe(historyCount);
      // The added file at head, the policy file at base and each migration of the history once, through one reader.
      expect(stats.batch.requests).toBeLessThanOrEqual(historyCount + 2);
      expect(stats.batch.processes).toBe(1);
    }
    expect(long.stats.processes).toBe(short.stats.processes);
  }, 120_000);

  it("reads none of a 1,000-migration history when no judgement of the change asks the schema model anything", async () => {
    const { result, stats } = await scan(history(999, 1));
    // A DROP TABLE is reported whatever the history says: the history is not needed, so not read.
    expect(result.findings.map((f) => f.rule)).toEqual(["sql/drop-table"]);
    expect(result.contextFiles).toBe(0);
    // The added file at head and the policy file at base.
    expect(stats.batch.requests).toBeLessThanOrEqual(2);
  }, 120_000);

  it("reads 1,000 migrations added at once with one reader, each file once, and judges every one", async () => {
    const many = await scan(history(0, 1000));
    const few = await scan(history(0, 50));
    expect(many.result.files).toHaveLength(1000);
    expect(many.result.findings.filter((f) => f.rule === "sql/drop-table")).toHaveLength(1000);
    expect(few.result.findings.filter((f) => f.rule === "sql/drop-table")).toHaveLength(50);
    // Linear: one read per file (plus the policy), one process for all of them, no per-file process.
    expect(many.stats.batch.requests).toBeLessThanOrEqual(1000 + 1);
    expect(many.stats.batch.processes).toBe(1);
    expect(many.stats.processes).toBe(few.stats.processes);
  }, 120_000);
});

/** A set that counts the elements read out of it: copying it costs its size. */
class CountingSet extends Set<string> {
  copied = 0;
  override *[Symbol.iterator](): SetIterator<string> {
    for (const value of super.values()) {
      this.copied++;
      yield value;
    }
  }
}

describe("the tables created by earlier migrations of the change", () => {
  it("are not copied for every later migration (that made a long history quadratic)", async () => {
    await loadSqlParsers();
    const created = new CountingSet(Array.from({ length: 5000 }, (_, i) => `t${i}`));
    created.copied = 0;
    for (let i = 0; i < 200; i++) {
      analyzeSqlText(`CREATE TABLE u${i} (id bigint);\nCREATE INDEX u${i}_id ON t${i} (id);\n`, {
        file: `db/migrations/${i}.sql`,
        side: "head",
        dialect: "postgresql",
        createdTables: created,
      });
    }
    // 200 texts × 5,000 tables would be a million copied elements.
    expect(created.copied).toBe(0);
    expect(created.has("u199")).toBe(true);
    // A text that may rebuild a table still sees what existed before it.
    const rebuild = analyzeSqlText(
      "CREATE TABLE new_t1 (id bigint);\nINSERT INTO new_t1 (id) SELECT id FROM t1;\nDROP TABLE t1;\nALTER TABLE new_t1 RENAME TO t1;\n",
      { file: "db/migrations/rebuild.sql", side: "head", dialect: "postgresql", createdTables: created },
    );
    expect(created.copied).toBeGreaterThan(0);
    expect(rebuild.map((f) => f.rule)).not.toContain("sql/drop-table");
  });
});
