import type { RuleMeta } from "../../src/model/rule.js";

const USERS = "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email text NOT NULL,\n  plan text NOT NULL DEFAULT 'free',\n  last_login timestamptz\n);\n";

export const updateRows: RuleMeta = {
  id: "sql/update-rows",
  title: "UPDATE overwrites values existing rows held",
  severity: "medium",
  category: "data-loss",
  existingOnly: true,
  why:
    "An UPDATE in a migration overwrites a column of production rows, and once it commits the values it " +
    "replaced are gone: nothing but a backup brings them back. The WHERE clause was tried on a development " +
    "database; in production it matches rows nobody looked at, and the review sees only the statement.",
  safeAlternative:
    "Keep the old values first (copy the column, or the matching rows into a backup table, with the same " +
    "WHERE), or write the new values into a new column and switch to it; count the rows the WHERE matches in " +
    "production and say how many in the pull request.",
  docs: "docs/rules.md#sql-update-rows",
  examples: {
    fires: [
      {
        note: "plans of users who have not logged in since 2022 are overwritten",
        base: { "db/migrations/0001_users.sql": USERS },
        head: { "db/migrations/0001_users.sql": USERS, "db/migrations/0002_downgrade.sql": "UPDATE users SET plan = 'free' WHERE last_login < '2022-01-01';\n" },
      },
    ],
    passes: [
      {
        note: "a backfill of the rows that have no value yet loses nothing",
        base: { "db/migrations/0001_users.sql": USERS },
        head: { "db/migrations/0001_users.sql": USERS, "db/migrations/0002_backfill.sql": "UPDATE users SET last_login = now() WHERE last_login IS NULL AND id < 1000;\n" },
      },
    ],
  },
};
