/** Bad input never crashes, hangs or silently passes. */
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeSqlText, loadSqlParsers, MAX_OTHER_DIALECT_TEXT_CHARS, MAX_SQL_TEXT_CHARS } from "../../../src/analyzers/sql/index.js";
import { brief, rulesOf, sql } from "./helpers.js";

describe("robustness", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("finds nothing in empty, blank or comment-only text", () => {
    expect(sql("")).toEqual([]);
    expect(sql("   \n\t\n")).toEqual([]);
    expect(sql("-- nothing\n/* still nothing */\n;;\n")).toEqual([]);
  });

  it("reports a statement no parser understands, and still sees the DROP in the rest", () => {
    const findings = sql("CREATE TABLE ok (id int);\nDROP TABEL users;\nDROP TABLE orders;");
    expect(brief(findings)).toEqual([
      { rule: "sql/unparsed", line: 2, endLine: undefined, object: "DROP TABEL users", severity: "high" },
      { rule: "sql/drop-object", line: 2, endLine: undefined, object: undefined, severity: "medium" },
      { rule: "sql/drop-table", line: 3, endLine: undefined, object: "orders", severity: "critical" },
    ]);
  });

  it("reads destructive keywords from statements that do not parse", () => {
    const text = [
      "DROP TABLE IF EXISTS users CASCADE WITH EXTRA JUNK;",
      "TRUNCATE TABLE audit_log PLEASE;",
      "DELETE FROM sessions ORDER BY id LIMIT 10;",
      "UPDATE users SET a = 1 LIMIT 5;",
      "DROP DATABASE prod NOW;",
      "DROP SCHEMA billing CASCADE CASCADE;",
      "ALTER TABLE users DROP COLUMN ssn, MODIFY x INT;",
    ].join("\n");
    const findings = sql(text).filter((f) => f.rule !== "sql/unparsed");
    expect(findings.map((f) => [f.rule, f.line, f.object])).toEqual([
      ["sql/drop-table", 1, "users"],
      ["sql/truncate", 2, "audit_log"],
      ["sql/delete-all-rows", 3, "sessions"],
      ["sql/update-all-rows", 4, "users"],
      ["sql/drop-database", 5, "prod"],
      ["sql/drop-schema", 6, "billing"],
      ["sql/drop-column", 7, "users.ssn"],
      ["sql/column-type-change", 7, "users"],
    ]);
    expect(sql(text).filter((f) => f.rule === "sql/unparsed").map((f) => f.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it("falls back to the hand splitter when even the scanner fails (unterminated dollar quote)", () => {
    const findings = sql("DROP TABLE a;\nSELECT $$never closed;\nDROP TABLE b;");
    expect(rulesOf(findings)).toEqual(["sql/drop-table", "sql/unparsed"]);
    expect(findings[1]!.line).toBe(2);
    expect(findings[1]!.endLine).toBe(3);
  });

  it("reports binary-looking junk instead of passing it", () => {
    const junk = String.fromCharCode(...Array.from({ length: 4000 }, (_, i) => 1 + ((i * 7919) % 250)));
    const findings = sql(junk);
    expect(findings.length).toBeGreaterThan(0);
    expect(rulesOf(findings)).toContain("sql/unparsed");
  });

  it("does not let a NUL byte cut the text short", () => {
    const findings = sql("SELECT 1;\0\nDROP TABLE users;");
    expect(rulesOf(findings)).toEqual(["sql/unparsed", "sql/drop-table"]);
    expect(findings[0]!.message).toMatch(/NUL/);
    expect(findings[1]!.line).toBe(2);
  });

  it("handles 10,000 statements on one line", () => {
    const text = Array.from({ length: 10_000 }, (_, i) => `DROP TABLE t${i}`).join("; ");
    const findings = sql(text);
    expect(findings).toHaveLength(10_000);
    expect(findings.every((f) => f.line === 1 && f.rule === "sql/drop-table")).toBe(true);
    expect(findings[9_999]!.object).toBe("t9999");
  });

  it("does not hand absurdly deep nesting to the parser, and keeps reading after it", () => {
    const deep = `SELECT ${"(".repeat(50_000)}1${")".repeat(50_000)};\nDROP TABLE after_deep;`;
    const findings = sql(deep);
    expect(brief(findings).map((f) => [f.rule, f.line, f.object ?? null])).toEqual([
      ["sql/unparsed", 1, `SELECT ${"(".repeat(70)}…`],
      ["sql/drop-table", 2, "after_deep"],
    ]);
    // Ordinary nesting still parses.
    expect(sql(`DELETE FROM t WHERE ${"(".repeat(200)}1 = 1${")".repeat(200)};`).map((f) => f.rule)).toEqual(["sql/delete-all-rows"]);
  });

  // The 50 MB figure (time and memory) is in bench/robustness.ts; here, enough text for a dozen batches.
  it("analyses a text larger than one batch in bounded batches and finds the DROP at its end", () => {
    const text = "INSERT INTO t VALUES (1, 'héllo wörld');\n".repeat(150_000) + "DROP TABLE victim;\n";
    expect(Buffer.byteLength(text)).toBeGreaterThan(12 * 512 * 1024);
    const findings = sql(text);
    expect(brief(findings)).toEqual([{ rule: "sql/drop-table", line: 150_001, endLine: undefined, object: "victim", severity: "critical" }]);
  });

  it("refuses text over the hard limit with an explicit finding", () => {
    const findings = analyzeSqlText("x".repeat(MAX_SQL_TEXT_CHARS + 1), { file: "huge.sql", side: "head", dialect: "postgresql" });
    expect(brief(findings)).toEqual([{ rule: "sql/unparsed", line: 1, endLine: undefined, object: undefined, severity: "high" }]);
    expect(findings[0]!.message).toMatch(/analysis limit/);
    const mysql = analyzeSqlText("x".repeat(MAX_OTHER_DIALECT_TEXT_CHARS + 1), { file: "huge.sql", side: "head", dialect: "mysql" });
    expect(mysql.map((f) => f.rule)).toEqual(["sql/unparsed"]);
  });

  it("finds the same thing whether the whole text parses or it is read statement by statement", () => {
    const good = "DROP TABLE a;\nTRUNCATE b;\nDELETE FROM c;";
    const withBad = `${good}\nSELEC 1;`;
    const whole = sql(good).map((f) => [f.rule, f.line, f.object]);
    const split = sql(withBad).filter((f) => f.rule !== "sql/unparsed").map((f) => [f.rule, f.line, f.object]);
    expect(split).toEqual(whole);
  });
});

describe("keyword fallback", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("still sees a DROP after a missing semicolon", () => {
    const findings = sql("SELECT 1\nDROP TABLE users;");
    expect(findings.map((f) => [f.rule, f.line, f.object ?? null])).toEqual([
      ["sql/unparsed", 1, "SELECT 1 DROP TABLE users"],
      ["sql/drop-table", 1, "users"],
    ]);
  });

  it("reads each statement of a run-on text once", () => {
    const text = 'ALTER TABLE "Tenant" ADD COLUMN a int NOT NULL DEFAULT 0\nALTER TABLE "Tenant" DROP COLUMN "uiVersion";';
    expect(sql(text).map((f) => [f.rule, f.object ?? null])).toEqual([
      ["sql/unparsed", 'ALTER TABLE "Tenant" ADD COLUMN a int NOT NULL DEFAULT 0 ALTER TABLE "Tenant"…'],
      ["sql/drop-column", "Tenant.uiVersion"],
    ]);
  });

  it("does not take ON DELETE / ON UPDATE clauses for statements", () => {
    const text = "CREATE TABLE x (id int REFERENCES y ON DELETE CASCADE ON UPDATE SET NULL) WITH GARBAGE GARBAGE;";
    expect(sql(text).map((f) => f.rule)).toEqual(["sql/unparsed"]);
  });
});
