import type { RuleMeta } from "../../src/model/rule.js";

export const unparsed: RuleMeta = {
  id: "sql/unparsed",
  title: "SQL that could not be parsed",
  severity: "high",
  category: "gate",
  why:
    "changegate could not parse this statement with the dialect's parser, so none of its rules could check " +
    "it. A keyword scan still looks for drops and unbounded DML, but anything subtler may be hidden, and a " +
    "statement the parser rejects may also fail when the migration runs. When every keyword of the statement " +
    "is one the keyword reading understands and none can drop, rewrite, revoke or delete (a CREATE TABLE or " +
    "CREATE INDEX, an ALTER TABLE that only adds nullable or defaulted columns, an INSERT, a SQLite PRAGMA " +
    "that only sets connection checks), it is reported at low; otherwise at high.",
  safeAlternative:
    "Read the statement yourself before signing off. If it is valid SQL, set the right `sql.dialect` in " +
    ".github/changegate.yml or report the parser gap.",
  docs: "docs/rules.md#sql-unparsed",
  examples: {
    fires: ["DROP TABEL users;", "SELECT FROM WHERE;"],
    passes: ["SELECT 1;"],
  },
};
