import type { RuleMeta } from "../../src/model/rule.js";

export const dropDatabase: RuleMeta = {
  id: "sql/drop-database",
  title: "Database dropped",
  severity: "critical",
  category: "data-loss",
  why:
    "DROP DATABASE deletes every schema, table and row in the database at once and cannot be rolled back " +
    "or run inside a transaction. Only a backup brings the data back, and only up to the time it was taken.",
  safeAlternative:
    "Never drop a database from a migration. Decommission it by hand after taking and testing a final " +
    "backup, once nothing connects to it any more.",
  docs: "docs/rules.md#sql-drop-database",
  examples: {
    fires: ["DROP DATABASE analytics;", "DROP DATABASE IF EXISTS legacy_app WITH (FORCE);"],
    passes: ["CREATE DATABASE analytics;", "ALTER DATABASE analytics SET timezone TO 'UTC';"],
  },
};
