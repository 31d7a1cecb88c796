import type { RuleMeta } from "../../src/model/rule.js";

export const validatingConstraint: RuleMeta = {
  id: "sql/validating-constraint",
  title: "Constraint validated while holding a lock",
  severity: "medium",
  category: "lock",
  existingOnly: true,
  why:
    "Adding a FOREIGN KEY or CHECK constraint without NOT VALID checks every existing row while holding a " +
    "lock that blocks writes (a foreign key also locks the referenced table). On a large table that is an " +
    "outage for as long as the scan takes.",
  safeAlternative:
    "Add the constraint with NOT VALID, which is instant and applies to new rows, then run ALTER TABLE … " +
    "VALIDATE CONSTRAINT in a separate transaction; validation does not block writes.",
  docs: "docs/rules.md#sql-validating-constraint",
  examples: {
    fires: ["ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);", "ALTER TABLE orders ADD CONSTRAINT amount_positive CHECK (amount > 0);"],
    passes: ["ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;", "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;"],
  },
};
