/** Calling the analyzer before the parser is loaded is a finding for a person, never a silent pass. */
import { describe, expect, it, vi } from "vitest";

describe("before loadSqlParsers()", () => {
  it("reports sql/unparsed instead of passing or throwing", async () => {
    vi.resetModules(); // a fresh module instance, whatever other test files loaded
    const { analyzeSqlText } = await import("../../../src/analyzers/sql/index.js");
    const findings = analyzeSqlText("DROP TABLE users;", { file: "a.sql", side: "head", dialect: "postgresql" });
    expect(findings.map((f) => [f.rule, f.line, f.severity])).toEqual([["sql/unparsed", 1, "high"]]);
    expect(findings[0]!.message).toMatch(/loadSqlParsers/);
  });
});
