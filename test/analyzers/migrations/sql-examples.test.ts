import { describe, expect, it } from "vitest";
import { atLeast, type Finding } from "../../../src/model/finding.js";
import { analyze, fixture } from "./helpers.js";

/**
 * The hand-written cases of fixtures/sql-examples (reference/sql-migration-checks.md §6) that
 * need a framework's layout: each is placed at the realistic path its EXPECT line names, and
 * the findings it expects are pinned as rule@line severity (rollback).
 */
function run(name: string, path: string): Finding[] {
  return analyze(path, fixture(`sql-examples/${name}`));
}

function pinned(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.line} ${f.severity}${f.rollback ? " rollback" : ""}`).sort();
}

describe("sql-examples through the migration analyzer", () => {
  it("10: surfaces Prisma's warnings verbatim in the findings of the statements they warn about", () => {
    const findings = run("10_prisma_migration_with_warnings.sql", "prisma/migrations/20260101000000_cleanup/migration.sql");
    expect(findings.filter((f) => f.rule === "sql/prisma-warning")).toEqual([]);
    const statements = findings;
    expect(statements.map((f) => `${f.rule}@${f.line}`).sort()).toEqual(["sql/drop-column@14", "sql/drop-table@11", "sql/not-null@14"]);
    const said = (rule: string) => statements.find((f) => f.rule === rule)?.message.split("; Prisma warned: ")[1];
    expect(said("sql/drop-column")).toBe("You are about to drop the column `legacyId` on the `Order` table. All the data in the column will be lost.");
    expect(said("sql/drop-table")).toBe("You are about to drop the `AuditLog` table. If the table is not empty, all the data it contains will be lost.");
    expect(said("sql/not-null")).toBe("Added the required column `tenantId` to the `Order` table without a default value. This is not possible if the table is not empty.");
    // How far the SQL analyzer raises a drop next to an add is its call; never below the rule's own level.
    expect(statements.filter((f) => f.rule.startsWith("sql/drop-")).every((f) => atLeast(f.severity, "high"))).toBe(true);
    expect(statements.some((f) => f.rollback)).toBe(false);
  });

  it("11: goose Up section forward (the DELETE), Down section only as low rollback", () => {
    const findings = run("11_goose_up_down.sql", "db/migrations/20260101000000_feature_flags.sql");
    expect(pinned(findings)).toEqual(["sql/delete-all-rows@7 critical", "sql/drop-table@11 low rollback"]);
  });

  it("12: dbmate up block forward (index build, drop column), down block only as low rollback", () => {
    const findings = run("12_dbmate_no_transaction.sql", "db/migrations/20260101000000_orders.sql");
    expect(pinned(findings)).toEqual(["sql/blocking-index@5 medium", "sql/drop-column@6 high", "sql/drop-index@10 low rollback"]);
  });

  it("15: Rails drop_table, acknowledged remove_column and execute, rename_column", () => {
    const findings = run("15_rails_safety_assured_and_drop_table.rb", "db/migrate/20260101000000_drop_legacy_billing.rb");
    expect(pinned(findings)).toEqual([
      "sql/delete-all-rows@6 critical",
      "sql/drop-column@5 high",
      "sql/drop-table@4 critical",
      "sql/rename@7 high",
    ]);
    const acknowledged = findings.filter((f) => f.acknowledged === "safety_assured").map((f) => f.line);
    expect(acknowledged.sort()).toEqual([5, 6]);
  });

  it("16: Django operations, RunSQL parsed, RunPython opaque, SeparateDatabaseAndState state-only not flagged", () => {
    const findings = run("16_django_runsql_and_removefield.py", "accounts/migrations/0042_cleanup.py");
    expect(pinned(findings)).toEqual([
      "sql/column-type-change@17 high",
      "sql/delete-all-rows@18 critical",
      "sql/drop-column@15 high",
      "sql/drop-table@14 critical",
      "sql/drop-table@19 critical",
      "sql/opaque-code@20 medium",
      "sql/opaque-code@7 medium",
      "sql/rename@16 high",
      "sql/truncate@18 critical",
    ]);
    expect(findings.some((f) => f.line >= 21)).toBe(false);
    expect(findings.find((f) => f.line === 20)?.message).toContain("line 7");
  });

  it("17: Alembic upgrade() forward, downgrade() only as low rollback", () => {
    const findings = run("17_alembic_upgrade_vs_downgrade.py", "alembic/versions/3f2a1b9c8d7e_drop_legacy_columns.py");
    expect(pinned(findings)).toEqual([
      "sql/column-type-change@16 high",
      "sql/drop-column@15 high",
      "sql/drop-table@23 low rollback",
      "sql/truncate@17 critical",
      "sql/update-all-rows@18 high",
    ]);
  });

  it("18: Knex schema builder, knex.raw, del() and update() without where; exports.down as rollback", () => {
    const findings = run("18_knex_raw_and_del.js", "migrations/20260101000000_cleanup.js");
    expect(pinned(findings)).toEqual([
      "sql/delete-all-rows@11 critical",
      "sql/drop-column@7 high",
      "sql/drop-schema@10 critical",
      "sql/drop-table@16 low rollback",
      "sql/drop-table@5 critical",
      "sql/rename@8 high",
      "sql/update-all-rows@12 high",
    ]);
  });

  it("19: TypeORM queryRunner.query parsed, dropColumn and clearTable mapped, down as rollback", () => {
    const findings = run("19_typeorm_query_drop.ts", "src/migrations/1767225600000-Cleanup.ts");
    expect(pinned(findings)).toEqual([
      "sql/delete-all-rows@12 critical",
      "sql/disable-rls@13 critical",
      "sql/drop-column@10 high",
      "sql/drop-table@17 low rollback",
      "sql/drop-table@9 critical",
      "sql/truncate@11 critical",
    ]);
  });

  it("20: Liquibase dropTable, dropColumn, delete without where and an sql change; the rollback createTable is not flagged", () => {
    const findings = run("20_liquibase_changelog.yaml", "src/main/resources/db/changelog/db.changelog-master.yaml");
    expect(pinned(findings)).toEqual([
      "sql/delete-all-rows@13 critical",
      "sql/drop-column@10 high",
      "sql/drop-table@7 critical",
      "sql/truncate@16 critical",
    ]);
  });
});
