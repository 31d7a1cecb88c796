/**
 * The plain-SQL cases of the project's example corpus (fixtures/sql-examples): line 1 of each file
 * states the finding it must produce. Cases 10–12 and 15–20 need framework awareness and are tested
 * with the migration analyzer.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import { sql } from "./helpers.js";

function fixture(name: string) {
  const text = readFileSync(new URL(`../../../fixtures/sql-examples/${name}`, import.meta.url), "utf8");
  return { text, expect: text.split("\n")[0]!, findings: sql(text, { file: `fixtures/sql-examples/${name}` }) };
}

function brief(findings: ReturnType<typeof sql>) {
  return findings.map((f) => [f.rule, f.line, f.severity, f.object ?? null]);
}

describe("fixtures/sql-examples", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("01: DROP SCHEMA … CASCADE is critical data loss", () => {
    const { expect: header, findings } = fixture("01_drop_schema_cascade.sql");
    expect(header).toMatch(/data-loss \(CRITICAL\)/);
    expect(brief(findings)).toEqual([["sql/drop-schema", 4, "critical", "billing"]]);
    expect(findings[0]!.category).toBe("data-loss");
    expect(findings[0]!.message).toMatch(/CASCADE/);
  });

  it("02: unbounded and tautological DML", () => {
    const { findings } = fixture("02_dml_without_where.sql");
    expect(brief(findings)).toEqual([
      ["sql/delete-all-rows", 4, "critical", "users"],
      ["sql/delete-all-rows", 5, "critical", "sessions"],
      ["sql/update-all-rows", 6, "high", "users"],
    ]);
    expect(findings[1]!.message).toMatch(/always true/);
  });

  it("03: plain TRUNCATE is critical", () => {
    const { findings } = fixture("03_truncate_plain.sql");
    expect(brief(findings)).toEqual([
      ["sql/truncate", 4, "critical", "audit_log"],
      ["sql/truncate", 5, "critical", "orders"],
    ]);
  });

  it("04: the DROP and DELETE inside a DO block are visible as data loss", () => {
    const { findings } = fixture("04_dynamic_sql_do_block.sql");
    expect(brief(findings)).toEqual([
      ["sql/opaque-code", 8, "high", null],
      ["sql/drop-table", 8, "critical", "<dynamic>"],
      ["sql/delete-all-rows", 10, "critical", "events"],
    ]);
    expect(findings[0]!.message).toMatch(/EXECUTE runs dynamic SQL containing DROP/);
    expect(findings[1]!.message).toMatch(/^DO block: dynamic SQL: Drops table .* CASCADE/);
    expect(findings.filter((f) => f.category === "data-loss" && f.severity === "critical")).toHaveLength(2);
  });

  it("05: row-level security switched off and opened up", () => {
    const { findings } = fixture("05_disable_rls_drop_policy.sql");
    expect(brief(findings)).toEqual([
      ["sql/disable-rls", 5, "critical", "public.documents"],
      ["sql/disable-rls", 6, "critical", "public.documents"],
      ["sql/disable-rls", 7, "critical", "public.documents.tenant_isolation"],
      ["sql/disable-rls", 8, "critical", "public.documents.allow_all"],
    ]);
    expect(findings.every((f) => f.category === "security")).toBe(true);
  });

  it("06: broad grants, role escalation, a committed password and a REVOKE", () => {
    const { findings } = fixture("06_privilege_escalation.sql");
    expect(brief(findings)).toEqual([
      ["sql/privilege-grant", 4, "critical", "public"],
      ["sql/privilege-grant", 5, "critical", "public.payments"],
      ["sql/privilege-grant", 6, "critical", "future tables"],
      ["sql/privilege-grant", 7, "critical", "app_user"],
      ["sql/privilege-grant", 8, "critical", "backdoor"],
      ["sql/privilege-grant", 8, "critical", "backdoor"],
      ["sql/drop-role", 9, "high", "public"],
    ]);
    expect(findings[4]!.message).toMatch(/password/);
    expect(findings[5]!.message).toMatch(/SUPERUSER/);
  });

  it("07: replication slot, publication and subscription drops; SET UNLOGGED", () => {
    const { findings } = fixture("07_replication_and_backups.sql");
    expect(brief(findings)).toEqual([
      ["sql/replication", 4, "high", "debezium_slot"],
      ["sql/replication", 5, "high", "analytics_pub"],
      ["sql/replication", 6, "high", "replica_sub"],
      ["sql/table-rewrite", 7, "medium", "events"],
    ]);
  });

  it("08: lossy type changes are high data-loss findings", () => {
    const { findings } = fixture("08_lossy_type_change.sql");
    expect(brief(findings)).toEqual([
      ["sql/column-type-change", 4, "high", "users.bio"],
      ["sql/column-type-change", 5, "high", "orders.amount"],
      ["sql/column-type-change", 6, "high", "products.price"],
    ]);
    expect(findings.every((f) => f.category === "data-loss")).toBe(true);
    expect(findings[0]!.message).toMatch(/varchar\(50\) with a USING conversion/);
  });

  it("09: DROP + ADD COLUMN reads as a rename that loses data", () => {
    const { findings } = fixture("09_drop_and_readd_column.sql");
    expect(brief(findings)).toEqual([["sql/drop-column", 4, "critical", "User.fullName"]]);
    expect(findings[0]!.message).toMatch(/looks like a rename .* loses the column's data/);
  });

  it("13: suppression comments acknowledge, never silence", () => {
    const { findings } = fixture("13_squawk_ignore_bypass.sql");
    expect(brief(findings)).toEqual([
      ["sql/drop-table", 5, "critical", "customer_payments"],
      ["sql/drop-column", 7, "high", "customers.ssn"],
    ]);
    expect(findings[0]!.acknowledged).toBe("squawk-ignore-file ban-drop-table");
    expect(findings[1]!.acknowledged).toBe("squawk-ignore ban-drop-column");
  });

  it("14: every other DROP, with CASCADE raising the severity", () => {
    const { findings } = fixture("14_drop_objects_squawk_misses.sql");
    expect(brief(findings)).toEqual([
      ["sql/drop-object", 5, "medium", "monthly_revenue"],
      ["sql/drop-object", 6, "medium", "active_users"],
      ["sql/drop-object", 7, "medium", "invoice_number_seq"],
      ["sql/drop-object", 8, "critical", "order_status"],
      ["sql/drop-object", 9, "medium", "payments.audit_changes"],
      ["sql/drop-object", 10, "critical", "audit_trigger"],
      ["sql/drop-object", 11, "critical", "postgis"],
      ["sql/drop-object", 12, "critical", "old_service"],
      ["sql/sequence-reset", 13, "high", "orders_id_seq"],
    ]);
    for (const f of findings.filter((f) => f.severity === "critical")) expect(f.message).toMatch(/CASCADE/);
  });

  it("the copies match the shared corpus's EXPECT lines", () => {
    for (const name of ["01_drop_schema_cascade.sql", "04_dynamic_sql_do_block.sql", "13_squawk_ignore_bypass.sql"]) {
      expect(fixture(name).expect).toMatch(/^-- EXPECT: /);
    }
  });
});
