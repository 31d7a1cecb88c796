import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-schema", {
  fires: [
    { code: "DROP SCHEMA billing CASCADE;", findings: [{ line: 1, object: "billing", message: /CASCADE/ }] },
    { code: "SET lock_timeout = '2s';\nDROP SCHEMA IF EXISTS a, b;", findings: [{ line: 2, object: "a" }, { line: 2, object: "b" }] },
    { name: "MySQL schema", code: "DROP SCHEMA shop;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "shop" }] },
  ],
  passes: ["CREATE SCHEMA billing;", "ALTER SCHEMA billing OWNER TO app;", "SELECT 'DROP SCHEMA billing';"],
});
