import type { RuleMeta } from "../../src/model/rule.js";

export const rename: RuleMeta = {
  id: "sql/rename",
  title: "Table, column or schema renamed",
  severity: "high",
  category: "outage",
  existingOnly: true,
  why:
    "A rename takes effect at once, but the application version that is still running uses the old name " +
    "until the deploy finishes, so its queries fail in the meantime. Views, reports and other services that " +
    "use the name break as well.",
  safeAlternative:
    "Expand and contract: create the new name alongside the old one (a new column kept in sync, or a view " +
    "with the old name), move every reader and writer over, then remove the old name in a later migration.",
  docs: "docs/rules.md#sql-rename",
  examples: {
    fires: ["ALTER TABLE users RENAME TO accounts;", "ALTER TABLE users RENAME COLUMN email TO email_address;", "ALTER TABLE users SET SCHEMA archive;"],
    passes: ["ALTER INDEX users_email_idx RENAME TO users_email_key;", "ALTER TABLE users ADD COLUMN email_address text;"],
  },
};
