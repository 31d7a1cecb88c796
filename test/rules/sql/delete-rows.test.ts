import { describe, expect, it } from "vitest";
import { analyze, runRuleTests } from "../rule-tester.js";

/** Duplicates removed before a unique index: the pattern the replays found unreported. */
const DEDUPE = [
  "-- Remove duplicate memberships before enforcing uniqueness",
  "DELETE FROM memberships a",
  "  USING memberships b",
  "  WHERE a.id > b.id",
  "    AND a.user_id = b.user_id",
  "    AND a.org_id = b.org_id;",
  "",
  "CREATE UNIQUE INDEX CONCURRENTLY memberships_user_org_key ON memberships (user_id, org_id);",
].join("\n");

runRuleTests("sql/delete-rows", {
  fires: [
    { code: "DELETE FROM sessions WHERE expires_at < now();", findings: [{ line: 1, object: "sessions", message: "WHERE expires_at < now()" }] },
    { name: "the de-duplication before a unique index", code: DEDUPE, findings: [{ line: 2, endLine: 6, object: "memberships", message: /WHERE a\.id > b\.id AND a\.user_id = b\.user_id AND a\.org_id = b\.org_id$/ }] },
    { name: "RETURNING is not part of the WHERE", code: "DELETE FROM jobs WHERE state = 'done' RETURNING id;", findings: [{ line: 1, object: "jobs", message: /WHERE state = 'done'$/ }] },
    { name: "a subquery's WHERE is not the statement's", code: "DELETE FROM t WHERE id IN (SELECT id FROM u WHERE u.gone);", findings: [{ line: 1, object: "t", message: /WHERE id IN \(SELECT id FROM u WHERE u\.gone\)$/ }] },
    { name: "inside a DO block, which runs now", code: "DO $$ BEGIN DELETE FROM t WHERE a = 1; END $$;", findings: [{ line: 1, object: "t" }] },
    { name: "rollback code is low", code: "DELETE FROM sessions WHERE id = 1;", context: { rollback: true }, findings: [{ line: 1, object: "sessions", severity: "low" }] },
    { name: "MySQL", code: "DELETE FROM `sessions` WHERE `expires_at` < NOW();", context: { dialect: "mysql" }, findings: [{ line: 1, object: "sessions", message: /WHERE `expires_at` < now\(\)/ }] },
    { name: "read from keywords when the parser rejects it", code: "DELETE FROM sessions WHERE FROBNICATE(expires_at;", findings: [{ line: 1, object: "sessions", message: /read from keywords only/ }] },
  ],
  passes: [
    { name: "every row: sql/delete-all-rows says so", code: "DELETE FROM sessions;" },
    { name: "a table created in the same migration", code: "CREATE TABLE scratch (id int);\nDELETE FROM scratch WHERE id > 10;" },
    { name: "a table created in an earlier migration of the change", code: "DELETE FROM staging WHERE id > 10;", context: { createdTables: new Set(["staging"]) } },
    { name: "a trigger function's body runs later, row by row", code: "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM audit WHERE id = OLD.id; RETURN OLD; END $$;" },
    "UPDATE sessions SET revoked = true WHERE expires_at < now();",
  ],
});

describe("sql/delete-rows beside the rules it sits with", () => {
  it("is not reported beside sql/delete-all-rows for the same statement", () => {
    expect(analyze("DELETE FROM t WHERE 1 = 1;").map((f) => f.rule)).toEqual(["sql/delete-all-rows"]);
  });
});
