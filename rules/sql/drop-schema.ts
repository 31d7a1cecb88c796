import type { RuleMeta } from "../../src/model/rule.js";

export const dropSchema: RuleMeta = {
  id: "sql/drop-schema",
  title: "Schema dropped",
  severity: "critical",
  category: "data-loss",
  why:
    "DROP SCHEMA removes the schema, and with CASCADE every table, view, function and type inside it, " +
    "whether or not this migration created them. One statement can delete a whole application's data.",
  safeAlternative:
    "Drop the objects one by one in separate, reviewed migrations after confirming they are unused, or " +
    "rename the schema first and drop it in a later release once nothing has missed it.",
  docs: "docs/rules.md#sql-drop-schema",
  examples: {
    fires: ["DROP SCHEMA billing CASCADE;", "DROP SCHEMA IF EXISTS staging;"],
    passes: ["CREATE SCHEMA billing;", "ALTER SCHEMA billing OWNER TO app;"],
  },
};
