import type { PathOptions, SqlDialect } from "../analyzers/types.js";
import type { Policy } from "./schema.js";

/** What the analysis engine (src/analyze.ts) takes from the policy: extra path globs and the SQL dialect. */
export function analysisOptionsFromPolicy(policy: Policy): { paths: PathOptions; sqlDialect: SqlDialect } {
  return {
    paths: {
      sql: [...policy.paths.sql],
      terraform: [...policy.paths.terraform],
      kubernetes: [...policy.paths.kubernetes],
      exclude: [...policy.paths.exclude],
    },
    sqlDialect: policy.sql.dialect,
  };
}
