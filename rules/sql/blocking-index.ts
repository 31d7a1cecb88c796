import type { RuleMeta } from "../../src/model/rule.js";

export const blockingIndex: RuleMeta = {
  id: "sql/blocking-index",
  title: "Index built while blocking writes",
  severity: "medium",
  category: "lock",
  existingOnly: true,
  why:
    "CREATE INDEX without CONCURRENTLY (and adding a UNIQUE or PRIMARY KEY constraint) holds a lock that " +
    "blocks every INSERT, UPDATE and DELETE on the table until the index is built, which on a large table " +
    "can take minutes.",
  safeAlternative:
    "Use CREATE INDEX CONCURRENTLY outside a transaction (its own migration, with the framework's " +
    "no-transaction marker). For a constraint, build the unique index concurrently and then ADD CONSTRAINT … " +
    "USING INDEX.",
  docs: "docs/rules.md#sql-blocking-index",
  examples: {
    fires: ["CREATE INDEX users_email_idx ON users (email);", "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);"],
    passes: ["CREATE INDEX CONCURRENTLY users_email_idx ON users (email);", "CREATE TABLE users (email text);\nCREATE INDEX users_email_idx ON users (email);"],
  },
};
