/** DO blocks and function bodies: their static SQL is read with every rule; dynamic SQL is opaque. */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import { brief, rulesOf, sql } from "./helpers.js";

describe("procedural code", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("reads the statements of a DO block", () => {
    const findings = sql("DO $$\nBEGIN\n  ALTER TABLE users DROP COLUMN ssn;\n  UPDATE users SET email = NULL;\nEND\n$$;");
    expect(brief(findings)).toEqual([
      { rule: "sql/drop-column", line: 3, endLine: undefined, object: "users.ssn", severity: "high" },
      { rule: "sql/update-all-rows", line: 4, endLine: undefined, object: "users", severity: "high" },
    ]);
    expect(findings[0]!.message).toBe("DO block: Drops column users.ssn");
  });

  it("follows PERFORM calls", () => {
    expect(rulesOf(sql("DO $$ BEGIN PERFORM pg_drop_replication_slot('s'); END $$;"))).toEqual(["sql/replication"]);
  });

  it("reads the template of EXECUTE format(…)", () => {
    const findings = sql("DO $$\nBEGIN\n  EXECUTE format('TRUNCATE %I', 'audit');\nEND $$;");
    expect(brief(findings)).toEqual([
      { rule: "sql/opaque-code", line: 3, endLine: undefined, object: undefined, severity: "high" },
      { rule: "sql/truncate", line: 3, endLine: undefined, object: "<dynamic>", severity: "critical" },
    ]);
  });

  it("treats FOR … IN EXECUTE as dynamic SQL", () => {
    const text = "DO $$\nDECLARE r record;\nBEGIN\n  FOR r IN EXECUTE 'SELECT 1' LOOP\n  END LOOP;\nEND $$;";
    expect(brief(sql(text))).toEqual([{ rule: "sql/opaque-code", line: 4, endLine: undefined, object: undefined, severity: "medium" }]);
  });

  it("reads SQL-standard function bodies (BEGIN ATOMIC)", () => {
    const findings = sql("CREATE FUNCTION wipe() RETURNS void LANGUAGE sql\nBEGIN ATOMIC\n  DELETE FROM carts;\nEND;");
    expect(brief(findings)).toEqual([{ rule: "sql/delete-all-rows", line: 1, endLine: 4, object: "carts", severity: "critical" }]);
    expect(findings[0]!.message).toMatch(/^function wipe\(\): /);
  });

  it("reads procedures", () => {
    expect(rulesOf(sql("CREATE PROCEDURE p() LANGUAGE plpgsql AS $$ BEGIN DROP TABLE users; END $$;"))).toEqual(["sql/drop-table"]);
  });

  it("keeps a DROP visible in a body PL/pgSQL rejects", () => {
    const text = "DO $$\nBEGIN\n  x := undeclared;\n  DROP TABLE users;\nEND $$;";
    const findings = sql(text);
    expect(brief(findings)).toEqual([
      { rule: "sql/opaque-code", line: 1, endLine: 5, object: undefined, severity: "high" },
      { rule: "sql/drop-table", line: 4, endLine: undefined, object: "users", severity: "critical" },
    ]);
    expect(findings[1]!.message).toMatch(/read from keywords only/);
  });

  it("treats a LANGUAGE sql body that does not parse as opaque, and still reads its DROP", () => {
    const text = "CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$\n  SELEC 1;\n  DROP TABLE users;\n$$;";
    const findings = sql(text);
    expect(brief(findings)).toEqual([
      { rule: "sql/opaque-code", line: 1, endLine: 4, object: undefined, severity: "high" },
      { rule: "sql/drop-table", line: 3, endLine: undefined, object: "users", severity: "critical" },
    ]);
    expect(findings[0]!.message).toMatch(/could not be parsed/);
  });

  it("does not report harmless procedural code", () => {
    expect(sql("DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'x') THEN CREATE TYPE x AS ENUM ('a'); END IF; END $$;")).toEqual([]);
  });
});

describe("dynamic SQL templates", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it.each([
    ["format('DROP TABLE %I CASCADE', t)", 'DROP TABLE "<dynamic>" CASCADE'],
    ["format('DELETE FROM %1$I WHERE id = %2$L', t, v)", `DELETE FROM "<dynamic>" WHERE id = '<dynamic>'`],
    ["'DROP SCHEMA ' || s || ' CASCADE'", 'DROP SCHEMA "<dynamic>" CASCADE'],
    ["'TRUNCATE ' || quote_ident(t)", 'TRUNCATE "<dynamic>"'],
    ["'it''s ' || x", `it's "<dynamic>"`],
  ])("reads %s", async (expression, template) => {
    const { dynamicTemplate } = await import("../../../src/analyzers/sql/postgres.js");
    expect(dynamicTemplate(expression)).toBe(template);
  });

  it("knows nothing about a bare variable", async () => {
    const { dynamicTemplate } = await import("../../../src/analyzers/sql/postgres.js");
    expect(dynamicTemplate("query")).toBeUndefined();
  });

  it("reports what a concatenated command does", () => {
    const findings = sql("DO $$\nDECLARE s text := 'old';\nBEGIN\n  EXECUTE 'DROP SCHEMA ' || s || ' CASCADE';\nEND $$;");
    expect(brief(findings)).toEqual([
      { rule: "sql/opaque-code", line: 4, endLine: undefined, object: undefined, severity: "high" },
      { rule: "sql/drop-schema", line: 4, endLine: undefined, object: "<dynamic>", severity: "critical" },
    ]);
  });
});
