import type { RuleMeta } from "../../src/model/rule.js";

export const identityChange: RuleMeta = {
  id: "sql/identity-change",
  title: "Identity column dropped or changed",
  severity: "high",
  category: "integrity",
  why:
    "DROP IDENTITY removes the column's sequence: every INSERT that relies on the database to pick the id " +
    "now fails or stores NULL. Turning an existing column into an identity, or switching it between " +
    "GENERATED ALWAYS and BY DEFAULT, changes which INSERTs are accepted: code that supplies its own ids " +
    "starts failing.",
  safeAlternative:
    "Keep the identity until no code inserts without an id, then drop it in its own reviewed migration. " +
    "Before switching to GENERATED ALWAYS, find every INSERT that supplies the column (or use OVERRIDING SYSTEM VALUE).",
  docs: "docs/rules.md#sql-identity-change",
  examples: {
    fires: ["ALTER TABLE orders ALTER COLUMN id DROP IDENTITY;", "ALTER TABLE orders ALTER COLUMN id SET GENERATED ALWAYS;"],
    passes: ["CREATE TABLE orders (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);"],
  },
};
