import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/sequence-reset", {
  fires: [
    { code: "ALTER SEQUENCE orders_id_seq RESTART WITH 1;", findings: [{ line: 1, object: "orders_id_seq", message: /Restarts sequence orders_id_seq at 1/ }] },
    { code: "ALTER SEQUENCE orders_id_seq RESTART;", findings: [{ line: 1, object: "orders_id_seq" }] },
    { code: "ALTER SEQUENCE orders_id_seq INCREMENT BY 10 MAXVALUE 5000;", findings: [{ line: 1, object: "orders_id_seq", severity: "medium", message: /INCREMENT, MAXVALUE/ }] },
    { code: "ALTER TABLE orders ALTER COLUMN id RESTART WITH 100;", findings: [{ line: 1, object: "orders.id", message: /identity of orders\.id/ }] },
    { code: "SELECT setval('orders_id_seq', 1, false);", findings: [{ line: 1, object: "orders_id_seq", message: /setval/ }] },
    {
      name: "a realistic data fix that resets the counter after a reload",
      code: [
        "-- Reload reference data",
        "DELETE FROM countries WHERE code IS NULL;",
        "INSERT INTO countries (code, name) VALUES ('NL', 'Netherlands');",
        "ALTER SEQUENCE countries_id_seq",
        "  RESTART WITH 1;",
      ].join("\n"),
      findings: [{ line: 4, endLine: 5, object: "countries_id_seq" }],
    },
  ],
  passes: [
    "ALTER SEQUENCE orders_id_seq OWNED BY orders.id;",
    "ALTER SEQUENCE orders_id_seq CACHE 20;",
    "SELECT setval('orders_id_seq', (SELECT max(id) FROM orders));",
    "CREATE SEQUENCE invoice_seq START 1000;",
    "ALTER TABLE orders ALTER COLUMN id SET DEFAULT nextval('orders_id_seq');",
  ],
});
