import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { MemorySource } from "../../../src/source/memory.js";
import { analyze, brief, hits } from "./helpers.js";

const RB_BASE = "class AddUsers < ActiveRecord::Migration[7.1]\n  def change\n    create_table :users\n  end\nend\n";
const RB_HEAD = "class AddUsers < ActiveRecord::Migration[7.1]\n  def change\n    create_table :users\n    remove_column :accounts, :ssn\n  end\nend\n";

describe("sql/edited-migration", () => {
  it("fires at line 1 on a modified migration and still analyses the head's forward code", () => {
    const findings = analyze("db/migrate/20240101000000_add_users.rb", RB_HEAD, { base: RB_BASE });
    expect(brief(findings)).toEqual([
      { rule: "sql/edited-migration", line: 1, severity: "high", rollback: false, object: "db/migrate/20240101000000_add_users.rb" },
      { rule: "sql/drop-column", line: 4, severity: "high", rollback: false, object: "accounts.ssn" },
    ]);
    expect(findings[0]?.side).toBe("head");
  });

  it("fires on the base side for a deleted migration and reports nothing of its contents", () => {
    const findings = analyze("db/migrations/00002_drop.sql", null, { base: "-- +goose Up\nDROP TABLE users;\n" });
    expect(findings).toMatchObject([{ rule: "sql/edited-migration", line: 1, side: "base", severity: "high" }]);
    expect(findings).toHaveLength(1);
  });

  it("fires on a renamed migration, naming both paths", () => {
    const findings = analyze("migrations/0002_b.up.sql", "SELECT 1;\n", { status: "renamed", previousPath: "migrations/0002_a.up.sql", base: "SELECT 1;\n" });
    expect(hits(findings)).toEqual(["sql/edited-migration@1"]);
    expect(findings[0]?.message).toContain("migrations/0002_a.up.sql");
  });

  it("does not fire on an added migration, or on a Flyway repeatable migration (made to be edited)", () => {
    expect(analyze("db/migrate/20260101000000_add_users.rb", RB_BASE)).toEqual([]);
    expect(hits(analyze("db/migration/R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 2;\n", { base: "CREATE OR REPLACE VIEW v AS SELECT 1;\n" }))).toEqual([]);
  });

  it("does not fire on helper modules that live beside the migrations", () => {
    expect(analyze("migrations/helpers.js", "module.exports.now = () => new Date();\n", { base: "module.exports.now = Date.now;\n" })).toEqual([]);
    expect(analyze("alembic/versions/util.py", "def now():\n    return 2\n", { base: "def now():\n    return 1\n" })).toEqual([]);
    expect(analyze("migrations/helpers.go", "package migrations\nfunc q() string { return \"b\" }\n", { base: "package migrations\n" })).toEqual([]);
    expect(hits(analyze("migrations/20240101_x.js", "exports.up = (knex) => knex.schema.createTable('b');\n", { base: "exports.up = (knex) => knex.schema.createTable('a');\n" }))).toEqual([
      "sql/edited-migration@1",
    ]);
  });

  it("judges Liquibase changelogs by changeset: appending is not an edit, and only the new changeset is analysed", () => {
    const base = "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - dropTable:\n            tableName: old\n";
    const appended = `${base}  - changeSet:\n      id: 2\n      author: a\n      changes:\n        - dropColumn:\n            tableName: users\n            columnName: ssn\n`;
    expect(hits(analyze("db/changelog/db.changelog-master.yaml", appended, { base }))).toEqual(["sql/drop-column@12"]);

    const changed = base.replace("tableName: old", "tableName: older");
    expect(hits(analyze("db/changelog/db.changelog-master.yaml", changed, { base }))).toEqual(["sql/drop-table@6", "sql/edited-migration@2"]);

    const removed = "databaseChangeLog: []\n";
    const findings = analyze("db/changelog/db.changelog-master.yaml", removed, { base });
    expect(findings).toMatchObject([{ rule: "sql/edited-migration", line: 2, side: "base", object: "a:1" }]);
  });

  it("judges Liquibase formatted SQL by changeset too", () => {
    const base = "--liquibase formatted sql\n--changeset a:1\nCREATE TABLE t (id int);\n";
    const head = `${base}\n--changeset a:2\nDROP TABLE t;\n--rollback CREATE TABLE t (id int);\n`;
    expect(hits(analyze("db/changelog/changes.sql", head, { base }))).toEqual(["sql/drop-table@6"]);
  });

  it("runs inside the engine: claimed files are read, paths.exclude is honoured", async () => {
    const source = new MemorySource(
      { "db/migrate/20240101000000_add_users.rb": RB_BASE },
      {
        "db/migrate/20240101000000_add_users.rb": RB_HEAD,
        "db/migrations/20260101000000_x.sql": "-- migrate:up\nTRUNCATE audit;\n-- migrate:down\n",
        "testdata/migrations/1.sql": "DROP TABLE fixtures_only;\n",
        "src/app.ts": "export {};\n",
      },
    );
    const result = await analyzeChangeSet(source, { paths: { exclude: ["testdata/**"] } });
    expect(result.findings.map((f) => `${f.file}:${f.rule}@${f.line}`)).toEqual([
      "db/migrate/20240101000000_add_users.rb:sql/edited-migration@1",
      "db/migrate/20240101000000_add_users.rb:sql/drop-column@4",
      "db/migrations/20260101000000_x.sql:sql/truncate@2",
    ]);
    expect(source.reads.some((r) => r.includes("src/app.ts"))).toBe(false);
  });
});

describe("bad input", () => {
  it("reports nothing for empty files and comment-only SQL", () => {
    for (const path of ["db/migrate/20260101000000_x.rb", "app/migrations/0001_x.py", "migrations/1_x.js", "migrations/1_x.up.sql", "db/changelog/x.yaml"]) {
      expect(analyze(path, ""), path).toEqual([]);
    }
    expect(analyze("migrations/1_x.up.sql", "-- nothing yet\n")).toEqual([]);
  });

  it("reports a Ruby file that does not parse as sql/unparsed and still finds what it can", () => {
    const findings = analyze("db/migrate/20260101000000_x.rb", "class X < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :users\n    execute \"x\n");
    expect(findings.map((f) => f.rule)).toContain("sql/unparsed");
    expect(findings.map((f) => f.rule)).toContain("sql/drop-table");
  });

  it("survives a trap in the WASM Ruby parser: the file is unparsed, the next file is read normally", () => {
    const deep = `class X < ActiveRecord::Migration[7.1]\n  def up\n    execute ${"(".repeat(5000)}'x'${")".repeat(5000)}\n  end\nend\n`;
    expect(hits(analyze("db/migrate/20260101000000_deep.rb", deep))).toEqual(["sql/unparsed@1"]);
    const next = analyze("db/migrate/20260101000001_next.rb", "class Y < ActiveRecord::Migration[7.1]\n  def up\n    drop_table :t\n  end\nend\n");
    expect(hits(next)).toEqual(["sql/drop-table@3"]);
  });

  it("reports a Python file that does not parse as sql/unparsed and still finds what it can", () => {
    const findings = analyze("alembic/versions/x.py", "from alembic import op\ndef upgrade():\n    op.drop_table('users')\n    op.execute(\n");
    expect(findings.map((f) => f.rule).sort()).toEqual(["sql/drop-table", "sql/unparsed"]);
  });

  it("reports a JavaScript file that does not parse as sql/unparsed and still finds what it can", () => {
    const findings = analyze("migrations/1_x.js", "exports.up = (knex) => { knex.schema.dropTable('users'); \n exports.down = ((\n");
    expect(findings.map((f) => f.rule).sort()).toEqual(["sql/drop-table", "sql/unparsed"]);
  });

  it("reports a broken YAML or XML changelog as sql/unparsed", () => {
    expect(hits(analyze("db/changelog/x.yaml", "databaseChangeLog:\n  - changeSet: [\n"))).toEqual(["sql/unparsed@1"]);
    expect(hits(analyze("db/changelog/x.xml", "<databaseChangeLog><changeSet id='1' author='a'><dropTable tableName='t'></databaseChangeLog>"))).toEqual([
      "sql/unparsed@1",
    ]);
  });

  it("ignores YAML under db/changelog that is not a Liquibase changelog", () => {
    expect(analyze("db/changelog/notes.yaml", "title: release notes\n")).toEqual([]);
  });
});
