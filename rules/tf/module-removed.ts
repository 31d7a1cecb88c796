import type { RuleMeta } from "../../src/model/rule.js";

export const moduleRemoved: RuleMeta = {
  id: "tf/module-removed",
  title: "Terraform module call removed or re-pointed",
  severity: "high",
  category: "data-loss",
  why:
    "Every resource a module call manages is destroyed when the call is removed, when its `source` points at a " +
    "different module, or when its `count` or `for_each` shrinks. One line of HCL can delete a whole database " +
    "stack. Deleting a whole root module directory leaves its resources in state, or destroys them if CI runs it.",
  safeAlternative:
    "Rename module calls with `moved { from = module.old to = module.new }`. Change `source` only to the same " +
    "module at another location or version, and check the plan. Keep the instances you still need in `count` or " +
    "`for_each`.",
  docs: "docs/rules.md#tf-module-removed",
  examples: {
    fires: [
      {
        note: "the module call is deleted",
        base: { "infra/main.tf": 'module "database" {\n  source = "./modules/rds"\n}\n' },
        head: { "infra/main.tf": "" },
      },
      {
        note: "the source points at another module",
        base: { "infra/main.tf": 'module "database" {\n  source = "./modules/rds"\n}\n' },
        head: { "infra/main.tf": 'module "database" {\n  source = "./modules/aurora"\n}\n' },
      },
    ],
    passes: [
      {
        note: "renamed with moved",
        base: { "infra/main.tf": 'module "database" {\n  source = "./modules/rds"\n}\n' },
        head: { "infra/main.tf": 'module "db" {\n  source = "./modules/rds"\n}\n\nmoved {\n  from = module.database\n  to   = module.db\n}\n' },
      },
      {
        note: "a version bump of the same registry module",
        base: { "infra/main.tf": 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.1.0"\n}\n' },
        head: { "infra/main.tf": 'module "vpc" {\n  source  = "terraform-aws-modules/vpc/aws"\n  version = "5.2.0"\n}\n' },
      },
    ],
  },
};
