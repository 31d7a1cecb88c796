import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/owner-change", {
  fires: [
    { code: "ALTER TABLE payments OWNER TO reporting;", findings: [{ line: 1, object: "payments", message: /reporting/ }] },
    { code: "ALTER FUNCTION refresh_totals() OWNER TO app;", findings: [{ line: 1, object: "refresh_totals", message: /function/ }] },
    { code: "ALTER SCHEMA billing OWNER TO app;", findings: [{ line: 1, object: "billing" }] },
    { code: "ALTER MATERIALIZED VIEW totals OWNER TO app;", findings: [{ line: 1, object: "totals" }] },
    { code: "REASSIGN OWNED BY old_service TO postgres;", findings: [{ line: 1, object: "old_service" }] },
    {
      name: "a realistic Supabase migration handing a table to another role",
      code: ["CREATE TABLE public.profiles (id uuid PRIMARY KEY);", "ALTER TABLE public.profiles ENABLE ROW LEVEL SECURITY;", "ALTER TABLE public.profiles OWNER TO authenticated;"].join("\n"),
      findings: [{ line: 3, object: "public.profiles" }],
    },
  ],
  passes: ["GRANT SELECT ON payments TO reporting;", "ALTER TABLE payments ENABLE ROW LEVEL SECURITY;"],
});
