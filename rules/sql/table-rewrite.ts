import type { RuleMeta } from "../../src/model/rule.js";

export const tableRewrite: RuleMeta = {
  id: "sql/table-rewrite",
  title: "Table rewritten under an exclusive lock",
  severity: "medium",
  category: "lock",
  existingOnly: true,
  why:
    "Some statements copy the whole table while holding an ACCESS EXCLUSIVE lock: a column with a volatile " +
    "default, VACUUM FULL, CLUSTER, SET UNLOGGED/LOGGED, SET TABLESPACE, a plain REINDEX. Nothing can read " +
    "or write the table until the copy finishes, and SET UNLOGGED also makes it lose its data on a crash " +
    "and on replicas.",
  safeAlternative:
    "Add the column without a default (or with a constant one), backfill in batches, then set the default. " +
    "Use REINDEX CONCURRENTLY, and pg_repack instead of VACUUM FULL or CLUSTER. Keep tables LOGGED.",
  docs: "docs/rules.md#sql-table-rewrite",
  examples: {
    fires: ["ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", "VACUUM FULL events;", "ALTER TABLE events SET UNLOGGED;", "REINDEX TABLE events;"],
    passes: ["ALTER TABLE users ADD COLUMN active boolean DEFAULT true;", "REINDEX TABLE CONCURRENTLY events;", "VACUUM ANALYZE events;"],
  },
};
