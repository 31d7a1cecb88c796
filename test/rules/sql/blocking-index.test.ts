import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/blocking-index", {
  fires: [
    { code: "CREATE INDEX users_email_idx ON users (email);", findings: [{ line: 1, object: "users", message: /without CONCURRENTLY/ }] },
    { code: "CREATE UNIQUE INDEX ON public.users\n  (lower(email));", findings: [{ line: 1, endLine: 2, object: "public.users", message: /unique index/ }] },
    { code: "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);", findings: [{ line: 1, object: "users", message: /unique constraint/ }] },
    { code: "ALTER TABLE users ADD PRIMARY KEY (id);", findings: [{ line: 1, object: "users", message: /primary key/ }] },
  ],
  passes: [
    "CREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
    "CREATE TABLE users (email text);\nCREATE INDEX users_email_idx ON users (email);",
    "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;",
    { name: "table created in an earlier section", code: "CREATE INDEX i ON t (a);", context: { createdTables: new Set(["t"]) } },
  ],
});
