import type { RuleMeta } from "../../src/model/rule.js";

export const protectionRemoved: RuleMeta = {
  id: "tf/protection-removed",
  title: "Deletion protection lowered",
  severity: "high",
  category: "data-loss",
  why:
    "`lifecycle { prevent_destroy = true }`, `deletion_protection` and their kin are the last line between a bad " +
    "plan and a deleted database. Turning one off, removing it where the provider's default is unprotected, or " +
    "setting `force_destroy` / `skip_final_snapshot` to true makes the next destroy silent and unrecoverable.",
  safeAlternative:
    "Keep the protection on. Lower it only in the pull request that really deletes the object, after a backup, " +
    "and turn it back on for everything else.",
  docs: "docs/rules.md#tf-protection-removed",
  examples: {
    fires: [
      {
        note: "deletion_protection true to false",
        base: { "infra/db.tf": 'resource "aws_db_instance" "main" {\n  deletion_protection = true\n}\n' },
        head: { "infra/db.tf": 'resource "aws_db_instance" "main" {\n  deletion_protection = false\n}\n' },
      },
      {
        note: "prevent_destroy removed",
        base: { "infra/db.tf": 'resource "aws_s3_bucket" "data" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n' },
        head: { "infra/db.tf": 'resource "aws_s3_bucket" "data" {\n}\n' },
      },
    ],
    passes: [
      {
        note: "a comment mentions prevent_destroy; the tags change",
        base: { "infra/db.tf": 'resource "aws_s3_bucket" "data" {\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n' },
        head: {
          "infra/db.tf": 'resource "aws_s3_bucket" "data" {\n  # prevent_destroy stays on\n  tags = { team = "data" }\n  lifecycle {\n    prevent_destroy = true\n  }\n}\n',
        },
      },
    ],
  },
};
