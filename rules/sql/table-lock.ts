import type { RuleMeta } from "../../src/model/rule.js";

export const tableLock: RuleMeta = {
  id: "sql/table-lock",
  title: "Explicit table lock that blocks writes",
  severity: "medium",
  category: "lock",
  why:
    "LOCK TABLE in SHARE mode or stronger blocks every write to the table until the transaction ends, and " +
    "ACCESS EXCLUSIVE (the default mode) blocks reads too. Inside a migration's transaction the lock is held " +
    "through every later statement, and queries pile up behind it. REFRESH MATERIALIZED VIEW without " +
    "CONCURRENTLY holds the same kind of lock on the view while it recomputes.",
  safeAlternative:
    "Take the weakest lock that protects what the migration does, set lock_timeout so a busy table makes " +
    "the migration fail fast instead of queueing every query, and keep the transaction short. Refresh " +
    "materialized views CONCURRENTLY (it needs a unique index).",
  docs: "docs/rules.md#sql-table-lock",
  examples: {
    fires: ["LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE;", "LOCK accounts;", "REFRESH MATERIALIZED VIEW monthly_totals;"],
    passes: ["LOCK TABLE accounts IN ROW EXCLUSIVE MODE;", "REFRESH MATERIALIZED VIEW CONCURRENTLY monthly_totals;"],
  },
};
