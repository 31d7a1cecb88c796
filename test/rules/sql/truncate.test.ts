import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/truncate", {
  fires: [
    { code: "TRUNCATE TABLE audit_log;", findings: [{ line: 1, object: "audit_log" }] },
    { code: "TRUNCATE orders, public.items RESTART IDENTITY CASCADE;", findings: [{ line: 1, object: "orders", message: /CASCADE/ }, { line: 1, object: "public.items" }] },
    { name: "MySQL", code: "TRUNCATE TABLE audit_log;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "audit_log" }] },
  ],
  passes: ["DELETE FROM audit_log WHERE created_at < now() - interval '90 days';", "CREATE TABLE staging (id int);\nTRUNCATE staging;"],
});
