import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { createMigrationAnalyzer } from "../../../src/analyzers/migrations/index.js";
import { naturalCompare, versionOf } from "../../../src/analyzers/migrations/order.js";
import type { Analyzer } from "../../../src/analyzers/types.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";
import { CORPUS, HAS_CORPUS } from "./helpers.js";

/** `rule@file:line` of every finding of the engine's run over a base and a head tree. */
async function scan(base: Tree, head: Tree, analyzers?: Analyzer[]): Promise<string[]> {
  const result = await analyzeChangeSet(new MemorySource(base, head), analyzers ? { analyzers } : {});
  return result.findings.map((f) => `${f.rule}@${f.file}:${f.line}${f.rollback ? ":rollback" : ""}`);
}

const CREATE_PROJECTS = "CREATE TABLE projects (id bigint PRIMARY KEY, owner_id bigint);\n";
const INDEX_PROJECTS = "CREATE INDEX projects_owner_idx ON projects (owner_id);\n";

describe("tables created by an earlier migration added in the same change", () => {
  it("exempt the later migrations: index, NOT NULL column, foreign key, drop", async () => {
    const head = {
      "db/migrations/0001_projects.sql": CREATE_PROJECTS,
      "db/migrations/0002_index.sql": INDEX_PROJECTS,
      "db/migrations/0003_column.sql": "ALTER TABLE projects ADD COLUMN name text NOT NULL;\n",
      "db/migrations/0004_fk.sql": "ALTER TABLE projects ADD CONSTRAINT projects_owner_fk FOREIGN KEY (owner_id) REFERENCES users (id);\n",
      "db/migrations/0005_drop.sql": "DROP TABLE projects;\n",
    };
    expect(await scan({}, head)).toEqual([]);
  });

  it("still flag the same statements when each file is judged alone (the engine without analyzeAll)", async () => {
    const { analyzeAll: _whole, ...perFile } = createMigrationAnalyzer();
    const head = {
      "db/migrations/0001_projects.sql": CREATE_PROJECTS,
      "db/migrations/0002_index.sql": INDEX_PROJECTS,
      "db/migrations/0003_drop.sql": "DROP TABLE projects;\n",
    };
    expect(await scan({}, head, [perFile])).toEqual(["sql/blocking-index@db/migrations/0002_index.sql:1", "sql/drop-table@db/migrations/0003_drop.sql:1"]);
  });

  it("keep flagging a table that existed at base", async () => {
    const base = { "db/migrations/0001_projects.sql": CREATE_PROJECTS };
    expect(await scan(base, { ...base, "db/migrations/0002_index.sql": INDEX_PROJECTS })).toEqual(["sql/blocking-index@db/migrations/0002_index.sql:1"]);
  });

  it("do not count when the creating migration was modified, not added", async () => {
    const base = { "db/migrations/0001_projects.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n" };
    const head = { "db/migrations/0001_projects.sql": CREATE_PROJECTS, "db/migrations/0002_index.sql": INDEX_PROJECTS };
    expect(await scan(base, head)).toEqual([
      "sql/edited-migration@db/migrations/0001_projects.sql:1",
      "sql/blocking-index@db/migrations/0002_index.sql:1",
    ]);
  });

  it("never exempt a migration that already exists on the base side", async () => {
    const base = { "db/migrations/0002_index.sql": "SELECT 1;\n" };
    const head = { "db/migrations/0001_projects.sql": CREATE_PROJECTS, "db/migrations/0002_index.sql": INDEX_PROJECTS };
    expect(await scan(base, head)).toContain("sql/blocking-index@db/migrations/0002_index.sql:1");
  });

  it("do not count when created by rollback code: a down file or a goose Down section", async () => {
    const downFile = {
      "db/migrations/000001_projects.down.sql": CREATE_PROJECTS,
      "db/migrations/000001_projects.up.sql": "SELECT 1;\n",
      "db/migrations/000002_index.up.sql": INDEX_PROJECTS,
    };
    expect(await scan({}, downFile)).toEqual(["sql/blocking-index@db/migrations/000002_index.up.sql:1"]);
    const gooseDown = {
      "db/migrations/00001_projects.sql": `-- +goose Up\nSELECT 1;\n-- +goose Down\n${CREATE_PROJECTS}`,
      "db/migrations/00002_index.sql": `-- +goose Up\n${INDEX_PROJECTS}`,
    };
    expect(await scan({}, gooseDown)).toEqual(["sql/blocking-index@db/migrations/00002_index.sql:2"]);
  });

  it("do not cross migration directories", async () => {
    const head = { "db/migrations/mysql/0001_projects.sql": CREATE_PROJECTS, "db/migrations/postgres/0002_index.sql": INDEX_PROJECTS };
    expect(await scan({}, head)).toEqual(["sql/blocking-index@db/migrations/postgres/0002_index.sql:1"]);
  });

  it("count only for migrations that run later: natural version order", async () => {
    const flyway = (create: string, index: string) => ({ [`db/migration/${create}__create.sql`]: CREATE_PROJECTS, [`db/migration/${index}__index.sql`]: INDEX_PROJECTS });
    expect(await scan({}, flyway("V2", "V10"))).toEqual([]);
    expect(await scan({}, flyway("V10", "V2"))).toEqual(["sql/blocking-index@db/migration/V2__index.sql:1"]);
    expect(await scan({}, flyway("V1", "V1.1"))).toEqual([]);
    expect(await scan({}, flyway("V1.10", "V1.9"))).toEqual(["sql/blocking-index@db/migration/V1.9__index.sql:1"]);
    // golang-migrate numbers without padding; timestamps of different lengths.
    expect(await scan({}, { "migrations/9_create.up.sql": CREATE_PROJECTS, "migrations/10_index.up.sql": INDEX_PROJECTS })).toEqual([]);
    expect(await scan({}, { "migrations/10_create.up.sql": CREATE_PROJECTS, "migrations/9_index.up.sql": INDEX_PROJECTS })).toEqual([
      "sql/blocking-index@migrations/9_index.up.sql:1",
    ]);
  });

  it("do not count for a migration that runs before the create", async () => {
    // 0001 indexes, 0002 creates: the index ran first, on whatever existed then.
    const head = { "db/migrations/0001_index.sql": INDEX_PROJECTS, "db/migrations/0002_projects.sql": CREATE_PROJECTS };
    expect(await scan({}, head)).toEqual(["sql/blocking-index@db/migrations/0001_index.sql:1"]);
  });

  it("follow a drop: a table created, dropped, then indexed is the old table again", async () => {
    const base = { "db/migrations/0000_projects.sql": CREATE_PROJECTS };
    const head = {
      ...base,
      "db/migrations/0001_tmp.sql": "CREATE TABLE tmp (id int);\n",
      "db/migrations/0002_drop_tmp.sql": "DROP TABLE tmp;\n",
      "db/migrations/0003_index_tmp.sql": "CREATE INDEX tmp_idx ON tmp (id);\n",
    };
    expect(await scan(base, head)).toEqual(["sql/blocking-index@db/migrations/0003_index_tmp.sql:1"]);
  });

  it("share a Prisma migrations root across its timestamped folders", async () => {
    const head = {
      "prisma/migrations/20240101000000_init/migration.sql": 'CREATE TABLE "Project" ("id" TEXT NOT NULL);\n',
      "prisma/migrations/20240102000000_index/migration.sql": 'CREATE INDEX "Project_id_idx" ON "Project"("id");\n',
    };
    expect(await scan({}, head)).toEqual([]);
  });

  it("cover Supabase timestamps and dbmate sections", async () => {
    const head = {
      "supabase/migrations/20240108234540_setup.sql": CREATE_PROJECTS,
      "supabase/migrations/20240108234541_index.sql": `-- migrate:up\n${INDEX_PROJECTS}-- migrate:down\nDROP INDEX projects_owner_idx;\n`,
    };
    expect(await scan({}, head)).toEqual(["sql/drop-index@supabase/migrations/20240108234541_index.sql:4:rollback"]);
  });
});

describe("ORM migrations added in the same change", () => {
  it("Rails: create_table in one migration, SQL index and drop_table in later ones", async () => {
    const head = {
      "db/migrate/20240101000000_create_projects.rb": "class CreateProjects < ActiveRecord::Migration[7.1]\n  def change\n    create_table :projects do |t|\n      t.string :name\n    end\n  end\nend\n",
      "db/migrate/20240102000000_index_projects.rb": 'class IndexProjects < ActiveRecord::Migration[7.1]\n  def up\n    execute "CREATE INDEX projects_name_idx ON projects (name)"\n  end\nend\n',
      "db/migrate/20240103000000_drop_projects.rb": "class DropProjects < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :projects\n  end\nend\n",
    };
    expect(await scan({}, head)).toEqual([]);
  });

  it("Alembic: op.create_table, then op.drop_table, ordered by the revision chain", async () => {
    const rev = (id: string, down: string | null, body: string) =>
      `from alembic import op\nrevision = "${id}"\ndown_revision = ${down === null ? "None" : `"${down}"`}\n\ndef upgrade():\n    ${body}\n\ndef downgrade():\n    pass\n`;
    // File names sort the other way round from the chain.
    const head = {
      "alembic/versions/ffff_create.py": rev("ffff", null, 'op.create_table("projects")'),
      "alembic/versions/aaaa_drop.py": rev("aaaa", "ffff", 'op.drop_table("projects")'),
    };
    expect(await scan({}, head)).toEqual([]);
    const reversed = {
      "alembic/versions/ffff_create.py": rev("ffff", "aaaa", 'op.create_table("projects")'),
      "alembic/versions/aaaa_drop.py": rev("aaaa", null, 'op.drop_table("projects")'),
    };
    expect(await scan({}, reversed)).toEqual(["sql/drop-table@alembic/versions/aaaa_drop.py:6"]);
  });

  it("Django: CreateModel, then DeleteModel and a RunSQL index on its default table", async () => {
    const migration = (ops: string) => `from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [\n        ${ops},\n    ]\n`;
    const head = {
      "shop/migrations/0001_initial.py": migration('migrations.CreateModel(name="Order", fields=[])'),
      "shop/migrations/0002_index.py": migration('migrations.RunSQL("CREATE INDEX shop_order_idx ON shop_order (id)")'),
      "shop/migrations/0003_delete.py": migration('migrations.DeleteModel(name="Order")'),
    };
    expect(await scan({}, head)).toEqual([]);
  });

  it("Knex: createTable, then dropTable", async () => {
    const head = {
      "migrations/20240101_create.js": 'exports.up = (knex) => knex.schema.createTable("projects", (t) => { t.increments(); });\nexports.down = () => {};\n',
      "migrations/20240102_drop.js": 'exports.up = (knex) => knex.schema.dropTable("projects");\nexports.down = () => {};\n',
    };
    expect(await scan({}, head)).toEqual([]);
  });
});

describe("migration versions", () => {
  it("reads the version a file name starts with", () => {
    expect(versionOf("V1.2_3__x.sql")).toEqual([1, 2, 3]);
    expect(versionOf("000012_x.up.sql")).toEqual([12]);
    expect(versionOf("1700000000000-Name.ts")).toEqual([1700000000000]);
    expect(versionOf("3b1f9a_add.py")).toBeNull();
    expect(versionOf("migration.sql")).toBeNull();
    expect(versionOf("R__views.sql")).toBeNull();
  });

  it("compares names numerically", () => {
    expect(["V10__a", "V2__a", "V1__b"].sort(naturalCompare)).toEqual(["V1__b", "V2__a", "V10__a"]);
    expect(naturalCompare("0009_x", "10_x")).toBeLessThan(0);
  });
});

const SUPABASE = resolve(CORPUS, "sql-migrations/supabase-postgres-chatbot-ui");

describe.skipIf(!HAS_CORPUS)("the Supabase chatbot-ui history added as one change", () => {
  const dir = resolve(SUPABASE, "supabase/migrations");
  const head: Tree = {};
  if (HAS_CORPUS) for (const name of readdirSync(dir)) head[`supabase/migrations/${name}`] = readFileSync(resolve(dir, name), "utf8");

  it("leaves only blocking-index findings on tables the history never created unconditionally", async () => {
    const result = await analyzeChangeSet(new MemorySource({}, head));
    const blocking = result.findings.filter((f) => f.rule === "sql/blocking-index");
    // Every one of them is on a table the history makes with CREATE TABLE IF NOT EXISTS in the
    // same file: such a table may already exist, so it is not counted as new (by design).
    const created = new Map<string, string>();
    for (const [path, text] of Object.entries(head)) {
      for (const m of String(text).matchAll(/create\s+table\s+(if\s+not\s+exists\s+)?(?:public\.)?"?(\w+)/gi)) created.set(m[2]!.toLowerCase(), m[1] ? "if-not-exists" : path);
    }
    expect(blocking.every((f) => created.get(f.object!.toLowerCase()) === "if-not-exists")).toBe(true);
    expect(blocking).toHaveLength(49);
    // The one unconditional CREATE TABLE (file_items) has no blocking-index finding in any migration.
    expect(created.get("file_items")).toMatch(/add_file_items\.sql$/);
    expect(blocking.filter((f) => f.object === "file_items")).toEqual([]);
  });

  it("finds the same as judging each file alone, since no table is created unconditionally before a later file uses it", async () => {
    const { analyzeAll: _whole, ...perFile } = createMigrationAnalyzer();
    const together = await scan({}, head, [createMigrationAnalyzer()]);
    expect(await scan({}, head, [perFile])).toEqual(together);
    expect(together).toHaveLength(55);
  });
});
