import { beforeEach, describe, expect, it, vi } from "vitest";
import type { SqlContext } from "../../../src/analyzers/sql/index.js";
import { analyze } from "./helpers.js";

/**
 * How the migration analyzer hands SQL to the SQL analyzer: which text, at which line, forward
 * or rollback, and from which construct. The SQL analyzer is replaced by a recorder so these
 * tests pin this analyzer's half of the contract alone.
 */
const calls: { text: string; context: SqlContext }[] = [];
vi.mock("../../../src/analyzers/sql/index.js", () => ({
  loadSqlParsers: async () => {},
  loadSqlParsersFor: async () => {},
  analyzeSqlText: (text: string, context: SqlContext) => {
    calls.push({ text, context });
    return [];
  },
}));

function handed(): { text: string; line: number | undefined; rollback: boolean; embeddedIn?: string }[] {
  return calls.map((c) => ({
    text: c.text.trim(),
    line: c.context.startLine,
    rollback: c.context.rollback ?? false,
    ...(c.context.embeddedIn !== undefined ? { embeddedIn: c.context.embeddedIn } : {}),
  }));
}

beforeEach(() => {
  calls.length = 0;
});

describe("SQL handed to the SQL analyzer", () => {
  it("splits goose Up and Down sections at their marker lines", () => {
    analyze("db/migrations/00001_init.sql", "-- +goose Up\nDELETE FROM a;\n\n-- +goose Down\nDROP TABLE b;\n");
    expect(handed()).toEqual([
      { text: "-- +goose Up\nDELETE FROM a;", line: 1, rollback: false },
      { text: "-- +goose Down\nDROP TABLE b;", line: 4, rollback: true },
    ]);
  });

  it("splits dbmate up and down blocks, with block options", () => {
    analyze("db/migrations/20260101_x.sql", "-- migrate:up transaction:false\nCREATE INDEX i ON t (c);\n-- migrate:down\nDROP INDEX i;\n");
    expect(handed().map((h) => [h.line, h.rollback])).toEqual([
      [1, false],
      [3, true],
    ]);
  });

  it("ignores text before goose's first marker", () => {
    analyze("migrations/1.sql", "-- header comment\nDROP TABLE never_runs;\n-- +goose Up\nSELECT 1;\n");
    expect(handed()).toEqual([{ text: "-- +goose Up\nSELECT 1;", line: 3, rollback: false }]);
  });

  it("treats golang-migrate .down.sql, _down.sql and Flyway U__ files as rollback, .up.sql and V__ as forward", () => {
    for (const [path, rollback] of [
      ["migrations/0001_init.down.sql", true],
      ["migrations/0001_init_down.sql", true],
      ["src/main/resources/db/migration/U2__undo.sql", true],
      ["migrations/0001_init.up.sql", false],
      ["src/main/resources/db/migration/V2__orders.sql", false],
      ["src/main/resources/db/migration/V7__scale_down.sql", false],
      ["db/migrations/20260101000000_cool_down.sql", true],
    ] as const) {
      calls.length = 0;
      analyze(path, "DROP TABLE t;\n");
      expect(handed(), path).toEqual([{ text: "DROP TABLE t;", line: 1, rollback }]);
    }
  });

  it("lets goose and dbmate markers win over a name that ends in _down", () => {
    analyze("db/migrations/20260101000000_shut_down.sql", "-- migrate:up\nDELETE FROM a;\n-- migrate:down\n");
    expect(handed().map((h) => [h.line, h.rollback])).toEqual([
      [1, false],
      [3, true],
    ]);
  });

  it("hands Liquibase formatted SQL changesets forward and --rollback lines as rollback", () => {
    const text = "--liquibase formatted sql\n\n--changeset alice:1\nDROP TABLE a;\n--rollback CREATE TABLE a (id int);\n\n--changeset bob:2\nDELETE FROM b;\n";
    analyze("db/changelog/changes.sql", text);
    const sqlOnly = handed()
      .map((h) => [h.text.split("\n").filter((l) => !l.startsWith("--")).join(" ").trim(), h.line, h.rollback] as const)
      .filter(([sql]) => sql !== "")
      .sort((a, b) => (a[1] ?? 0) - (b[1] ?? 0));
    expect(sqlOnly).toEqual([
      ["DROP TABLE a;", 3, false],
      ["CREATE TABLE a (id int);", 5, true],
      ["DELETE FROM b;", 7, false],
    ]);
  });

  it("hands Rails execute strings and heredocs at the line their text starts, in up forward and in down as rollback", () => {
    const rb = [
      "class X < ActiveRecord::Migration[7.1]",
      "  def up",
      '    execute "DELETE FROM sessions"',
      "    execute <<~SQL",
      "      DROP TABLE old_things;",
      "    SQL",
      "  end",
      "  def down",
      "    execute 'CREATE TABLE old_things (id int)'",
      "  end",
      "end",
    ].join("\n");
    analyze("db/migrate/20260101000000_x.rb", rb);
    expect(handed()).toEqual([
      { text: "DELETE FROM sessions", line: 3, rollback: false, embeddedIn: "execute" },
      { text: "DROP TABLE old_things;", line: 5, rollback: false, embeddedIn: "execute" },
      { text: "CREATE TABLE old_things (id int)", line: 9, rollback: true, embeddedIn: "execute" },
    ]);
  });

  it("hands Rails reversible dir.down blocks as rollback", () => {
    const rb = [
      "class X < ActiveRecord::Migration[7.1]",
      "  def change",
      "    reversible do |dir|",
      '      dir.up { execute "UPDATE a SET b = 1" }',
      '      dir.down { execute "UPDATE a SET b = 0" }',
      "    end",
      "  end",
      "end",
    ].join("\n");
    analyze("db/migrate/20260101000000_x.rb", rb);
    expect(handed().map((h) => [h.line, h.rollback])).toEqual([
      [4, false],
      [5, true],
    ]);
  });

  it("hands Django RunSQL sql forward and reverse_sql as rollback, lists item by item", () => {
    const py = [
      "from django.db import migrations",
      "class Migration(migrations.Migration):",
      "    operations = [",
      "        migrations.RunSQL(",
      '            sql=["DELETE FROM a", ("UPDATE b SET c = %s", [1])],',
      '            reverse_sql="DROP TABLE a",',
      "        ),",
      "    ]",
    ].join("\n");
    analyze("shop/migrations/0002_x.py", py);
    expect(handed()).toEqual([
      { text: "DELETE FROM a", line: 5, rollback: false, embeddedIn: "RunSQL" },
      { text: "UPDATE b SET c = %s", line: 5, rollback: false, embeddedIn: "RunSQL" },
      { text: "DROP TABLE a", line: 6, rollback: true, embeddedIn: "RunSQL reverse_sql" },
    ]);
  });

  it("hands Alembic op.execute and sa.text literals, triple-quoted ones at their opening line", () => {
    const py = [
      "from alembic import op",
      "import sqlalchemy as sa",
      "def upgrade():",
      '    op.execute("TRUNCATE audit")',
      '    op.execute(sa.text("""',
      "        DELETE FROM x",
      '    """))',
      "def downgrade():",
      '    op.get_bind().execute(sa.text("DROP TABLE y"))',
    ].join("\n");
    analyze("alembic/versions/abc_x.py", py);
    expect(handed().map((h) => [h.text, h.line, h.rollback])).toEqual([
      ["TRUNCATE audit", 4, false],
      ["DELETE FROM x", 5, false],
      ["DROP TABLE y", 9, true],
    ]);
  });

  it("hands knex.raw, queryRunner.query and sequelize.query literals; up forward, down rollback", () => {
    const js = [
      "exports.up = async (knex) => {",
      "  await knex.raw('DROP SCHEMA reporting CASCADE');",
      "};",
      "exports.down = async (knex) => {",
      "  await knex.raw(`CREATE SCHEMA reporting`);",
      "};",
    ].join("\n");
    analyze("migrations/20260101_x.js", js);
    expect(handed()).toEqual([
      { text: "DROP SCHEMA reporting CASCADE", line: 2, rollback: false, embeddedIn: "knex.raw" },
      { text: "CREATE SCHEMA reporting", line: 5, rollback: true, embeddedIn: "knex.raw" },
    ]);
    calls.length = 0;
    const ts = [
      "export class X1 implements MigrationInterface {",
      "  public async up(queryRunner: QueryRunner): Promise<void> {",
      "    const sql = 'DELETE FROM \"session\"';",
      "    await queryRunner.query(sql);",
      "  }",
      "}",
    ].join("\n");
    analyze("src/migrations/1-X.ts", ts);
    expect(handed()).toEqual([{ text: 'DELETE FROM "session"', line: 3, rollback: false, embeddedIn: "queryRunner.query" }]);
  });

  it("hands the SQL of a Liquibase YAML sql change at the line of its text, block scalars on the next line", () => {
    const yaml = [
      "databaseChangeLog:",
      "  - changeSet:",
      "      id: 1",
      "      author: a",
      "      changes:",
      "        - sql:",
      "            sql: |",
      "              DELETE FROM sessions;",
      "      rollback: DROP TABLE x",
    ].join("\n");
    analyze("db/changelog/db.changelog-master.yaml", yaml);
    expect(handed().map((h) => [h.text, h.line, h.rollback])).toEqual([
      ["DELETE FROM sessions;", 8, false],
      ["DROP TABLE x", 9, true],
    ]);
  });

  it("hands goose Go Exec literals of the up function forward and of the down function as rollback", () => {
    const go = [
      "package migrations",
      "",
      "func init() { goose.AddMigrationContext(upX, downX) }",
      "",
      "func upX(ctx context.Context, tx *sql.Tx) error {",
      '  _, err := tx.ExecContext(ctx, "DELETE FROM jobs")',
      "  return err",
      "}",
      "",
      "func downX(ctx context.Context, tx *sql.Tx) error {",
      "  _, err := tx.Exec(`DROP TABLE jobs`)",
      "  return err",
      "}",
    ].join("\n");
    analyze("migrations/00002_jobs.go", go);
    expect(handed()).toEqual([
      { text: "DELETE FROM jobs", line: 6, rollback: false, embeddedIn: "goose ExecContext" },
      { text: "DROP TABLE jobs", line: 11, rollback: true, embeddedIn: "goose Exec" },
    ]);
  });

  it("keeps SQL from one-line literals with escaped newlines on the literal's line", () => {
    analyze("migrations/1_x.js", "exports.up = (knex) => knex.raw('DELETE FROM a;\\nDROP TABLE b;');\n");
    analyze("alembic/versions/x.py", 'from alembic import op\ndef upgrade():\n    op.execute("DELETE FROM a;\\nDROP TABLE b;")\n');
    analyze("db/migrate/1_x.rb", 'class X < ActiveRecord::Migration[7.1]\n  def up\n    execute "DELETE FROM a;\\nDROP TABLE b;"\n  end\nend\n');
    expect(handed().map((h) => [h.text, h.line])).toEqual([
      ["DELETE FROM a; DROP TABLE b;", 1],
      ["DELETE FROM a; DROP TABLE b;", 3],
      ["DELETE FROM a; DROP TABLE b;", 3],
    ]);
  });

  it("reads goose Go migrations registered with function literals, and Python SQL held in a local variable", () => {
    const go = [
      "package migrations",
      "func init() {",
      "  goose.AddMigrationNoTxContext(func(ctx context.Context, db *sql.DB) error {",
      '    _, err := db.ExecContext(ctx, "UPDATE jobs SET state = 1")',
      "    return err",
      "  }, func(ctx context.Context, db *sql.DB) error {",
      "    _, err := db.ExecContext(ctx, `UPDATE jobs SET state = 0`)",
      "    return err",
      "  })",
      "}",
    ].join("\n");
    analyze("migrations/00004_jobs.go", go);
    const py = ["from alembic import op", "def upgrade():", '    statement = "TRUNCATE audit"', "    op.execute(statement)"].join("\n");
    analyze("alembic/versions/x.py", py);
    expect(handed().map((h) => [h.text, h.line, h.rollback])).toEqual([
      ["UPDATE jobs SET state = 1", 4, false],
      ["UPDATE jobs SET state = 0", 7, true],
      ["TRUNCATE audit", 3, false],
    ]);
  });

  it("passes the tables an ORM created earlier in the migration to the SQL analyzer", () => {
    const rb = ["class X < ActiveRecord::Migration[7.1]", "  def up", "    create_table :scratch", '    execute "DROP TABLE scratch"', "  end", "end"].join("\n");
    analyze("db/migrate/20260101000000_x.rb", rb);
    expect([...(calls[0]?.context.createdTables ?? [])]).toEqual(["scratch"]);
  });
});
