import type { RuleMeta } from "../../src/model/rule.js";

export const columnTypeChange: RuleMeta = {
  id: "sql/column-type-change",
  title: "Column type changed",
  severity: "high",
  category: "data-loss",
  existingOnly: true,
  why:
    "Changing a column's type usually rewrites the whole table under an ACCESS EXCLUSIVE lock, and a " +
    "narrowing type or a USING cast can truncate, round or reject existing values. Clients that expect the " +
    "old type may break too.",
  safeAlternative:
    "Add a new column of the new type, backfill it in batches, switch the application to it, then drop the " +
    "old column. Check first that every existing value survives the conversion.",
  docs: "docs/rules.md#sql-column-type-change",
  examples: {
    fires: ["ALTER TABLE users ALTER COLUMN bio TYPE varchar(50) USING left(bio, 50);", "ALTER TABLE products ALTER COLUMN price TYPE numeric(6,2);"],
    passes: ["ALTER TABLE users ALTER COLUMN bio SET DEFAULT '';"],
  },
};
