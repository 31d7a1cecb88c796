import { describe, expect, it } from "vitest";
import type { Finding } from "../../../src/model/finding.js";
import { analyze, fixture } from "./helpers.js";

/** Real upstream migrations (fixtures/migrations, see its SOURCES.md), analysed at their upstream paths. */
function run(set: string, path: string): Finding[] {
  return analyze(path, fixture(`migrations/${set}/${path}`));
}

function pinned(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.line} ${f.severity}${f.rollback ? " rollback" : ""}`).sort();
}

describe("real migrations", () => {
  it("goose (hatchet): the Down section's DROP COLUMN and DROP INDEX are low rollback; the Up index build is not", () => {
    const findings = run("goose-postgres-hatchet", "cmd/hatchet-migrate/migrate/migrations/20250612173730_v1_0_25.sql");
    expect(pinned(findings)).toEqual(["sql/blocking-index@3 medium", "sql/drop-column@9 low rollback", "sql/drop-index@10 low rollback"]);
  });

  it("goose (hatchet): a NO TRANSACTION file with a DO block is read without unparsed findings", () => {
    const findings = run("goose-postgres-hatchet", "cmd/hatchet-migrate/migrate/migrations/20260514175834_v1_0_109.sql");
    expect(findings.filter((f) => f.rule === "sql/unparsed")).toEqual([]);
    const downLine = fixture("migrations/goose-postgres-hatchet/cmd/hatchet-migrate/migrate/migrations/20260514175834_v1_0_109.sql")
      .split("\n")
      .findIndex((l) => l.startsWith("-- +goose Down")) + 1;
    expect(downLine).toBeGreaterThan(1);
    for (const f of findings.filter((f) => f.line >= downLine)) expect(f, `${f.rule}@${f.line}`).toMatchObject({ severity: "low", rollback: true });
    for (const f of findings.filter((f) => f.line < downLine)) expect(f.rollback, `${f.rule}@${f.line}`).toBeUndefined();
  });

  it("goose Go (hatchet): SQL built with fmt.Sprintf is opaque; none of it is reported as unparsed", () => {
    const findings = run("goose-postgres-hatchet", "cmd/hatchet-migrate/migrate/migrations/20251226153622_v1_0_66.go");
    expect(findings.length).toBeGreaterThan(0);
    expect(new Set(findings.map((f) => f.rule))).toEqual(new Set(["sql/opaque-code"]));
    expect(findings.filter((f) => !f.rollback).every((f) => f.severity === "medium")).toBe(true);
    expect(findings.filter((f) => f.rollback).every((f) => f.severity === "low")).toBe(true);
  });

  it("golang-migrate (gitness): down files, also the irregular _down.sql ones, are only low rollback", () => {
    const dir = "app/store/database/migrate/postgres";
    expect(pinned(run("golang-migrate-postgres-gitness", `${dir}/0016_alter_pullreq_add_unresolved.down.sql`))).toEqual(["sql/drop-column@1 low rollback"]);
    for (const f of run("golang-migrate-postgres-gitness", `${dir}/0029_create_index_job_job_group_id_down.sql`)) {
      expect(f).toMatchObject({ severity: "low", rollback: true });
    }
    // The forward backfill has a WHERE: not an all-rows update.
    expect(run("golang-migrate-postgres-gitness", `${dir}/0016_alter_pullreq_add_unresolved.up.sql`).filter((f) => f.rule.endsWith("all-rows"))).toEqual([]);
  });

  it("Knex (uptime-kuma): .alter() in up is a column change, in down a low rollback", () => {
    expect(pinned(run("knex-uptime-kuma", "db/knex_migrations/2023-10-11-1915-push-token-to-32.js"))).toEqual([
      "sql/column-type-change@4 high",
      "sql/column-type-change@10 low rollback",
    ].sort());
  });

  it("Django (netbox): RunPython with a filtered .update() is opaque code; RemoveField drops a column", () => {
    expect(pinned(run("django-netbox", "netbox/circuits/migrations/0059_nullify_empty_cable_end.py"))).toEqual([
      "sql/opaque-code@13 medium",
      "sql/opaque-code@22 medium",
    ]);
    expect(pinned(run("django-netbox", "netbox/users/migrations/0013_user_remove_is_staff.py"))).toEqual(["sql/drop-column@11 high"]);
  });

  it("Alembic (dispatch): add_column in upgrade is quiet, drop_column in downgrade is low rollback", () => {
    expect(pinned(run("alembic-dispatch", "src/dispatch/database/revisions/tenant/versions/2024-08-26_d6b3853be8e4.py"))).toEqual([
      "sql/drop-column@22 low rollback",
    ]);
  });

  it("Prisma (trigger.dev): the warning is part of the DROP COLUMN's finding, at the statement's line", () => {
    const findings = run(
      "prisma-postgres-trigger.dev",
      "internal-packages/database/prisma/migrations/20250716145327_drop_release_concurrency_on_waitpoint_on_task_queue/migration.sql",
    );
    expect(pinned(findings)).toEqual(["sql/drop-column@8 high"]);
    expect(findings[0]?.object).toBe("TaskQueue.releaseConcurrencyOnWaitpoint");
    expect(findings[0]?.message).toContain("Prisma warned: You are about to drop the column `releaseConcurrencyOnWaitpoint`");
  });

  it("MySQL files named *.mysql.up.sql are parsed as MySQL even when the policy says PostgreSQL", () => {
    const dir = "persistence/sql/migrations/sql";
    expect(run("mysql-kratos", `${dir}/20191100000001000000_identities.mysql.up.sql`)).toEqual([]);
    expect(pinned(run("mysql-kratos", `${dir}/20191100000001000000_identities.mysql.down.sql`))).toEqual(["sql/drop-table@1 low rollback"]);
  });
});
