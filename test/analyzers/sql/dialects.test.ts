/**
 * Dialects other than PostgreSQL go through node-sql-parser. Supported: DROP DATABASE/SCHEMA/TABLE/
 * INDEX/VIEW, TRUNCATE, DELETE/UPDATE without WHERE (or WHERE 1=1), DROP COLUMN, MODIFY/CHANGE/ALTER
 * COLUMN, renames, DROP FOREIGN KEY. The rest of the rules are PostgreSQL-only.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import type { SqlDialect } from "../../../src/analyzers/types.js";
import { brief, sql } from "./helpers.js";

function run(dialect: SqlDialect, text: string) {
  return brief(sql(text, { dialect })).map((f) => [f.rule, f.line, f.object ?? null]);
}

describe("other dialects", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("MySQL: a realistic migration", () => {
    const text = [
      "-- drop legacy things",
      "DROP TABLE IF EXISTS `legacy_orders`;",
      "ALTER TABLE `users`",
      "  DROP COLUMN `ssn`,",
      "  MODIFY COLUMN `bio` VARCHAR(50);",
      "# MySQL comment with a ; inside",
      "DELETE FROM sessions;",
      "UPDATE users SET active = 0 WHERE id = 3;",
      "RENAME TABLE a TO b;",
      "CREATE TABLE tmp (id INT);",
      "DROP TABLE tmp;",
    ].join("\n");
    expect(run("mysql", text)).toEqual([
      ["sql/drop-table", 2, "legacy_orders"],
      ["sql/drop-column", 3, "users.ssn"],
      ["sql/column-type-change", 3, "users.bio"],
      ["sql/delete-all-rows", 7, "sessions"],
      ["sql/rename", 9, "a"],
    ]);
  });

  it("MariaDB and SQLite read the same basic statements", () => {
    expect(run("mariadb", "TRUNCATE TABLE logs;\nDROP DATABASE shop;")).toEqual([
      ["sql/truncate", 1, "logs"],
      ["sql/drop-database", 2, "shop"],
    ]);
    expect(run("sqlite", "ALTER TABLE users RENAME TO accounts;\nALTER TABLE t DROP COLUMN c;")).toEqual([
      ["sql/rename", 1, "users"],
      ["sql/drop-column", 2, "t.c"],
    ]);
  });

  it("SQL Server: bracketed names and ALTER COLUMN", () => {
    expect(run("sqlserver", "DROP TABLE [dbo].[Orders];\nALTER TABLE users ALTER COLUMN age INT;")).toEqual([
      ["sql/drop-table", 1, "dbo.Orders"],
      ["sql/column-type-change", 2, "users.age"],
    ]);
  });

  it("MySQL multi-table DELETE reports only the target table", () => {
    expect(run("mysql", "DELETE t FROM t JOIN u ON t.id = u.id;")).toEqual([["sql/delete-all-rows", 1, "t"]]);
  });

  it("BigQuery DELETE … WHERE true names the table", () => {
    expect(run("bigquery", "DELETE FROM `p.d.t` WHERE true;")).toEqual([["sql/delete-all-rows", 1, "p.d.t"]]);
  });

  it("SQL Server sp_rename is a rename, read without calling it unparsed", () => {
    expect(run("sqlserver", "EXEC sp_rename 'users.email', 'mail', 'COLUMN';")).toEqual([
      ["sql/rename", 1, "users.email"],
    ]);
  });

  it("skips the parse of statements that cannot change anything", () => {
    const text = "INSERT INTO t VALUES (1, 'x');\n".repeat(100_000) + "DROP TABLE t;";
    expect(run("mysql", text)).toEqual([["sql/drop-table", 100_001, "t"]]);
  });

  it("BigQuery and Snowflake drops", () => {
    expect(run("bigquery", "DROP TABLE `proj.ds.events`;")).toEqual([["sql/drop-table", 1, "proj.ds.events"]]);
    expect(run("snowflake", "DROP TABLE analytics;")).toEqual([["sql/drop-table", 1, "analytics"]]);
  });

  it("falls back to keywords with sql/unparsed when the parser fails", () => {
    // Snowflake's SET DATA TYPE is not in node-sql-parser's grammar.
    expect(run("snowflake", "ALTER TABLE t ALTER COLUMN c SET DATA TYPE int;\nDROP TABLE x CASCADE;")).toEqual([
      ["sql/unparsed", 1, "ALTER TABLE t ALTER COLUMN c SET DATA TYPE int"],
      ["sql/column-type-change", 1, "t"],
      ["sql/drop-table", 2, "x"],
    ]);
  });

  it("lowers rollback findings and records acknowledgements in every dialect", () => {
    const findings = sql("-- squawk-ignore\nDROP TABLE users;", { dialect: "mysql", rollback: true });
    expect(findings.map((f) => [f.rule, f.severity, f.rollback, f.acknowledged])).toEqual([["sql/drop-table", "low", true, "squawk-ignore"]]);
  });

  it("never throws on junk", () => {
    for (const dialect of ["mysql", "mariadb", "sqlite", "sqlserver", "bigquery", "snowflake"] as const) {
      expect(() => sql("\u0001\u0002 ;; ((( 'unterminated", { dialect })).not.toThrow();
      expect(sql("", { dialect })).toEqual([]);
    }
  });
});
