import type { PathOptions, SqlDialect } from "../analyzers/types.js";
import type { Policy } from "./schema.js";

/** What the analysis engine (src/analyze.ts) takes from the policy: extra path globs, the SQL dialect, Terraform plan requirements. */
export function analysisOptionsFromPolicy(policy: Policy): { paths: PathOptions; sqlDialect: SqlDialect; requireTerraformPlan: boolean } {
  return {
    paths: {
      sql: [...policy.paths.sql],
      terraform: [...policy.paths.terraform],
      terraform_plans: [...policy.paths.terraform_plans],
      kubernetes: [...policy.paths.kubernetes],
      exclude: [...policy.paths.exclude],
    },
    sqlDialect: policy.sql.dialect,
    requireTerraformPlan: policy.terraform.require_plan,
  };
}
