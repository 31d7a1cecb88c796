/** What the caller's context changes: rollback code, tables created across sections, suppression markers. */
import { beforeAll, describe, expect, it } from "vitest";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import { brief, rulesOf, sql } from "./helpers.js";

describe("SQL context", () => {
  beforeAll(async () => {
    await loadSqlParsers();
  });

  it("lowers every finding in rollback code to low and marks it", () => {
    const findings = sql("DROP TABLE users;\nDROP TYPE t CASCADE;\nGRANT ALL ON t TO PUBLIC;", { rollback: true });
    expect(findings.map((f) => [f.rule, f.severity, f.rollback])).toEqual([
      ["sql/drop-table", "low", true],
      ["sql/drop-object", "low", true],
      ["sql/privilege-grant", "low", true],
    ]);
  });

  it("shares createdTables across sections of one migration and keeps it up to date", () => {
    const created = new Set<string>();
    expect(sql("CREATE TABLE public.Staging (id int);", { createdTables: created })).toEqual([]);
    expect([...created]).toEqual(["staging"]);
    expect(sql("CREATE INDEX staging_id ON staging (id);\nDROP TABLE staging;", { createdTables: created, startLine: 20 })).toEqual([]);
    expect(created.has("staging")).toBe(false);
    // After it was dropped, a drop of the same name is about some other, existing table again.
    expect(rulesOf(sql("DROP TABLE staging;", { createdTables: created }))).toEqual(["sql/drop-table"]);
  });

  it("reports file and side from the context", () => {
    const [f] = sql("DROP TABLE users;", { file: "db/old.sql", side: "base" });
    expect(f).toMatchObject({ file: "db/old.sql", side: "base" });
  });

  it("prefixes messages of SQL embedded in another language", () => {
    const [f] = sql("DROP TABLE users", { embeddedIn: "knex.raw" });
    expect(f!.message).toBe("knex.raw: Drops table users");
  });

  it.each([
    ["-- squawk-ignore ban-drop-table\nDROP TABLE users;", "squawk-ignore ban-drop-table"],
    ["-- atlas:nolint DS102\nDROP TABLE users;", "atlas:nolint DS102"],
    ["-- changegate-ack: table replaced by accounts in #123\nDROP TABLE users;", "changegate-ack: table replaced by accounts in #123"],
    ["DROP TABLE users; -- changegate-ack: intended", "changegate-ack: intended"],
  ])("acknowledges, never suppresses: %s", (text, marker) => {
    const findings = sql(text);
    expect(brief(findings)).toEqual([{ rule: "sql/drop-table", line: text.startsWith("--") ? 2 : 1, endLine: undefined, object: "users", severity: "critical" }]);
    expect(findings[0]!.acknowledged).toBe(marker);
  });

  it("applies a statement marker to the next statement only, a file marker to all", () => {
    const findings = sql("-- squawk-ignore ban-drop-table\nDROP TABLE a;\nDROP TABLE b;");
    expect(findings.map((f) => f.acknowledged)).toEqual(["squawk-ignore ban-drop-table", undefined]);
    const trailing = sql("DROP TABLE a; -- changegate-ack: a is unused\nDROP TABLE b;");
    expect(trailing.map((f) => f.acknowledged)).toEqual(["changegate-ack: a is unused", undefined]);
    const fallback = sql("DROP TABLE a; -- squawk-ignore\nSELEC 1;\nDROP TABLE b;");
    expect(fallback.map((f) => [f.rule, f.acknowledged])).toEqual([
      ["sql/drop-table", "squawk-ignore"],
      ["sql/unparsed", undefined],
      ["sql/drop-table", undefined],
    ]);
    const file = sql("DROP TABLE a;\n-- squawk-ignore-file\nDROP TABLE b;");
    expect(file.map((f) => f.acknowledged)).toEqual(["squawk-ignore-file", "squawk-ignore-file"]);
  });

  it("does not take a marker mentioned in prose for a marker", () => {
    const [f] = sql("-- EXPECT: authors use squawk-ignore comments\nDROP TABLE a;");
    expect(f!.acknowledged).toBeUndefined();
  });
});

describe("rename heuristics", () => {
  it("knows close column names", async () => {
    const { similarNames } = await import("../../../src/analyzers/sql/run.js");
    expect(similarNames("fullName", "full_name")).toBe(true);
    expect(similarNames("email", "email_address")).toBe(true);
    expect(similarNames("colour", "color")).toBe(true);
    expect(similarNames("legacyId", "tenantId")).toBe(false);
    expect(similarNames("a", "b")).toBe(false);
  });
});
