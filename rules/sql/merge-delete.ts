import type { RuleMeta } from "../../src/model/rule.js";

export const mergeDelete: RuleMeta = {
  id: "sql/merge-delete",
  title: "MERGE that deletes rows",
  severity: "high",
  category: "data-loss",
  why:
    "MERGE … WHEN MATCHED THEN DELETE deletes every row of the target that the join finds in the source, and " +
    "WHEN NOT MATCHED BY SOURCE THEN DELETE deletes every row the source does not list: an empty or " +
    "incomplete source table empties the target. How many rows go depends on data the review cannot see.",
  safeAlternative:
    "Delete in a separate, bounded DELETE … WHERE with a count checked beforehand, or copy the rows to an " +
    "archive table before the MERGE runs.",
  docs: "docs/rules.md#sql-merge-delete",
  examples: {
    fires: [
      "MERGE INTO customers c USING stale s ON c.id = s.id WHEN MATCHED THEN DELETE;",
      "MERGE INTO prices p USING feed f ON p.sku = f.sku WHEN MATCHED THEN UPDATE SET amount = f.amount WHEN NOT MATCHED BY SOURCE THEN DELETE;",
    ],
    passes: ["MERGE INTO prices p USING feed f ON p.sku = f.sku WHEN MATCHED THEN UPDATE SET amount = f.amount WHEN NOT MATCHED THEN INSERT (sku, amount) VALUES (f.sku, f.amount);"],
  },
};
