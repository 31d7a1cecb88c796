import { describe, expect, it } from "vitest";
import { analyze, hits } from "./helpers.js";

/** SQL-file frameworks: each layout with one change that must be reported and one that must not. */
describe.each([
  {
    framework: "goose",
    path: "db/migrations/00042_orders.sql",
    fires: "-- +goose Up\n-- +goose StatementBegin\nDROP TABLE orders;\n-- +goose StatementEnd\n-- +goose Down\nCREATE TABLE orders (id int);\n",
    expected: ["sql/drop-table@3"],
    passes: "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE TABLE tags (id int);\n-- +goose Down\nDROP TABLE tags;\n",
  },
  {
    framework: "dbmate",
    path: "db/migrations/20260101000000_orders.sql",
    fires: "-- migrate:up\nTRUNCATE orders;\n\n-- migrate:down\n",
    expected: ["sql/truncate@2"],
    passes: "-- migrate:up\nCREATE TABLE tags (id int);\n-- migrate:down\nDROP TABLE tags;\n",
  },
  {
    framework: "golang-migrate",
    path: "migrations/000042_orders.up.sql",
    fires: "ALTER TABLE orders DROP COLUMN legacy;\n",
    expected: ["sql/drop-column@1"],
    passes: "ALTER TABLE orders ADD COLUMN note text;\n",
  },
  {
    framework: "Flyway",
    path: "src/main/resources/db/migration/V42__orders.sql",
    fires: "-- clean up\nDELETE FROM orders;\n",
    expected: ["sql/delete-all-rows@2"],
    // A bounded DELETE still removes production rows (sql/delete-rows, medium): an archive flag does not.
    passes: "UPDATE orders SET archived = true WHERE created_at < now() - interval '1 year';\n",
  },
  {
    framework: "sqlx",
    path: "migrations/20260101000000_orders.sql",
    fires: "-- no-transaction\nALTER TABLE orders RENAME COLUMN total TO amount;\n",
    expected: ["sql/rename@2"],
    passes: "-- no-transaction\nCREATE INDEX CONCURRENTLY orders_total_idx ON orders (total);\n",
  },
  {
    framework: "Drizzle",
    path: "drizzle/0007_bright_wolf.sql",
    fires: 'ALTER TABLE "users" ADD COLUMN "bio" text;--> statement-breakpoint\nDROP TABLE "sessions";',
    expected: ["sql/drop-table@2"],
    passes: 'CREATE TABLE "tags" ("id" serial PRIMARY KEY);--> statement-breakpoint\nALTER TABLE "users" ADD COLUMN "bio" text;',
  },
  {
    framework: "Supabase",
    path: "supabase/migrations/20260101000000_rls.sql",
    fires: "alter table public.profiles disable row level security;\n",
    expected: ["sql/disable-rls@1"],
    passes: "alter table public.profiles enable row level security;\n",
  },
  {
    framework: "Prisma",
    path: "prisma/migrations/20260101000000_drop/migration.sql",
    fires: '-- DropTable\nDROP TABLE "AuditLog";\n',
    expected: ["sql/drop-table@2"],
    passes: '-- CreateTable\nCREATE TABLE "AuditLog" ("id" TEXT NOT NULL);\n',
  },
])("$framework", ({ path, fires, expected, passes }) => {
  it("reports the destructive change at its line", () => {
    expect(hits(analyze(path, fires).filter((f) => !f.rollback))).toEqual(expected);
  });

  it("reports nothing above low for the safe change", () => {
    expect(analyze(path, passes).filter((f) => f.severity !== "low")).toEqual([]);
  });
});

describe("Flyway undo scripts", () => {
  it("are rollback code: reported at low only", () => {
    const findings = analyze("src/main/resources/db/migration/U42__orders.sql", "DROP TABLE orders;\n");
    expect(findings).toMatchObject([{ rule: "sql/drop-table", line: 1, severity: "low", rollback: true }]);
  });
});

describe("acknowledgement markers", () => {
  it("marks every finding of a Django migration with IgnoreMigration() as acknowledged", () => {
    const py = [
      "import django_migration_linter as linter",
      "from django.db import migrations",
      "class Migration(migrations.Migration):",
      "    operations = [",
      "        linter.IgnoreMigration(),",
      '        migrations.RemoveField(model_name="user", name="ssn"),',
      "    ]",
    ].join("\n");
    expect(analyze("accounts/migrations/0043_x.py", py)).toMatchObject([{ rule: "sql/drop-column", line: 6, acknowledged: "IgnoreMigration()" }]);
  });
});

describe("builders that end in .execute()", () => {
  it("reads Kysely's schema builder and sql template without calling .execute(db) opaque", () => {
    const ts = [
      "export async function up(db: Kysely<any>): Promise<void> {",
      "  await db.schema.dropTable('legacy').execute()",
      "  await sql`DELETE FROM sessions`.execute(db)",
      "}",
    ].join("\n");
    expect(hits(analyze("migrations/2026_01_01_cleanup.ts", ts))).toEqual(["sql/delete-all-rows@3", "sql/drop-table@2"]);
  });
});

describe("non-changelog files under db/changelog", () => {
  it("are never reported, not even as edited migrations", () => {
    expect(analyze("db/changelog/notes.yaml", "title: b\n", { base: "title: a\n" })).toEqual([]);
  });
});

describe("SQL under db/ that is not a migration", () => {
  it("skips sqlc query files, even when they change", () => {
    const queries = "-- name: DeleteAllSessions :exec\nDELETE FROM sessions;\n\n-- name: GetUser :one\nSELECT * FROM users WHERE id = $1;\n";
    expect(analyze("db/queries/sessions.sql", queries)).toEqual([]);
    expect(analyze("db/queries/sessions.sql", queries, { base: "-- name: GetUser :one\nSELECT 1;\n" })).toEqual([]);
  });

  it("analyses seed files but does not call an edit to them an edited migration", () => {
    const findings = analyze("db/seeds.sql", "TRUNCATE users;\n", { base: "SELECT 1;\n" });
    expect(hits(findings)).toEqual(["sql/truncate@1"]);
  });
});
