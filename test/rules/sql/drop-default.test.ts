import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-default", {
  fires: [
    { code: "ALTER TABLE users ALTER COLUMN status DROP DEFAULT;", findings: [{ line: 1, object: "users.status" }] },
    { code: "ALTER TABLE ONLY public.users ALTER status DROP DEFAULT;", findings: [{ line: 1, object: "public.users.status" }] },
    { code: "ALTER DOMAIN order_status DROP DEFAULT;", findings: [{ line: 1, object: "order_status" }] },
    {
      name: "a realistic Rails structure change",
      code: ["ALTER TABLE accounts", "  ALTER COLUMN plan DROP DEFAULT,", "  ALTER COLUMN plan SET NOT NULL;"].join("\n"),
      findings: [{ line: 1, endLine: 3, object: "accounts.plan" }],
    },
  ],
  passes: [
    "ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';",
    "ALTER DOMAIN order_status SET DEFAULT 'new';",
    { name: "a table created in the same migration", code: "CREATE TABLE t (a int DEFAULT 1);\nALTER TABLE t ALTER COLUMN a DROP DEFAULT;" },
  ],
});
