import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/merge-delete", {
  fires: [
    { code: "MERGE INTO customers c USING stale s ON c.id = s.id WHEN MATCHED THEN DELETE;", findings: [{ line: 1, object: "customers", message: /WHEN MATCHED/ }] },
    {
      code: "MERGE INTO prices p USING feed f ON p.sku = f.sku WHEN MATCHED THEN UPDATE SET amount = f.amount WHEN NOT MATCHED BY SOURCE THEN DELETE;",
      findings: [{ line: 1, object: "prices", message: /does not list/ }],
    },
    { code: "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED AND s.gone THEN DELETE;", findings: [{ line: 1, object: "t", message: /extra condition/ }] },
    {
      name: "a realistic sync from a staging table",
      code: [
        "WITH latest AS (SELECT * FROM staging.products)",
        "MERGE INTO catalog.products AS p",
        "USING latest AS l ON p.sku = l.sku",
        "WHEN MATCHED AND l.discontinued THEN DELETE",
        "WHEN MATCHED THEN UPDATE SET name = l.name",
        "WHEN NOT MATCHED THEN INSERT (sku, name) VALUES (l.sku, l.name);",
      ].join("\n"),
      findings: [{ line: 1, endLine: 6, object: "catalog.products" }],
    },
  ],
  passes: [
    "MERGE INTO prices p USING feed f ON p.sku = f.sku WHEN MATCHED THEN UPDATE SET amount = f.amount WHEN NOT MATCHED THEN INSERT (sku, amount) VALUES (f.sku, f.amount);",
    { name: "a table created in the same migration", code: "CREATE TABLE t (id int);\nMERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;" },
  ],
});
