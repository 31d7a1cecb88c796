import type { RuleMeta } from "../../src/model/rule.js";

export const deleteAllRows: RuleMeta = {
  id: "sql/delete-all-rows",
  title: "DELETE of every row",
  severity: "critical",
  category: "data-loss",
  existingOnly: true,
  why:
    "A DELETE without a WHERE clause, or with one that is always true, empties the table. In a migration it " +
    "runs against production data, usually in one long transaction that also bloats the table.",
  safeAlternative:
    "Add a WHERE clause that selects exactly the rows to remove, check the count first, and delete in " +
    "batches. If the table really must be emptied, say so in the pull request and have it signed off.",
  docs: "docs/rules.md#sql-delete-all-rows",
  examples: {
    fires: ["DELETE FROM users;", "DELETE FROM sessions WHERE 1 = 1;", "DELETE FROM sessions WHERE true;"],
    passes: ["DELETE FROM sessions WHERE expires_at < now();"],
  },
};
