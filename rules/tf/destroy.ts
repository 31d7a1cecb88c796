import type { RuleMeta } from "../../src/model/rule.js";

export const destroy: RuleMeta = {
  id: "tf/destroy",
  title: "Terraform resource destroyed",
  severity: "high",
  category: "data-loss",
  why:
    "Terraform destroys the real object when its block leaves the configuration, when its address is renamed " +
    "without a `moved` block, or when a plan says `delete`. For a database, bucket, disk or key that is the data " +
    "itself, and it is critical. A `removed` block with `lifecycle { destroy = false }` only forgets the object " +
    "(reported low): it keeps running, unmanaged.",
  safeAlternative:
    "To rename or move a block, add `moved { from = OLD to = NEW }`. To stop managing an object without deleting " +
    "it, replace the block with `removed { from = ADDRESS lifecycle { destroy = false } }`. To really delete it, " +
    "take a backup first and have the owner sign off.",
  docs: "docs/rules.md#tf-destroy",
  examples: {
    fires: [
      {
        note: "the database block is deleted",
        base: { "infra/main.tf": 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n' },
        head: { "infra/main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n' },
      },
      {
        note: "renamed without a moved block",
        base: { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n' },
        head: { "infra/main.tf": 'resource "aws_instance" "frontend" {\n  ami = "ami-1"\n}\n' },
      },
      {
        note: "a plan that deletes",
        base: {},
        head: {},
        inputs: [
          {
            kind: "terraform-plan",
            path: "plan.json",
            text: '{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main","change":{"actions":["delete"]}}]}',
          },
        ],
      },
    ],
    passes: [
      {
        note: "the block moves to another file",
        base: { "infra/main.tf": 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n', "infra/db.tf": "" },
        head: { "infra/main.tf": "", "infra/db.tf": 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n' },
      },
      {
        note: "renamed with a moved block",
        base: { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n' },
        head: {
          "infra/main.tf": 'resource "aws_instance" "frontend" {\n  ami = "ami-1"\n}\n\nmoved {\n  from = aws_instance.web\n  to   = aws_instance.frontend\n}\n',
        },
      },
    ],
  },
};
