import type { RuleMeta } from "../../src/model/rule.js";

export const dropIndex: RuleMeta = {
  id: "sql/drop-index",
  title: "Index dropped",
  severity: "medium",
  category: "outage",
  existingOnly: true,
  cascadeSeverity: "high",
  why:
    "Queries that used the index fall back to scans, which can overload the database, and a dropped unique " +
    "index stops enforcing uniqueness. Without CONCURRENTLY the drop also waits for, and then blocks, every " +
    "query on the table.",
  safeAlternative:
    "Confirm the index is unused (pg_stat_user_indexes), use DROP INDEX CONCURRENTLY outside a transaction, " +
    "and keep the CREATE INDEX CONCURRENTLY statement ready to restore it.",
  docs: "docs/rules.md#sql-drop-index",
  examples: {
    fires: ["DROP INDEX users_email_idx;", "DROP INDEX CONCURRENTLY IF EXISTS users_email_idx;"],
    passes: ["CREATE INDEX CONCURRENTLY users_email_idx ON users (email);"],
  },
};
