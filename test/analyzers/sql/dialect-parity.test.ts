/**
 * Dialects at parity (issue 13): T-SQL batches, sp_rename, MySQL multi-action statements, MariaDB's
 * IF EXISTS forms and the MySQL client's DELIMITER. And the proof that no statement is lost: every byte
 * of a text is trivia (whitespace, comments, `;`, a client command line) or part of a statement that a
 * rule judged, that was reported unparsed, or that was skipped as a harmless data statement.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers, readSqlText } from "../../../src/analyzers/sql/index.js";
import type { SqlDialect } from "../../../src/analyzers/types.js";
import { sql } from "./helpers.js";

const rules = (text: string, dialect: SqlDialect) => sql(text, { dialect }).map((f) => [f.rule, f.line, f.object]);

/** What may lie between statements: whitespace, `;` or the `$$` delimiter the generator sets, comments, and GO / DELIMITER lines. */
const TRIVIA = /^(?:\s|;|\$\$|--[^\n]*|#[^\n]*|\/\*[\s\S]*?\*\/|(?<=^|\n)[ \t]*(?:GO(?:[ \t]+\d+)?|DELIMITER[ \t]+\S+)[ \t]*(?=\r?\n|$))*$/i;

function uncovered(text: string, dialect: SqlDialect): string[] {
  const run = readSqlText(text, { file: "x.sql", side: "head", dialect });
  const bytes = Buffer.from(text, "utf8");
  const spans = [...run.read].sort((a, b) => a.start - b.start);
  const gaps: string[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start > at) gaps.push(bytes.toString("utf8", at, span.start));
    at = Math.max(at, span.end);
  }
  gaps.push(bytes.toString("utf8", at));
  return gaps.filter((gap) => !TRIVIA.test(gap));
}

describe("SQL Server", () => {
  beforeAll(loadSqlParsers);

  it("reads every batch, not only the first", () => {
    expect(rules("DROP TABLE dbo.a;\nGO\nDROP TABLE dbo.b;\nGO\n", "sqlserver")).toEqual([
      ["sql/drop-table", 1, "dbo.a"],
      ["sql/drop-table", 3, "dbo.b"],
    ]);
  });

  it("does not lose the statement after PRINT and GO", () => {
    expect(rules("PRINT 'cleanup'\nGO\nDROP TABLE dbo.c\nGO 2\n", "sqlserver")).toEqual([["sql/drop-table", 3, "dbo.c"]]);
  });

  it("reads sp_rename and a DELETE in a later batch", () => {
    const text = "EXEC sp_rename 'dbo.customers.phone', 'phone_number', 'COLUMN';\nGO\nDELETE FROM dbo.import_staging;\n";
    const findings = sql(text, { dialect: "sqlserver" });
    expect(findings.map((f) => [f.rule, f.line, f.object])).toEqual([
      ["sql/rename", 1, "dbo.customers.phone"],
      ["sql/delete-all-rows", 3, "dbo.import_staging"],
    ]);
    expect(findings[0]!.message).toMatch(/column dbo\.customers\.phone to phone_number/);
  });

  it("reads a table rename by sp_rename without calling it unparsed", () => {
    expect(rules("EXECUTE sp_rename N'dbo.orders', N'orders_old';", "sqlserver")).toEqual([["sql/rename", 1, "dbo.orders"]]);
  });
});

describe("MySQL and MariaDB", () => {
  beforeAll(loadSqlParsers);

  it("reads each action of a multi-action ALTER and each pair of RENAME TABLE", () => {
    expect(rules("ALTER TABLE t DROP COLUMN a, DROP COLUMN b;", "mysql")).toEqual([
      ["sql/drop-column", 1, "t.a"],
      ["sql/drop-column", 1, "t.b"],
    ]);
    expect(rules("RENAME TABLE a TO b, c TO d;", "mysql")).toEqual([
      ["sql/rename", 1, "a"],
      ["sql/rename", 1, "c"],
    ]);
  });

  const valid: [string, string][] = [
    ["ALTER TABLE t DROP COLUMN IF EXISTS a;", "sql/drop-column"],
    ["ALTER TABLE IF EXISTS t DROP COLUMN a;", "sql/drop-column"],
    ["ALTER TABLE users MODIFY COLUMN status ENUM('active','disabled') NOT NULL DEFAULT 'active';", "sql/column-type-change"],
    ["ALTER TABLE t MODIFY COLUMN IF EXISTS s ENUM('a','b') NOT NULL;", "sql/column-type-change"],
    ["DROP INDEX IF EXISTS i ON t;", "sql/drop-index"],
  ];
  for (const [text, rule] of valid) {
    it(`reads valid MariaDB without sql/unparsed: ${text}`, () => {
      const found = sql(text, { dialect: "mariadb" }).map((f) => f.rule);
      expect(found).toContain(rule);
      expect(found).not.toContain("sql/unparsed");
    });
  }

  it("follows DELIMITER, so a procedure body is one statement and the DROP after it is read", () => {
    const text = "DELIMITER //\nCREATE PROCEDURE p() BEGIN DROP TABLE x; END //\nDELIMITER ;\nDROP TABLE y;\n";
    const found = rules(text, "mysql");
    expect(found).toContainEqual(["sql/drop-table", 2, "x"]);
    expect(found).toContainEqual(["sql/drop-table", 4, "y"]);
  });

  it("keeps the statements around one the parser rejects", () => {
    const text = "DROP TABLE a;\nALTER TABLE t FROBNICATE c;\nDROP TABLE b;\n";
    expect(rules(text, "mysql")).toEqual([
      ["sql/drop-table", 1, "a"],
      ["sql/unparsed", 2, "ALTER TABLE t FROBNICATE c"],
      ["sql/drop-table", 3, "b"],
    ]);
  });
});

describe("statements a dialect parser rejects", () => {
  beforeAll(loadSqlParsers);

  it("reads every name of a DROP COLUMN list (T-SQL, Snowflake) from the keywords", () => {
    expect(rules("ALTER TABLE dbo.t DROP COLUMN a, b;\nGO\nDROP TABLE dbo.x;", "sqlserver")).toEqual([
      ["sql/unparsed", 1, "ALTER TABLE dbo.t DROP COLUMN a, b"],
      ["sql/drop-column", 1, "dbo.t.a"],
      ["sql/drop-column", 1, "dbo.t.b"],
      ["sql/drop-table", 3, "dbo.x"],
    ]);
    expect(rules("ALTER TABLE t DROP COLUMN IF EXISTS a, b, c;", "snowflake").filter(([rule]) => rule === "sql/drop-column")).toEqual([
      ["sql/drop-column", 1, "t.a"],
      ["sql/drop-column", 1, "t.b"],
      ["sql/drop-column", 1, "t.c"],
    ]);
  });

  it("switches kind within a T-SQL DROP list and stops at the next action", () => {
    expect(rules("ALTER TABLE t DROP CONSTRAINT ck_a, COLUMN a, ADD b int;", "sqlserver").slice(1)).toEqual([
      ["sql/drop-constraint", 1, "t"],
      ["sql/drop-column", 1, "t.a"],
    ]);
  });

  it("reads every pair of a RENAME TABLE the parser rejects", () => {
    expect(rules("DROP TABLE a;\nRENAME TABLE old_a TO a, old_b TO b FROBNICATE;\nDROP TABLE c;", "mysql")).toEqual([
      ["sql/drop-table", 1, "a"],
      ["sql/unparsed", 2, "RENAME TABLE old_a TO a, old_b TO b FROBNICATE"],
      ["sql/rename", 2, "old_a"],
      ["sql/rename", 2, "old_b"],
      ["sql/drop-table", 3, "c"],
    ]);
  });

  it("keeps a trigger body (BEGIN … END without DELIMITER) one statement", () => {
    const sqlite = "CREATE TRIGGER audit AFTER DELETE ON orders BEGIN\n  DELETE FROM order_items WHERE order_id = old.id;\n  UPDATE stats SET n = n - 1 WHERE id = 1;\nEND;\nDROP TABLE legacy;\n";
    expect(rules(sqlite, "sqlite")).toEqual([["sql/drop-table", 5, "legacy"]]);
    const mysql = "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW BEGIN\n  IF NEW.a IS NULL THEN SET NEW.a = 1; END IF;\n  DELETE FROM y WHERE id = NEW.id;\nEND;\nDROP TABLE b;\n";
    const found = rules(mysql, "mysql");
    // One statement the parser rejects (not three fragments), and the DROP after it.
    expect(found.filter(([rule]) => rule === "sql/unparsed").map(([, line]) => line)).toEqual([1]);
    expect(found).toContainEqual(["sql/drop-table", 5, "b"]);
  });

  it("does not swallow the rest of the file into a body that never closes", () => {
    const found = rules("CREATE TRIGGER broken BEGIN DELETE FROM q;\nDROP TABLE r;\n", "sqlite");
    expect(found).toContainEqual(["sql/drop-table", 2, "r"]);
  });
});

describe("no byte of a text goes unread", () => {
  beforeAll(loadSqlParsers);

  const statement = fc.constantFrom(
    "DROP TABLE dbo.a",
    "DELETE FROM dbo.import_staging",
    "PRINT 'hello'",
    "EXEC sp_rename 'dbo.t.c', 'd', 'COLUMN'",
    "INSERT INTO t VALUES (1)",
    "UPDATE t SET a = 1",
    "SELECT 'GO' AS go",
    "CREATE TABLE [x y] (id int)",
    "garbage (( that ' no parser reads",
    "ALTER TABLE t DROP COLUMN IF EXISTS c",
    "TRUNCATE TABLE t",
    "CREATE TRIGGER g AFTER DELETE ON t BEGIN DELETE FROM u WHERE id = old.id; END",
    "ALTER TABLE t DROP COLUMN a, b",
  );
  const separator = fc.constantFrom(";\n", "\nGO\n", ";\nGO\n", "\n", " ; ", "\n-- note\n", "\n/* c */ GO 3\n", ";\nDELIMITER $$\n", "$$\nDELIMITER ;\n");
  const text = fc.array(fc.tuple(statement, separator), { minLength: 1, maxLength: 12 }).map((parts) => parts.map(([s, sep]) => s + sep).join(""));

  for (const dialect of ["sqlserver", "mysql", "mariadb"] as const) {
    it(`${dialect}: every statement is judged, reported or harmless`, () => {
      fc.assert(
        fc.property(text, (t) => {
          expect(uncovered(t, dialect)).toEqual([]);
        }),
        { numRuns: 150 },
      );
    });
  }

  it("sees the DROP in every batch of a generated T-SQL script", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("PRINT 'x'", "SELECT 1", "DROP TABLE dbo.t"), { minLength: 1, maxLength: 10 }), (statements) => {
        const script = statements.join("\nGO\n") + "\nGO\n";
        const drops = sql(script, { dialect: "sqlserver" }).filter((f) => f.rule === "sql/drop-table").length;
        expect(drops).toBe(statements.filter((s) => s.startsWith("DROP")).length);
      }),
      { numRuns: 100 },
    );
  });
});
