import type { RuleMeta } from "../../src/model/rule.js";

export const dropTable: RuleMeta = {
  id: "sql/drop-table",
  title: "Table dropped",
  severity: "critical",
  category: "data-loss",
  existingOnly: true,
  why:
    "Dropping a table deletes all of its rows, and with CASCADE the views and foreign keys that depend on " +
    "it. Application code that still reads or writes the table fails as soon as the migration runs.",
  safeAlternative:
    "Stop using the table in the application first and deploy that. Then rename it (or revoke access) and " +
    "drop it in a later migration, after a backup, once nothing has complained.",
  docs: "docs/rules.md#sql-drop-table",
  examples: {
    fires: ["DROP TABLE users;", "DROP TABLE IF EXISTS public.orders CASCADE;"],
    passes: ["CREATE TABLE tmp_import (id bigint);\nDROP TABLE tmp_import;", "CREATE TABLE users (id bigint PRIMARY KEY);"],
  },
};
