import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-expression", {
  fires: [
    { code: "ALTER TABLE invoices ALTER COLUMN total DROP EXPRESSION;", findings: [{ line: 1, object: "invoices.total" }] },
    { code: "ALTER TABLE invoices ALTER COLUMN total DROP EXPRESSION IF EXISTS;", findings: [{ line: 1, object: "invoices.total" }] },
    {
      name: "a realistic migration making a computed column editable",
      code: ["ALTER TABLE billing.invoices", "  ALTER COLUMN total DROP EXPRESSION;", "UPDATE billing.invoices SET total = 0 WHERE total IS NULL;"].join("\n"),
      findings: [{ line: 1, endLine: 2, object: "billing.invoices.total" }],
    },
  ],
  passes: [
    "ALTER TABLE invoices ADD COLUMN total numeric GENERATED ALWAYS AS (net + tax) STORED;",
    { name: "a table created in the same migration", code: "CREATE TABLE t (a int, b int GENERATED ALWAYS AS (a * 2) STORED);\nALTER TABLE t ALTER COLUMN b DROP EXPRESSION;" },
  ],
});
