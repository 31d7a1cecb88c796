import type { RuleMeta } from "../../src/model/rule.js";

export const dropConstraint: RuleMeta = {
  id: "sql/drop-constraint",
  title: "Constraint dropped",
  severity: "medium",
  category: "integrity",
  existingOnly: true,
  cascadeSeverity: "high",
  why:
    "Dropping a foreign key, unique, check or primary key constraint lets data in that the schema used to " +
    "refuse: orphans, duplicates, out-of-range values. Once such rows exist, putting the constraint back " +
    "fails until someone cleans them up.",
  safeAlternative:
    "Keep the constraint unless the rule it enforces is really gone. To change it, add the new constraint " +
    "NOT VALID, VALIDATE it, and only then drop the old one.",
  docs: "docs/rules.md#sql-drop-constraint",
  examples: {
    fires: ["ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;"],
    passes: ["ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;"],
  },
};
