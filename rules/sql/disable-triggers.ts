import type { RuleMeta } from "../../src/model/rule.js";

export const disableTriggers: RuleMeta = {
  id: "sql/disable-triggers",
  title: "Triggers disabled",
  severity: "high",
  category: "integrity",
  why:
    "Disabling triggers switches off audit logging, derived data and, with DISABLE TRIGGER ALL or " +
    "session_replication_role = replica, the internal triggers that enforce foreign keys. Rows written " +
    "meanwhile are never checked, and a forgotten ENABLE leaves the table unguarded.",
  safeAlternative:
    "Do the data change with the triggers on, in batches if it is large. If a trigger really must be off, " +
    "disable only that one trigger and re-enable it in the same transaction.",
  docs: "docs/rules.md#sql-disable-triggers",
  examples: {
    fires: ["ALTER TABLE payments DISABLE TRIGGER ALL;", "ALTER TABLE payments DISABLE TRIGGER audit_changes;", "SET session_replication_role = replica;"],
    passes: ["ALTER TABLE payments ENABLE TRIGGER audit_changes;"],
  },
};
