/**
 * The history of a migration directory is read only when a judgement of the change reads its schema
 * model (the probe in migrations/index.ts). Skipping it must never change a finding: each case is
 * scanned twice, with the probe and with the whole history replayed before any judgement (as the
 * model was always built before), and the findings must be the same.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { createMigrationAnalyzer } from "../../../src/analyzers/migrations/index.js";
import { runOrder } from "../../../src/analyzers/migrations/order.js";
import { LazyModel } from "../../../src/analyzers/migrations/replay.js";
import { SchemaModel } from "../../../src/analyzers/sql/schema.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";
import { CORPUS, HAS_CORPUS } from "./helpers.js";

interface Scanned {
  findings: string[];
  contextFiles: number;
}

async function scan(base: Tree, head: Tree, probe: boolean): Promise<Scanned> {
  const result = await analyzeChangeSet(new MemorySource(base, head), { analyzers: [createMigrationAnalyzer({ probe })] });
  return { findings: result.findings.map((f) => JSON.stringify(f, Object.keys(f).sort())).sort(), contextFiles: result.contextFiles };
}

/** Both ways; the findings must agree. */
async function both(base: Tree, head: Tree): Promise<{ probed: Scanned; full: Scanned }> {
  const [probed, full] = [await scan(base, head, true), await scan(base, head, false)];
  expect(probed.findings).toEqual(full.findings);
  return { probed, full };
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const visit = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile() && !entry.name.endsWith(".md")) out.push(relative(dir, full));
    }
  };
  visit(dir);
  return out.sort();
}

describe("the history is read only when a judgement needs it, and then the findings are those of the whole history", () => {
  it.skipIf(!HAS_CORPUS)("for migrations of the corpus histories, each added to the ones before it", async () => {
    let skipped = 0;
    let read = 0;
    const sets = readdirSync(join(CORPUS, "sql-migrations"), { withFileTypes: true }).filter((e) => e.isDirectory());
    for (const set of sets.map((e) => e.name).sort()) {
      const dir = join(CORPUS, "sql-migrations", set);
      const files = runOrder(walk(dir).map((path) => ({ path, text: readFileSync(join(dir, path), "utf8") })));
      // Spread over the history, and its newest files: about a dozen cases per set, each of which
      // replays the history up to it twice (about 80 skipped and 30 read over the corpus).
      const picks = new Set<number>();
      const step = Math.max(1, Math.floor(files.length / 8));
      for (let i = 1; i < files.length; i += step) picks.add(i);
      for (let i = Math.max(1, files.length - 3); i < files.length; i++) picks.add(i);
      for (const i of picks) {
        const base: Tree = Object.fromEntries(files.slice(0, i).map((f) => [f.path, f.text]));
        const head: Tree = { ...base, [files[i]!.path]: files[i]!.text };
        const { probed, full } = await both(base, head);
        if (full.contextFiles > 0) {
          if (probed.contextFiles === 0) skipped++;
          else read++;
        }
      }
    }
    // Both ways were taken: histories skipped, and histories read because a judgement needed them.
    expect(skipped).toBeGreaterThan(20);
    expect(read).toBeGreaterThan(20);
  }, 300_000);

  const history: Tree = {
    "db/migrations/001_users.sql": "CREATE TABLE users (id bigint PRIMARY KEY, name text, email varchar(80));\n",
    "db/migrations/002_old.sql": "CREATE TABLE old_notes (id bigint PRIMARY KEY, body text);\n",
  };
  const added = (tree: Tree, files: Tree) => ({ ...tree, ...files });

  it("a table renamed into the name in the history is not taken as new under IF NOT EXISTS", async () => {
    const base = added(history, { "db/migrations/003_rename.sql": "ALTER TABLE old_notes RENAME TO notes;\n" });
    const head = added(base, { "db/migrations/004_notes.sql": "CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY, body text);\nCREATE INDEX notes_body ON notes (body);\n" });
    const { probed } = await both(base, head);
    expect(probed.contextFiles).toBe(3);
    expect(probed.findings.some((f) => f.includes("sql/blocking-index"))).toBe(true);
  });

  it("a schema dropped in the history, and a table created in it again", async () => {
    const base = added(history, {
      "db/migrations/003_audit.sql": "CREATE SCHEMA audit;\nCREATE TABLE audit.log (id bigint, at timestamptz);\n",
      "db/migrations/004_drop.sql": "DROP SCHEMA audit CASCADE;\n",
    });
    const head = added(base, { "db/migrations/005_log.sql": "CREATE TABLE IF NOT EXISTS audit.log (id bigint);\nCREATE INDEX log_id ON audit.log (id);\n" });
    expect((await both(base, head)).probed.contextFiles).toBe(4);
  });

  it("dynamic SQL in the history leaves IF NOT EXISTS undecided", async () => {
    const base = added(history, {
      "db/migrations/003_dynamic.sql": "DO $$ BEGIN EXECUTE 'CREATE TABLE ' || 'notes (id bigint)'; END $$;\n",
    });
    const head = added(base, { "db/migrations/004_notes.sql": "CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY);\nCREATE INDEX notes_id ON notes (id);\n" });
    const { probed } = await both(base, head);
    expect(probed.contextFiles).toBe(3);
    expect(probed.findings.some((f) => f.includes("cannot tell whether it is new"))).toBe(true);
  });

  it("an earlier migration of the change that reads nothing still counts for a later one that reads the model", async () => {
    // 003 renames the column and adds a new one of the old name; 004 overwrites the new (empty) one.
    const head = added(history, {
      "db/migrations/003_rename.sql": "ALTER TABLE users RENAME COLUMN name TO full_name;\nALTER TABLE users ADD COLUMN name text;\n",
      "db/migrations/004_fill.sql": "UPDATE users SET name = 'x' WHERE id = 1;\n",
    });
    const { probed } = await both(history, head);
    expect(probed.contextFiles).toBe(2);
    expect(probed.findings.some((f) => f.includes("sql/update-rows"))).toBe(false);
    // Without 003, the UPDATE overwrites a column that held data at base.
    const alone = added(history, { "db/migrations/004_fill.sql": "UPDATE users SET name = 'x' WHERE id = 1;\n" });
    expect((await both(history, alone)).probed.findings.some((f) => f.includes("sql/update-rows"))).toBe(true);
  });

  it("a change that asks the model nothing reads no history", async () => {
    const head = added(history, { "db/migrations/003_drop.sql": "DROP TABLE old_notes;\nCREATE INDEX CONCURRENTLY users_email ON users (email);\n" });
    const { probed, full } = await both(history, head);
    expect(probed.contextFiles).toBe(0);
    expect(full.contextFiles).toBe(2);
  });

  it("a Django migration reads the model state, so its history is read", async () => {
    const base: Tree = {
      "app/migrations/0001_initial.py":
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    operations = [\n        migrations.CreateModel(name='Note', fields=[('id', models.AutoField(primary_key=True)), ('body', models.CharField(max_length=200))]),\n    ]\n",
    };
    const head = added(base, {
      "app/migrations/0002_body.py":
        "from django.db import migrations, models\n\nclass Migration(migrations.Migration):\n    dependencies = [('app', '0001_initial')]\n    operations = [\n        migrations.AlterField(model_name='note', name='body', field=models.CharField(max_length=50)),\n    ]\n",
    });
    expect((await both(base, head)).probed.contextFiles).toBe(1);
  });
});

describe("a model built when first read", () => {
  it("holds the change's replays until a read, then runs them after the history, in order", () => {
    const order: string[] = [];
    const lazy = new LazyModel(() => {
      order.push("history");
      const model = new SchemaModel();
      model.createTable("t", null);
      return model;
    });
    lazy.defer(() => order.push("first"));
    lazy.defer(() => lazy.model.dropTable("t"));
    expect(order).toEqual([]);
    expect(lazy.read).toBe(false);
    expect(lazy.model.table("t")).toBeUndefined();
    expect(order).toEqual(["history", "first"]);
    lazy.defer(() => order.push("after"));
    expect(order).toEqual(["history", "first", "after"]);
  });

  it("one whose history was not read fails every read: the judgement that reads it fails on its file", () => {
    const lazy = new LazyModel(() => {
      throw new Error("not read");
    });
    lazy.defer(() => undefined);
    expect(() => lazy.model.trusted).toThrow("not read");
    expect(() => lazy.model.table("t")).toThrow("not read");
  });
});
