import type { RuleMeta } from "../../src/model/rule.js";

export const dropObject: RuleMeta = {
  id: "sql/drop-object",
  title: "Database object dropped",
  severity: "medium",
  category: "data-loss",
  cascadeSeverity: "critical",
  why:
    "Dropping a view, sequence, type, function, trigger or extension removes behaviour the application or " +
    "other objects may rely on: a lost sequence reuses ids, a dropped trigger silently stops auditing. With " +
    "CASCADE, PostgreSQL also drops every dependent object, including table columns of a dropped type.",
  safeAlternative:
    "Drop without CASCADE so that PostgreSQL refuses while something still depends on the object, check the " +
    "dependents explicitly, and remove them in their own reviewed steps.",
  docs: "docs/rules.md#sql-drop-object",
  examples: {
    fires: ["DROP VIEW active_users;", "DROP TYPE order_status CASCADE;", "DROP OWNED BY old_service CASCADE;"],
    passes: ["CREATE VIEW active_users AS SELECT * FROM users WHERE active;", "ALTER SEQUENCE orders_id_seq INCREMENT BY 1;"],
  },
};
