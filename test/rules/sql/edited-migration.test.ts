import { describe, expect, it } from "vitest";
import { getRule } from "../../../rules/index.js";
import { analyze } from "../rule-tester.js";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";

// sql/edited-migration is decided from the change set (a migration file modified, renamed or deleted) by the
// migration analyzer; the SQL analyzer only owns its record. These tests pin the record and check that SQL
// text alone never produces it.
describe("sql/edited-migration", () => {
  it("is registered with its contract severity", () => {
    const rule = getRule("sql/edited-migration");
    expect(rule.severity).toBe("high");
    expect(rule.docs).toBe("docs/rules.md#sql-edited-migration");
  });

  it("is never produced from SQL text", async () => {
    await loadSqlParsers();
    expect(analyze("ALTER TABLE users ADD COLUMN x int; DROP TABLE users;").map((f) => f.rule)).not.toContain("sql/edited-migration");
  });
});
