import type { RuleMeta } from "../../src/model/rule.js";

export const dropColumn: RuleMeta = {
  id: "sql/drop-column",
  title: "Column dropped",
  severity: "high",
  category: "data-loss",
  existingOnly: true,
  cascadeSeverity: "critical",
  why:
    "Dropping a column deletes its values in every row, and the running application version still selects " +
    "or inserts it until the next deploy finishes. A drop followed by an add on the same table is often an " +
    "ORM's idea of a rename, which loses the data.",
  safeAlternative:
    "Expand and contract: stop reading and writing the column in the code (Rails `ignored_columns`, Django " +
    "`SeparateDatabaseAndState`), deploy, then drop it in a later migration. For a rename, add the new " +
    "column, copy the data, switch readers, then drop the old one.",
  docs: "docs/rules.md#sql-drop-column",
  examples: {
    fires: ["ALTER TABLE customers DROP COLUMN ssn;", "ALTER TABLE \"User\" DROP COLUMN \"fullName\";\nALTER TABLE \"User\" ADD COLUMN \"full_name\" TEXT;"],
    passes: ["ALTER TABLE customers ADD COLUMN nickname text;"],
  },
};
