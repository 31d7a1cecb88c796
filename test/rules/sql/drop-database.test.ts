import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-database", {
  fires: [
    { code: "DROP DATABASE analytics;", findings: [{ line: 1, object: "analytics" }] },
    { code: "SELECT 1;\n\n-- gone\nDROP DATABASE IF EXISTS\n  legacy_app;", findings: [{ line: 4, endLine: 5, object: "legacy_app" }] },
    { name: "MySQL", code: "DROP DATABASE shop;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "shop" }] },
  ],
  passes: ["CREATE DATABASE analytics;", "ALTER DATABASE analytics SET timezone TO 'UTC';", "-- DROP DATABASE analytics;\nSELECT 1;"],
});
