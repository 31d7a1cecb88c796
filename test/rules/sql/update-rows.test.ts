import { describe, expect, it } from "vitest";
import { replaySql } from "../../../src/analyzers/sql/replay.js";
import { SchemaModel } from "../../../src/analyzers/sql/schema.js";
import { analyze, runRuleTests } from "../rule-tester.js";

/** The schema at base, as the migration analyzer's model holds it after replaying `sql`. */
function base(sql: string): SchemaModel {
  const model = new SchemaModel();
  replaySql(model, sql, "postgresql", "db/migrations/0001_init.sql");
  model.files = 1;
  model.origin = "change";
  return model;
}

const SCHEMA = base(
  [
    "CREATE TABLE users (",
    "  id bigint PRIMARY KEY,",
    "  email text NOT NULL,",
    "  plan text NOT NULL DEFAULT 'free',",
    "  nickname text,",
    "  last_login timestamptz",
    ");",
  ].join("\n"),
);
const context = { schema: SCHEMA };

const ERASURE = [
  "-- Erase the personal data of accounts deleted before the retention change",
  "ALTER TABLE users ADD COLUMN erased_at timestamptz;",
  "",
  "UPDATE users",
  "   SET email = 'erased-' || id || '@invalid',",
  "       erased_at = now()",
  " WHERE id IN (SELECT user_id FROM account_deletions);",
  "",
].join("\n");

runRuleTests("sql/update-rows", {
  fires: [
    {
      name: "a bounded UPDATE of a column that held data at base",
      code: "UPDATE users SET plan = 'free' WHERE last_login < '2022-01-01';",
      context,
      findings: [{ line: 1, object: "users", message: "Overwrites users.plan in the rows of users WHERE last_login < '2022-01-01'; the values before are not kept" }],
    },
    {
      name: "a realistic migration: only the existing column is lost, not the one added beside it",
      code: ERASURE,
      context,
      findings: [{ line: 4, endLine: 7, object: "users", message: /^Overwrites users\.email in the rows of users WHERE id IN \(SELECT user_id FROM account_deletions\)/ }],
    },
    { name: "setting NULL loses the value too", code: "UPDATE users SET nickname = NULL WHERE nickname = '';", context, findings: [{ line: 1, object: "users", message: /users\.nickname/ }] },
    { name: "rollback code is low", code: "UPDATE users SET plan = 'pro' WHERE id = 1;", context: { ...context, rollback: true }, findings: [{ line: 1, object: "users", severity: "low" }] },
  ],
  passes: [
    { name: "no model of the schema at base: nothing is known to be lost", code: "UPDATE users SET plan = 'basic' WHERE last_login < '2021-01-01';" },
    { name: "a backfill of the rows that have no value yet", code: "UPDATE users SET last_login = now() WHERE last_login IS NULL AND id < 1000;", context },
    { name: "a new value computed from the old one", code: "UPDATE users SET email = lower(email) WHERE email <> lower(email);", context },
    { name: "the old value copied first", code: "ALTER TABLE users ADD COLUMN previous_plan text;\nUPDATE users SET previous_plan = plan WHERE plan = 'legacy';\nUPDATE users SET plan = 'free' WHERE plan = 'legacy';", context },
    { name: "a column the model does not know held data", code: "UPDATE users SET tier = 'gold' WHERE id < 10;", context },
    { name: "a table created in the same migration", code: "CREATE TABLE users (id bigint, plan text);\nUPDATE users SET plan = 'free' WHERE id > 10;", context },
    { name: "every row: sql/update-all-rows says so", code: "UPDATE users SET plan = 'free';", context },
  ],
});

describe("sql/update-rows beside the rules it sits with", () => {
  it("is not reported beside sql/update-all-rows for the same statement", () => {
    expect(analyze("UPDATE users SET plan = 'free' WHERE true;", context).map((f) => f.rule)).toEqual(["sql/update-all-rows"]);
  });
});
