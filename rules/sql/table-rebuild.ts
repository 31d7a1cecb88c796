import type { RuleMeta } from "../../src/model/rule.js";

export const tableRebuild: RuleMeta = {
  id: "sql/table-rebuild",
  title: "Table rebuilt by copy, with losses changegate cannot rule out",
  severity: "high",
  category: "data-loss",
  existingOnly: true,
  why:
    "SQLite (and the tools that generate its migrations) change a table by creating a new one, copying the " +
    "rows across, dropping the original and renaming the copy. The rows survive, but every column the copy " +
    "leaves out is gone, a filtered copy leaves rows behind, and indexes, triggers and foreign keys of the old " +
    "table go with it. When the table's previous definition is not in view, nobody can tell from the file alone " +
    "which columns were dropped.",
  safeAlternative:
    "Compare the copy's column list with the table's current definition (the schema dump, or `.schema` in " +
    "the sqlite3 shell) and check that every column that holds data is copied; recreate the indexes and " +
    "triggers after the rename; take a backup first. Prefer ALTER TABLE … ADD/DROP/RENAME COLUMN where the " +
    "database supports it.",
  docs: "docs/rules.md#sql-table-rebuild",
  examples: {
    fires: [
      'CREATE TABLE "new_User" ("id" INTEGER NOT NULL PRIMARY KEY, "email" TEXT NOT NULL);\nINSERT INTO "new_User" ("id", "email") SELECT "id", "email" FROM "User";\nDROP TABLE "User";\nALTER TABLE "new_User" RENAME TO "User";',
    ],
    passes: [
      "CREATE TABLE new_user (id INTEGER PRIMARY KEY, email TEXT);\nDROP TABLE user;\nALTER TABLE new_user RENAME TO user;",
      "CREATE TABLE user (id INTEGER PRIMARY KEY, email TEXT);\nCREATE TABLE new_user (id INTEGER PRIMARY KEY, email TEXT);\nINSERT INTO new_user (id, email) SELECT id, email FROM user;\nDROP TABLE user;\nALTER TABLE new_user RENAME TO user;",
    ],
  },
};
