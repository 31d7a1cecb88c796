import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-role", {
  fires: [
    { code: "DROP ROLE old_service;", findings: [{ line: 1, object: "old_service" }] },
    { code: "DROP USER IF EXISTS a, b;", findings: [{ line: 1, object: "a" }, { line: 1, object: "b" }] },
    { code: "REVOKE ALL ON SCHEMA public FROM migrator;", findings: [{ line: 1, object: "public", message: /migrator/ }] },
    { code: "REVOKE reporting FROM alice;", findings: [{ line: 1, object: "reporting" }] },
  ],
  passes: ["CREATE ROLE reporting NOLOGIN;", "GRANT SELECT ON reports TO reporting;"],
});
