import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-index", {
  fires: [
    { code: "DROP INDEX users_email_idx;", findings: [{ line: 1, object: "users_email_idx", message: /without CONCURRENTLY/ }] },
    { code: "DROP INDEX CONCURRENTLY IF EXISTS public.users_email_idx;", findings: [{ line: 1, object: "public.users_email_idx", message: /concurrently/ }] },
    { code: "DROP INDEX users_email_idx CASCADE;", findings: [{ line: 1, object: "users_email_idx", severity: "high", message: /CASCADE/ }] },
  ],
  passes: ["CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", "REINDEX INDEX CONCURRENTLY users_email_idx;"],
});
