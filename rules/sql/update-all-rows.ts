import type { RuleMeta } from "../../src/model/rule.js";

export const updateAllRows: RuleMeta = {
  id: "sql/update-all-rows",
  title: "UPDATE of every row",
  severity: "high",
  category: "data-loss",
  existingOnly: true,
  why:
    "An UPDATE without a WHERE clause, or with one that is always true, overwrites the column in every row; " +
    "the previous values are gone unless a backup has them. On a large table it also locks every row and " +
    "doubles its size until vacuum catches up.",
  safeAlternative:
    "Limit the UPDATE to the rows that need it (WHERE col IS NULL …) and backfill in batches from a script " +
    "or a background job rather than in the migration's transaction.",
  docs: "docs/rules.md#sql-update-all-rows",
  examples: {
    fires: ["UPDATE users SET email = lower(email);", "UPDATE users SET active = false WHERE 1 = 1;"],
    passes: ["UPDATE users SET email = lower(email) WHERE email <> lower(email);"],
  },
};
