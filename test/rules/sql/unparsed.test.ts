import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/unparsed", {
  fires: [
    { code: "DROP TABEL users;", findings: [{ line: 1, object: "DROP TABEL users" }] },
    { name: "only the bad statement", code: "SELECT 1;\nSELEC 2;\nSELECT 3;", findings: [{ line: 2, object: "SELEC 2" }] },
    { name: "MySQL syntax under PostgreSQL", code: "ALTER TABLE t MODIFY COLUMN c INT;", findings: [{ line: 1, object: "ALTER TABLE t MODIFY COLUMN c INT" }] },
    { name: "unterminated string", code: "SELECT 1;\nSELECT 'oops;\nDROP TABLE x;", findings: [{ line: 2, endLine: 3, object: "SELECT 'oops; DROP TABLE x;" }] },
    { name: "MySQL parser failure", code: "FROBNICATE everything;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "FROBNICATE everything" }] },
  ],
  passes: ["SELECT 1;", "", "-- only a comment\n", "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;"],
});
