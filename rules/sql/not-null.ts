import type { RuleMeta } from "../../src/model/rule.js";

export const notNull: RuleMeta = {
  id: "sql/not-null",
  title: "NOT NULL added to an existing table",
  severity: "medium",
  category: "lock",
  existingOnly: true,
  why:
    "SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock and fails if any row is NULL. Adding " +
    "a NOT NULL column without a default fails on a non-empty table, and old application versions that " +
    "insert without the column start failing.",
  safeAlternative:
    "Add a CHECK (col IS NOT NULL) NOT VALID constraint, VALIDATE it in a separate step, then SET NOT NULL " +
    "(PostgreSQL 12+ uses the valid check and skips the scan). For new columns, add them nullable or with a " +
    "default, backfill, then tighten.",
  docs: "docs/rules.md#sql-not-null",
  examples: {
    fires: ["ALTER TABLE users ALTER COLUMN email SET NOT NULL;", "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;"],
    passes: [
      "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;",
      "ALTER TABLE users ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID;",
      "BEGIN;\nALTER TABLE users ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID;\nCOMMIT;\nALTER TABLE users VALIDATE CONSTRAINT email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    ],
  },
};
