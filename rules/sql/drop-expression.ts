import type { RuleMeta } from "../../src/model/rule.js";

export const dropExpression: RuleMeta = {
  id: "sql/drop-expression",
  title: "Generated column turned into a plain column",
  severity: "high",
  category: "integrity",
  why:
    "ALTER COLUMN … DROP EXPRESSION keeps the values computed so far but stops computing them: from then on " +
    "the column silently goes stale whenever the columns it was derived from change, and reports or " +
    "indexes built on it drift from the truth.",
  safeAlternative:
    "If the value must become writable, add a new plain column, backfill it, move readers and writers over, " +
    "and drop the generated column last. Otherwise keep the expression.",
  docs: "docs/rules.md#sql-drop-expression",
  examples: {
    fires: ["ALTER TABLE invoices ALTER COLUMN total DROP EXPRESSION;", "ALTER TABLE invoices ALTER COLUMN total DROP EXPRESSION IF EXISTS;"],
    passes: ["ALTER TABLE invoices ADD COLUMN total numeric GENERATED ALWAYS AS (net + tax) STORED;"],
  },
};
