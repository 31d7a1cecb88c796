import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/rename", {
  fires: [
    { code: "ALTER TABLE users RENAME TO accounts;", findings: [{ line: 1, object: "users" }] },
    { code: "ALTER TABLE public.users RENAME COLUMN email TO email_address;", findings: [{ line: 1, object: "public.users.email" }] },
    { code: "ALTER SCHEMA app RENAME TO app_v2;", findings: [{ line: 1, object: "app" }] },
    { code: "ALTER TABLE users SET SCHEMA archive;", findings: [{ line: 1, object: "users", message: /archive/ }] },
    { code: "ALTER TYPE status RENAME VALUE 'active' TO 'enabled';", findings: [{ line: 1, object: "status" }] },
    { name: "MySQL RENAME TABLE", code: "RENAME TABLE a TO b;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "a" }] },
    { name: "MySQL RENAME COLUMN", code: "ALTER TABLE t RENAME COLUMN a TO b;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "t.a" }] },
  ],
  passes: [
    "ALTER INDEX users_email_idx RENAME TO users_email_key;",
    "ALTER TABLE users ADD COLUMN email_address text;",
    "CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;",
  ],
});
