import type { RuleMeta } from "../../src/model/rule.js";

export const ownerChange: RuleMeta = {
  id: "sql/owner-change",
  title: "Object ownership changed",
  severity: "medium",
  category: "security",
  why:
    "The owner of a table or function may alter or drop it, grant on it, and bypasses its row-level " +
    "security unless FORCE ROW LEVEL SECURITY is set. Handing an object to another role (ALTER … OWNER TO, " +
    "REASSIGN OWNED) changes who can do all of that, and the migration role may lose access it still needs.",
  safeAlternative:
    "Give ownership only to the role that runs migrations, and grant the application role the privileges " +
    "it needs instead. Review each ownership change with whoever manages database roles.",
  docs: "docs/rules.md#sql-owner-change",
  examples: {
    fires: ["ALTER TABLE payments OWNER TO reporting;", "ALTER FUNCTION refresh_totals() OWNER TO app;", "REASSIGN OWNED BY old_service TO postgres;"],
    passes: ["GRANT SELECT ON payments TO reporting;"],
  },
};
