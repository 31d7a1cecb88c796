import { describe, expect, it } from "vitest";
import { sql } from "../../analyzers/sql/helpers.js";
import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/unparsed", {
  fires: [
    { code: "DROP TABEL users;", findings: [{ line: 1, object: "DROP TABEL users" }] },
    { name: "only the bad statement", code: "SELECT 1;\nSELEC 2;\nSELECT 3;", findings: [{ line: 2, object: "SELEC 2" }] },
    { name: "MySQL syntax under PostgreSQL", code: "ALTER TABLE t MODIFY COLUMN c INT;", findings: [{ line: 1, object: "ALTER TABLE t MODIFY COLUMN c INT" }] },
    { name: "unterminated string", code: "SELECT 1;\nSELECT 'oops;\nDROP TABLE x;", findings: [{ line: 2, endLine: 3, object: "SELECT 'oops; DROP TABLE x;" }] },
    { name: "MySQL parser failure", code: "FROBNICATE everything;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "FROBNICATE everything" }] },
  ],
  passes: ["SELECT 1;", "", "-- only a comment\n", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;"],
});

describe("sql/unparsed: statements the keyword reading finds harmless", () => {
  const level = (text: string, dialect: "postgresql" | "mysql" = "postgresql") =>
    sql(text, { dialect }).map((f) => `${f.rule} ${f.severity}`);

  it("reports SQLite bracket quoting and connection pragmas a PostgreSQL parse rejects at low", () => {
    const patch = [
      "PRAGMA foreign_keys = off;",
      "CREATE TABLE [incident_note] ( [id] INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, [incident_id] INTEGER NOT NULL REFERENCES [incident]([id]) ON DELETE CASCADE ON UPDATE CASCADE, [body] TEXT );",
      "CREATE INDEX [incident_note_incident] ON [incident_note] ([incident_id]);",
      "ALTER TABLE [monitor] ADD [retry_note] VARCHAR(255) default '' NOT NULL;",
      "PRAGMA foreign_keys = on;",
    ].join("\n");
    const findings = sql(patch);
    expect(findings.map((f) => `${f.rule}@${f.line} ${f.severity}`)).toEqual(["sql/unparsed@1 low", "sql/unparsed@2 low", "sql/unparsed@3 low", "sql/unparsed@4 low", "sql/unparsed@5 low"]);
    expect(findings[1]?.message).toContain("its keywords read as CREATE TABLE incident_note");
  });

  it("reports a MySQL ADD COLUMN … NOT NULL DEFAULT the MySQL parser rejects at low", () => {
    expect(level("ALTER TABLE `selfservice_settings_flows` ADD COLUMN `forced` bool NOT NULL DEFAULT false;", "mysql")).toEqual(["sql/unparsed low"]);
  });

  it("keeps high what carries a destructive or locking keyword, or a NOT NULL column with no default", () => {
    expect(level("DROP TABLE [incident_note];")).toEqual(["sql/unparsed high", "sql/drop-table critical"]);
    expect(level("ALTER TABLE identity_recovery_tokens MODIFY COLUMN token VARCHAR(64) BINARY;", "mysql")).toEqual(["sql/unparsed high", "sql/column-type-change high"]);
    expect(level("ALTER TABLE `selfservice_settings_flows` ADD COLUMN `privileged` bool NOT NULL;", "mysql")).toEqual(["sql/unparsed high"]);
    expect(level("ALTER TABLE [monitor] ADD CONSTRAINT [monitor_fk] FOREIGN KEY ([parent]) REFERENCES [monitor]([id]);")).toEqual(["sql/unparsed high"]);
    expect(level("PRAGMA writable_schema = TRUE;")).toEqual(["sql/unparsed high"]);
    expect(level("INSERT OR REPLACE INTO [setting] ([key], [value]) VALUES ('x', 1);")).toEqual(["sql/unparsed high"]);
  });
});
