import { describe, expect, it } from "vitest";
import { runRuleTests } from "../rule-tester.js";
import { analyze as analyzeFile } from "../../analyzers/migrations/helpers.js";

const wrapped = { transaction: "wrapped" as const };
const none = { transaction: "none" as const };

runRuleTests("sql/transaction-conflict", {
  fires: [
    { code: "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);", context: wrapped, findings: [{ line: 1, object: "orders", message: /cannot run inside a transaction block.*runs this migration in a transaction/ }] },
    { code: "BEGIN;\nCREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);\nCOMMIT;", findings: [{ line: 2, object: "orders", message: /BEGIN … COMMIT/ }] },
    { code: "DROP INDEX CONCURRENTLY orders_user_idx;", context: wrapped, findings: [{ line: 1 }] },
    { code: "REINDEX INDEX CONCURRENTLY orders_user_idx;", context: wrapped, findings: [{ line: 1, object: "orders_user_idx" }] },
    { code: "VACUUM ANALYZE orders;", context: wrapped, findings: [{ line: 1, object: "orders" }] },
    { code: "ALTER TYPE order_status ADD VALUE 'refunded';", context: wrapped, findings: [{ line: 1, object: "order_status", severity: "low", message: /PostgreSQL 11 and older/ }] },
    {
      name: "a new enum value used in the same transaction fails on every version",
      code: "ALTER TYPE order_status ADD VALUE 'refunded';\nUPDATE orders SET status = 'refunded' WHERE refunded_at IS NOT NULL;",
      context: wrapped,
      findings: [
        { line: 1, object: "order_status", severity: "low" },
        { line: 2, object: "order_status", message: /unsafe use of new value/ },
      ],
    },
    { code: "ALTER TABLE events DETACH PARTITION events_2019 CONCURRENTLY;", context: wrapped, findings: [{ line: 1, object: "events_2019" }] },
    { code: "CREATE DATABASE analytics;", context: wrapped, findings: [{ line: 1, object: "analytics" }] },
    {
      name: "a new enum value used after COMMIT is safe",
      code: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\nUPDATE people SET mood = 'meh' WHERE id = 1;",
      findings: [{ line: 2, object: "mood", severity: "low" }],
    },
    {
      name: "the same label added to another enum is no use of it",
      code: "ALTER TYPE a ADD VALUE 'BACKOFF';\nALTER TYPE b ADD VALUE 'BACKOFF';",
      context: wrapped,
      findings: [{ line: 1, object: "a", severity: "low" }, { line: 2, object: "b", severity: "low" }],
    },
    { name: "LOCK outside any transaction block", code: "LOCK TABLE accounts IN SHARE MODE;", context: none, findings: [{ line: 1, object: "accounts", message: /only be used in transaction blocks/ }] },
    {
      name: "statements after COMMIT in a no-transaction file run on their own, those inside BEGIN do not",
      code: "BEGIN;\nALTER TYPE mood ADD VALUE 'meh';\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);\nLOCK TABLE t;",
      context: none,
      findings: [{ line: 2, object: "mood", severity: "low" }, { line: 5, object: "t" }],
    },
  ],
  passes: [
    { name: "no transaction", code: "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);", context: none },
    { name: "mode unknown and no BEGIN", code: "CREATE INDEX CONCURRENTLY orders_user_idx ON orders (user_id);" },
    { name: "after COMMIT", code: "BEGIN;\nUPDATE t SET a = 1 WHERE id = 2;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON t (a);" },
    { name: "ANALYZE alone runs in a transaction", code: "ANALYZE orders;", context: wrapped },
    { name: "LOCK inside the migration's transaction", code: "LOCK TABLE accounts IN SHARE MODE;", context: wrapped },
    { name: "an enum value renamed", code: "ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';", context: wrapped },
    { name: "a plain index in a transaction", code: "CREATE INDEX i ON t (a);", context: wrapped },
    { name: "rollback-free MySQL: not PostgreSQL's rule", code: "CREATE INDEX i ON t (a);", context: { dialect: "mysql", transaction: "wrapped" } },
  ],
});

const GOOSE_NO_TX = [
  "-- +goose Up",
  "-- +goose NO TRANSACTION",
  "",
  "CREATE INDEX CONCURRENTLY IF NOT EXISTS v1_task_runtime_batch_id_idx",
  "    ON v1_task_runtime USING BTREE (batch_id)",
  "    WHERE batch_id IS NOT NULL;",
  "",
  "-- +goose Down",
  "-- +goose NO TRANSACTION",
  "",
  "DROP INDEX CONCURRENTLY IF EXISTS v1_task_runtime_batch_id_idx;",
].join("\n");

const conflicts = (path: string, text: string) => analyzeFile(path, text).filter((f) => f.rule === "sql/transaction-conflict").map((f) => [f.line, f.severity]);

describe("transaction mode from the migration tools' markers", () => {
  it("goose: NO TRANSACTION passes, the default transaction fails at deploy", () => {
    expect(conflicts("db/migrations/20260722000001_idx.sql", GOOSE_NO_TX)).toEqual([]);
    const wrappedFile = GOOSE_NO_TX.replaceAll("-- +goose NO TRANSACTION\n", "");
    expect(conflicts("db/migrations/20260722000001_idx.sql", wrappedFile)).toEqual([
      [3, "medium"],
      [9, "low"],
    ]);
  });

  it("dbmate: transaction:false on the section marker", () => {
    const text = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n-- migrate:down\nDROP INDEX i;\n";
    expect(conflicts("db/migrations/20240101000000_i.sql", text)).toEqual([]);
    expect(conflicts("db/migrations/20240101000000_i.sql", text.replace(" transaction:false", ""))).toEqual([[2, "medium"]]);
  });

  it("sqlx, Atlas and Liquibase markers", () => {
    expect(conflicts("migrations/20240101000000_i.sql", "-- no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);\n")).toEqual([]);
    expect(conflicts("migrations/20240101000000_i.sql", "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY i ON t (a);\n")).toEqual([]);
    const liquibase = "--liquibase formatted sql\n\n--changeset ana:1 runInTransaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);\n\n--changeset ana:2\nVACUUM t;\n";
    expect(conflicts("db/changelog/changes.sql", liquibase)).toEqual([[7, "medium"]]);
  });

  it("Rails: disable_ddl_transaction! and algorithm: :concurrently", () => {
    const rails = [
      "class AddIndexOnOrdersUserId < ActiveRecord::Migration[7.1]",
      "  def change",
      "    add_index :orders, :user_id, algorithm: :concurrently",
      "  end",
      "end",
    ].join("\n");
    expect(conflicts("db/migrate/20240101000000_add_index_on_orders_user_id.rb", rails)).toEqual([[3, "medium"]]);
    const safe = rails.replace("  def change", "  disable_ddl_transaction!\n\n  def change");
    expect(conflicts("db/migrate/20240101000000_add_index_on_orders_user_id.rb", safe)).toEqual([]);
    const sql = 'class Backfill < ActiveRecord::Migration[7.1]\n  def up\n    execute "CREATE INDEX CONCURRENTLY i ON t (a)"\n  end\nend\n';
    expect(conflicts("db/migrate/20240101000001_backfill.rb", sql)).toEqual([[3, "medium"]]);
  });

  it("Django: AddIndexConcurrently needs atomic = False", () => {
    const django = [
      "from django.contrib.postgres.operations import AddIndexConcurrently",
      "from django.db import migrations, models",
      "",
      "",
      "class Migration(migrations.Migration):",
      "    dependencies = [('dcim', '0200_x')]",
      "",
      "    operations = [",
      "        AddIndexConcurrently('device', models.Index(fields=['name'], name='dcim_device_name_idx')),",
      "    ]",
    ].join("\n");
    expect(conflicts("dcim/migrations/0201_device_name_idx.py", django)).toEqual([[9, "medium"]]);
    const atomic = django.replace("class Migration(migrations.Migration):", "class Migration(migrations.Migration):\n    atomic = False");
    expect(conflicts("dcim/migrations/0201_device_name_idx.py", atomic)).toEqual([]);
  });

  it("Alembic: autocommit_block runs outside the migration's transaction", () => {
    const alembic = [
      "from alembic import op",
      "",
      'revision = "a1"',
      'down_revision = "a0"',
      "",
      "",
      "def upgrade():",
      '    op.execute("ALTER TYPE incident_status ADD VALUE \'stable\'")',
      "    with op.get_context().autocommit_block():",
      '        op.execute("ALTER TYPE incident_status ADD VALUE \'closed\'")',
      '        op.create_index("ix_incident_status", "incident", ["status"], postgresql_concurrently=True)',
      '    op.create_index("ix_incident_name", "incident", ["name"], postgresql_concurrently=True)',
    ].join("\n");
    expect(conflicts("alembic/versions/a1_status.py", alembic)).toEqual([
      [8, "low"],
      [12, "medium"],
    ]);
  });

  it("Knex: config.transaction false; goose Go: AddMigrationNoTx", () => {
    const knex = 'exports.up = function (knex) {\n  return knex.raw("CREATE INDEX CONCURRENTLY i ON t (a)");\n};\nexports.down = function () {};\n';
    expect(conflicts("db/migrations/20240101_i.js", knex)).toEqual([[2, "medium"]]);
    expect(conflicts("db/migrations/20240101_i.js", `${knex}exports.config = { transaction: false };\n`)).toEqual([]);
    const go = (register: string) =>
      `package migrations\n\nimport "github.com/pressly/goose/v3"\n\nfunc init() {\n\tgoose.${register}(up, down)\n}\n\nfunc up(ctx context.Context, db *sql.DB) error {\n\t_, err := db.ExecContext(ctx, "CREATE INDEX CONCURRENTLY i ON t (a)")\n\treturn err\n}\n\nfunc down(ctx context.Context, db *sql.DB) error { return nil }\n`;
    expect(conflicts("migrations/20240101_i.go", go("AddMigrationNoTxContext"))).toEqual([]);
    expect(conflicts("migrations/20240101_i.go", go("AddMigrationContext"))).toEqual([[10, "medium"]]);
  });
});
