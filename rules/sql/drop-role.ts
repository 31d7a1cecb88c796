import type { RuleMeta } from "../../src/model/rule.js";

export const dropRole: RuleMeta = {
  id: "sql/drop-role",
  title: "Role dropped or privilege revoked",
  severity: "high",
  category: "security",
  // A REVOKE on a table created earlier in the same change takes away nothing that existed.
  existingOnly: true,
  why:
    "Dropping a role or revoking privileges cuts off whatever service logs in with that role or relies on " +
    "those grants, often with no error until it next runs a query. It also changes who may do what, which " +
    "deserves the same review as granting.",
  safeAlternative:
    "Find the role's users first (pg_stat_activity, connection configs), move them to a replacement role, " +
    "and revoke in a separate, announced step.",
  docs: "docs/rules.md#sql-drop-role",
  examples: {
    fires: ["DROP ROLE old_service;", "REVOKE ALL ON SCHEMA public FROM migrator;"],
    passes: ["CREATE ROLE reporting NOLOGIN;", "GRANT SELECT ON reports TO reporting;"],
  },
};
