import { cutBlock, lineOf, rdsModule, runTfRuleTests } from "./tf-rule-tester.js";

const base = rdsModule();
const main = base["infra/rds/main.tf"]!;
const dbCut = cutBlock(main, 'resource "aws_db_instance" "this"');
const roleCut = cutBlock(main, 'resource "aws_iam_role" "enhanced_monitoring"');
const renamedRole = main.replace('resource "aws_iam_role" "enhanced_monitoring"', 'resource "aws_iam_role" "monitoring"');

const plan = (change: object) => JSON.stringify({ format_version: "1.2", resource_changes: [change] });

runTfRuleTests("tf/destroy", {
  fires: [
    {
      name: "the RDS instance block is deleted from a four-file module",
      base,
      head: { ...base, "infra/rds/main.tf": dbCut.rest },
      findings: [{ file: "infra/rds/main.tf", line: lineOf(main, 'resource "aws_db_instance" "this"'), object: "aws_db_instance.this", severity: "critical", side: "base" }],
    },
    {
      name: "an IAM role renamed without a moved block",
      base,
      head: { ...base, "infra/rds/main.tf": renamedRole },
      findings: [
        {
          file: "infra/rds/main.tf",
          line: lineOf(main, 'resource "aws_iam_role" "enhanced_monitoring"'),
          object: "aws_iam_role.enhanced_monitoring",
          side: "base",
          message: /Renames .* to aws_iam_role\.monitoring without a moved block/,
        },
      ],
    },
    {
      name: "a removed block that destroys",
      base: { "infra/main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n' },
      head: { "infra/main.tf": "removed {\n  from = aws_s3_bucket.logs\n}\n" },
      findings: [{ file: "infra/main.tf", line: 1, object: "aws_s3_bucket.logs", severity: "critical", message: /does not set lifecycle/ }],
    },
    {
      name: "removed with destroy = false is a forget, reported low",
      base: { "infra/main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n' },
      head: { "infra/main.tf": "# keep the bucket\nremoved {\n  from = aws_s3_bucket.logs\n\n  lifecycle {\n    destroy = false\n  }\n}\n" },
      findings: [{ file: "infra/main.tf", line: 2, object: "aws_s3_bucket.logs", severity: "low", message: /without destroying it/ }],
    },
    {
      name: "a resource removed from a .tf.json file",
      base: { "infra/main.tf.json": JSON.stringify({ resource: { aws_instance: { web: { ami: "ami-1" } } } }, null, 2) },
      head: { "infra/main.tf.json": JSON.stringify({ resource: {} }, null, 2) },
      findings: [{ file: "infra/main.tf.json", line: 4, object: "aws_instance.web", side: "base" }],
    },
    {
      name: "an HCL 0.11 resource removed",
      base: { "infra/main.tf": 'resource "aws_instance" "web" {\n  count = "${var.create ? 1 : 0}"\n  tags {\n    Name = "web"\n  }\n}\n' },
      head: { "infra/main.tf": 'variable "create" {\n  type = "string"\n}\n' },
      findings: [{ file: "infra/main.tf", line: 1, object: "aws_instance.web", side: "base" }],
    },
    {
      name: "an OpenTofu .tofu file",
      base: { "infra/db.tofu": 'resource "aws_dynamodb_table" "orders" {\n  name = "orders"\n}\n' },
      head: { "infra/db.tofu": "" },
      findings: [{ file: "infra/db.tofu", line: 1, object: "aws_dynamodb_table.orders", severity: "critical", side: "base" }],
    },
    {
      name: "a plan deletes a database (critical)",
      base: {},
      head: {},
      plans: [{ path: "plan.json", text: plan({ address: "module.db.aws_db_instance.this[0]", module_address: "module.db", mode: "managed", type: "aws_db_instance", name: "this", index: 0, change: { actions: ["delete"] }, action_reason: "delete_because_no_module" }) }],
      findings: [{ file: "plan.json", line: 1, object: "module.db.aws_db_instance.this[0]", severity: "critical", message: /module call is no longer in the configuration/ }],
    },
    {
      name: "a plan forgets an object (low)",
      base: {},
      head: {},
      plans: [{ path: "plan.json", text: plan({ address: "aws_s3_bucket.logs", mode: "managed", type: "aws_s3_bucket", name: "logs", change: { actions: ["forget"] } }) }],
      findings: [{ file: "plan.json", line: 1, object: "aws_s3_bucket.logs", severity: "low", message: /forget/ }],
    },
    {
      name: "a plan deletes a deposed object (low)",
      base: {},
      head: {},
      plans: [{ path: "plan.json", text: plan({ address: "aws_instance.web", mode: "managed", type: "aws_instance", name: "web", deposed: "a1b2c3d4", change: { actions: ["delete"] } }) }],
      findings: [{ file: "plan.json", line: 1, object: "aws_instance.web (deposed a1b2c3d4)", severity: "low" }],
    },
    {
      name: "a text plan",
      base: {},
      head: {},
      plans: [
        {
          path: "plan.txt",
          text: "Terraform will perform the following actions:\n\n  # aws_db_instance.main will be destroyed\n  # (because aws_db_instance.main is not in configuration)\n  - resource \"aws_db_instance\" \"main\" {\n    }\n\nPlan: 0 to add, 0 to change, 1 to destroy.\n",
        },
      ],
      findings: [{ file: "plan.txt", line: 3, object: "aws_db_instance.main", severity: "critical", message: /not in configuration/ }],
    },
  ],
  passes: [
    {
      name: "an override file is deleted: its blocks were merged into resources that stay",
      base: { "infra/db.tf": 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n', "infra/db_override.tf": 'resource "aws_db_instance" "main" {\n  instance_class = "db.r6g.large"\n}\n' },
      head: { "infra/db.tf": 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n' },
    },
    {
      name: "the RDS instance block moves to a new file of the same module",
      base,
      head: { ...base, "infra/rds/main.tf": dbCut.rest, "infra/rds/database.tf": `${dbCut.block}\n` },
    },
    {
      name: "renamed with a moved block in another file",
      base,
      head: { ...base, "infra/rds/main.tf": renamedRole, "infra/rds/moved.tf": "moved {\n  from = aws_iam_role.enhanced_monitoring\n  to   = aws_iam_role.monitoring\n}\n" },
    },
    {
      name: "moved into a child module",
      base: { "infra/main.tf": 'resource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n' },
      head: { "infra/main.tf": 'module "db" {\n  source = "./db"\n}\n\nmoved {\n  from = aws_db_instance.main\n  to   = module.db.aws_db_instance.main\n}\n' },
    },
    { name: "new resources only", base, head: { ...base, "infra/rds/extra.tf": 'resource "aws_sns_topic" "alerts" {\n  name = "rds-alerts"\n}\n' } },
    { name: "tags only", base, head: { ...base, "infra/rds/main.tf": main.replace("tags = merge(var.tags, var.db_instance_tags)", 'tags = merge(var.tags, { team = "data" })') } },
    { name: "variables only", base, head: { ...base, "infra/rds/variables.tf": `${base["infra/rds/variables.tf"]!}\nvariable "extra" {\n  type    = string\n  default = ""\n}\n` } },
    { name: "a data source removed", base, head: { ...base, "infra/rds/main.tf": main.replace('data "aws_partition" "current" {}', "") } },
    { name: "a block moved to the end of the same file", base, head: { ...base, "infra/rds/main.tf": `${roleCut.rest}\n${roleCut.block}\n` } },
    {
      name: "a plan that only moves",
      base: {},
      head: {},
      plans: [{ path: "plan.json", text: plan({ address: "aws_instance.b", previous_address: "aws_instance.a", mode: "managed", type: "aws_instance", name: "b", change: { actions: ["no-op"] } }) }],
    },
  ],
});
