import type { RuleMeta } from "../../src/model/rule.js";

export const editedMigration: RuleMeta = {
  id: "sql/edited-migration",
  title: "Existing migration edited",
  severity: "high",
  category: "integrity",
  why:
    "A migration that was already applied is not run again, so editing, renaming or deleting it makes " +
    "environments disagree: new databases get the new version, existing ones keep the old. Tools that " +
    "checksum migrations (Flyway, Atlas) refuse to run at all.",
  safeAlternative:
    "Leave applied migrations as they are and add a new migration that makes the change. Edit an old " +
    "migration only when you know it has run nowhere.",
  docs: "docs/rules.md#sql-edited-migration",
  // Detected from the change set by the migration analyzer, not from SQL text, so the examples are prose.
  examples: {
    fires: ["db/migrate/20240101000000_create_users.rb modified after it was merged", "V3__add_orders.sql deleted"],
    passes: ["a new migration db/migrate/20260101000000_add_index.rb added"],
  },
};
