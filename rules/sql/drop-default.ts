import type { RuleMeta } from "../../src/model/rule.js";

export const dropDefault: RuleMeta = {
  id: "sql/drop-default",
  title: "Column default dropped",
  severity: "medium",
  category: "outage",
  why:
    "Dropping a column's DEFAULT changes every INSERT that leaves the column out: it now stores NULL, or " +
    "fails outright when the column is NOT NULL. Application versions still running that rely on the " +
    "default break as soon as the migration runs.",
  safeAlternative:
    "First deploy application code that always supplies the column, then drop the default in a later " +
    "migration. If only the value changes, SET DEFAULT the new value instead of dropping it.",
  docs: "docs/rules.md#sql-drop-default",
  examples: {
    fires: ["ALTER TABLE users ALTER COLUMN status DROP DEFAULT;", "ALTER DOMAIN order_status DROP DEFAULT;"],
    passes: ["ALTER TABLE users ALTER COLUMN status SET DEFAULT 'active';"],
  },
};
