import type { RuleMeta } from "../../src/model/rule.js";

export const countShrink: RuleMeta = {
  id: "tf/count-shrink",
  title: "Resource instances removed by count or for_each",
  severity: "high",
  category: "data-loss",
  why:
    "Lowering a literal `count` destroys the highest-numbered instances; removing a key from a literal `for_each` " +
    "destroys that instance. Switching between `count` and `for_each` changes every instance's address " +
    "(`x[0]` to `x[\"a\"]`), so without `moved` blocks Terraform destroys and re-creates all of them.",
  safeAlternative:
    "Keep the instances you still need. When switching between `count` and `for_each`, add one `moved` block " +
    "per instance (`moved { from = x[0] to = x[\"a\"] }`) and check that the plan shows only moves.",
  docs: "docs/rules.md#tf-count-shrink",
  examples: {
    fires: [
      {
        note: "count lowered from 3 to 2",
        base: { "infra/main.tf": 'resource "aws_instance" "web" {\n  count = 3\n}\n' },
        head: { "infra/main.tf": 'resource "aws_instance" "web" {\n  count = 2\n}\n' },
      },
      {
        note: "count switched to for_each",
        base: { "infra/db.tf": 'resource "google_sql_database_instance" "replicas" {\n  count = var.replica_count\n}\n' },
        head: { "infra/db.tf": 'resource "google_sql_database_instance" "replicas" {\n  for_each = var.replicas\n}\n' },
      },
    ],
    passes: [
      {
        note: "count raised",
        base: { "infra/main.tf": 'resource "aws_instance" "web" {\n  count = 2\n}\n' },
        head: { "infra/main.tf": 'resource "aws_instance" "web" {\n  count = 3\n}\n' },
      },
    ],
  },
};
