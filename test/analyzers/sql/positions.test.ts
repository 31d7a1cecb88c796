/** Lines come from byte offsets: they must be right for multi-byte text, comments and embedded code. */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import { SqlSource } from "../../../src/analyzers/sql/source.js";
import { brief, sql } from "./helpers.js";

describe("statement positions", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("maps byte offsets to lines in non-ASCII text", () => {
    const text = [
      "-- Übersicht: löscht alte Tabellen 🚮",
      "COMMENT ON TABLE users IS 'Benutzer – größer, schöner, 日本語';",
      "INSERT INTO notes VALUES ('ñandú'), ('€€€');",
      "DROP TABLE \"Bücher\";",
      "/* 多字节 */ DELETE FROM \"café\";",
    ].join("\n");
    expect(brief(sql(text))).toEqual([
      { rule: "sql/drop-table", line: 4, endLine: undefined, object: "Bücher", severity: "critical" },
      { rule: "sql/delete-all-rows", line: 5, endLine: undefined, object: "café", severity: "critical" },
    ]);
  });

  it("starts at the first line of the statement, skipping leading comments and blank lines", () => {
    const text = "SELECT 1;\n\n-- about to drop\n/* a block\n   comment */\n\n  DROP TABLE users\n    CASCADE;\n";
    expect(brief(sql(text))).toEqual([{ rule: "sql/drop-table", line: 7, endLine: 8, object: "users", severity: "critical" }]);
  });

  it("handles a last statement without a semicolon and CRLF line ends", () => {
    const text = "SELECT 1;\r\nDELETE\r\n  FROM users";
    expect(brief(sql(text))).toEqual([{ rule: "sql/delete-all-rows", line: 2, endLine: 3, object: "users", severity: "critical" }]);
  });

  it("shifts every line by startLine", () => {
    const text = "-- é\nTRUNCATE a;\nTRUNCATE b;";
    expect(sql(text, { startLine: 100 }).map((f) => f.line)).toEqual([101, 102]);
  });

  it("places statements inside a PL/pgSQL function at their own lines", () => {
    const text = [
      "SELECT 'ä';", // 1
      "CREATE OR REPLACE FUNCTION purge() RETURNS void", // 2
      "LANGUAGE plpgsql AS $body$", // 3
      "DECLARE n int;", // 4
      "BEGIN", // 5
      "  -- wipe everything", // 6
      "  DELETE FROM sessions;", // 7
      "  IF n > 0 THEN", // 8
      "    TRUNCATE audit_ü;", // 9
      "  END IF;", // 10
      "END", // 11
      "$body$;", // 12
    ].join("\n");
    const findings = sql(text);
    expect(brief(findings)).toEqual([
      { rule: "sql/delete-all-rows", line: 7, endLine: undefined, object: "sessions", severity: "critical" },
      { rule: "sql/truncate", line: 9, endLine: undefined, object: "audit_ü", severity: "critical" },
    ]);
    expect(findings[0]!.message).toMatch(/^function purge\(\): /);
  });

  it("places statements of a LANGUAGE sql body at their own lines", () => {
    const text = "CREATE FUNCTION reset() RETURNS void LANGUAGE sql AS $$\n  SELECT 1;\n  DELETE FROM carts;\n$$;";
    expect(brief(sql(text))).toEqual([{ rule: "sql/delete-all-rows", line: 3, endLine: undefined, object: "carts", severity: "critical" }]);
  });

  it("SqlSource finds lines by byte offset", () => {
    const source = new SqlSource("é\nü\n", 10);
    expect(source.length).toBe(6);
    expect(source.lineAt(0)).toBe(10);
    expect(source.lineAt(2)).toBe(10);
    expect(source.lineAt(3)).toBe(11);
    expect(source.lineAt(6)).toBe(12);
  });
});
