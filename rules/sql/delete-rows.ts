import type { RuleMeta } from "../../src/model/rule.js";

export const deleteRows: RuleMeta = {
  id: "sql/delete-rows",
  title: "DELETE of existing rows",
  severity: "medium",
  category: "data-loss",
  existingOnly: true,
  why:
    "A migration that deletes rows deletes them from production, where nobody has looked at which rows match: " +
    "the duplicates removed before a unique index is added, the orphans before a foreign key. The WHERE " +
    "clause was written against a development database, and the rows are gone once it runs (only a backup " +
    "brings them back).",
  safeAlternative:
    "Count the rows the WHERE clause matches in production first, keep a copy of them (INSERT INTO " +
    "…_deleted SELECT … with the same WHERE), delete in batches, and say in the pull request how many rows " +
    "and why.",
  docs: "docs/rules.md#sql-delete-rows",
  examples: {
    fires: ["DELETE FROM sessions WHERE expires_at < now();", "DELETE FROM users a USING users b WHERE a.id > b.id AND a.email = b.email;"],
    passes: ["DELETE FROM sessions;", "CREATE TABLE scratch (id int);\nDELETE FROM scratch WHERE id > 10;"],
  },
};
