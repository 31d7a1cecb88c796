import type { RuleMeta } from "../../src/model/rule.js";

export const truncate: RuleMeta = {
  id: "sql/truncate",
  title: "Table truncated",
  severity: "critical",
  category: "data-loss",
  existingOnly: true,
  why:
    "TRUNCATE removes every row of the table instantly, takes an ACCESS EXCLUSIVE lock while doing it, and " +
    "with CASCADE empties every table that references it as well. It is not logged row by row, so there " +
    "is no partial undo.",
  safeAlternative:
    "Delete the rows you mean to remove with a bounded DELETE … WHERE in batches, or move old data to an " +
    "archive table first. Keep TRUNCATE for tables created in the same migration.",
  docs: "docs/rules.md#sql-truncate",
  examples: {
    fires: ["TRUNCATE TABLE audit_log;", "TRUNCATE orders RESTART IDENTITY CASCADE;"],
    passes: ["DELETE FROM audit_log WHERE created_at < now() - interval '90 days';"],
  },
};
