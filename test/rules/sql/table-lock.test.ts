import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/table-lock", {
  fires: [
    { code: "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;", findings: [{ line: 1, object: "accounts", message: /every read and write/ }] },
    { code: "LOCK accounts;", findings: [{ line: 1, object: "accounts", message: /ACCESS EXCLUSIVE/ }] },
    { code: "LOCK TABLE accounts, ledger IN SHARE MODE;", findings: [{ line: 1, object: "accounts", message: /every write/ }, { line: 1, object: "ledger" }] },
    { code: "REFRESH MATERIALIZED VIEW monthly_totals;", findings: [{ line: 1, object: "monthly_totals" }] },
    {
      name: "a realistic backfill that locks the table for its duration",
      code: ["BEGIN;", "LOCK TABLE public.orders IN EXCLUSIVE MODE;", "UPDATE public.orders SET total = net + tax WHERE total IS NULL;", "COMMIT;"].join("\n"),
      findings: [{ line: 2, object: "public.orders" }],
    },
  ],
  passes: [
    "LOCK TABLE accounts IN ROW EXCLUSIVE MODE;",
    "LOCK TABLE accounts IN SHARE UPDATE EXCLUSIVE MODE;",
    "REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_totals;",
    { name: "a table created in the same migration", code: "CREATE TABLE t (id int);\nLOCK TABLE t;" },
  ],
});
