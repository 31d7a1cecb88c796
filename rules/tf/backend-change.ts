import type { RuleMeta } from "../../src/model/rule.js";

export const backendChange: RuleMeta = {
  id: "tf/backend-change",
  title: "Terraform state backend changed",
  severity: "high",
  category: "data-loss",
  why:
    "The backend (`terraform { backend … }` or `cloud {}`) says where the state lives. Pointing it at another " +
    "bucket, key, prefix or workspace makes Terraform see an empty state: the next apply re-creates everything " +
    "and orphans the real objects, or a migration overwrites the state somebody else uses.",
  safeAlternative:
    "Migrate state deliberately (`terraform init -migrate-state`) in a change of its own, with the state owner, " +
    "and check that the next plan shows no changes.",
  docs: "docs/rules.md#tf-backend-change",
  examples: {
    fires: [
      {
        note: "the state key changes",
        base: { "infra/backend.tf": 'terraform {\n  backend "s3" {\n    bucket = "acme-state"\n    key    = "prod/app.tfstate"\n  }\n}\n' },
        head: { "infra/backend.tf": 'terraform {\n  backend "s3" {\n    bucket = "acme-state"\n    key    = "app.tfstate"\n  }\n}\n' },
      },
    ],
    passes: [
      {
        note: "required_version changes, the backend does not",
        base: { "infra/backend.tf": 'terraform {\n  required_version = ">= 1.5"\n  backend "s3" {\n    bucket = "acme-state"\n  }\n}\n' },
        head: { "infra/backend.tf": 'terraform {\n  required_version = ">= 1.6"\n  backend "s3" {\n    bucket = "acme-state"\n  }\n}\n' },
      },
    ],
  },
};
