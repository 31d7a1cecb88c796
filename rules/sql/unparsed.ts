import type { RuleMeta } from "../../src/model/rule.js";

export const unparsed: RuleMeta = {
  id: "sql/unparsed",
  title: "SQL that could not be parsed",
  severity: "high",
  category: "gate",
  why:
    "changegate could not parse this statement with the dialect's parser, so none of its rules could check " +
    "it. A keyword scan still looks for drops and unbounded DML, but anything subtler may be hidden, and a " +
    "statement the parser rejects may also fail when the migration runs.",
  safeAlternative:
    "Read the statement yourself before signing off. If it is valid SQL, set the right `sql.dialect` in " +
    ".github/changegate.yml or report the parser gap.",
  docs: "docs/rules.md#sql-unparsed",
  examples: {
    fires: ["DROP TABEL users;", "SELECT FROM WHERE;"],
    passes: ["SELECT 1;"],
  },
};
