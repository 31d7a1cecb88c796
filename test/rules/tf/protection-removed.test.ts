import { lineOf, rdsModule, runTfRuleTests } from "./tf-rule-tester.js";

const base = rdsModule();
const main = base["infra/rds/main.tf"]!;
const literal = main.replace("deletion_protection      = var.deletion_protection", "deletion_protection      = true");
const db = (body: string) => `resource "aws_db_instance" "main" {\n  engine = "postgres"\n${body}}\n`;
const update = (type: string, before: object, after: object) =>
  JSON.stringify({ format_version: "1.2", resource_changes: [{ address: `${type}.x`, mode: "managed", type, name: "x", change: { actions: ["update"], before, after } }] });

runTfRuleTests("tf/protection-removed", {
  fires: [
    {
      name: "an override file turns deletion_protection off (it merges into the resource, whose own file is unchanged)",
      base: { "infra/db.tf": db("  deletion_protection = true\n") },
      head: { "infra/db.tf": db("  deletion_protection = true\n"), "infra/db_override.tf": 'resource "aws_db_instance" "main" {\n  deletion_protection = false\n}\n' },
      findings: [{ file: "infra/db_override.tf", line: 2, object: "aws_db_instance.main", message: /true → false/ }],
    },
    {
      name: "an override file's lifecycle drops prevent_destroy, argument by argument",
      base: { "infra/db.tf": db("  lifecycle {\n    prevent_destroy = true\n    ignore_changes  = [tags]\n  }\n") },
      head: { "infra/db.tf": db("  lifecycle {\n    prevent_destroy = true\n    ignore_changes  = [tags]\n  }\n"), "infra/override.tf": 'resource "aws_db_instance" "main" {\n  lifecycle {\n    prevent_destroy = false\n  }\n}\n' },
      findings: [{ file: "infra/override.tf", line: 3, object: "aws_db_instance.main" }],
    },
    {
      name: "deletion_protection true to false in the RDS module",
      base: { ...base, "infra/rds/main.tf": literal },
      head: { ...base, "infra/rds/main.tf": literal.replace("deletion_protection      = true", "deletion_protection      = false") },
      findings: [{ file: "infra/rds/main.tf", line: lineOf(main, "deletion_protection      = var.deletion_protection"), object: "aws_db_instance.this" }],
    },
    {
      name: "deletion_protection removed (the AWS default is off)",
      base: { "infra/db.tf": db("  deletion_protection = true\n") },
      head: { "infra/db.tf": db("") },
      findings: [{ file: "infra/db.tf", line: 3, object: "aws_db_instance.main", side: "base", message: /true → removed/ }],
    },
    {
      name: "prevent_destroy set to false",
      base: { "infra/db.tf": db("  lifecycle {\n    prevent_destroy = true\n  }\n") },
      head: { "infra/db.tf": db("  lifecycle {\n    prevent_destroy = false\n  }\n") },
      findings: [{ file: "infra/db.tf", line: 4, object: "aws_db_instance.main", message: /prevent_destroy/ }],
    },
    {
      name: "skip_final_snapshot to true and the snapshot name removed",
      base: { "infra/db.tf": db('  skip_final_snapshot       = false\n  final_snapshot_identifier = "main-final"\n') },
      head: { "infra/db.tf": db("  skip_final_snapshot = true\n") },
      findings: [
        { file: "infra/db.tf", line: 3, object: "aws_db_instance.main", message: /skip_final_snapshot/ },
        { file: "infra/db.tf", line: 4, object: "aws_db_instance.main", side: "base", message: /final_snapshot_identifier/ },
      ],
    },
    {
      name: "force_destroy added to a bucket",
      base: { "infra/s3.tf": 'resource "aws_s3_bucket" "data" {\n  bucket = "data"\n}\n' },
      head: { "infra/s3.tf": 'resource "aws_s3_bucket" "data" {\n  bucket        = "data"\n  force_destroy = true\n}\n' },
      findings: [{ file: "infra/s3.tf", line: 3, object: "aws_s3_bucket.data" }],
    },
    {
      name: "a module call's deletion_protection argument",
      base: { "envs/prod/main.tf": 'module "db" {\n  source              = "../../modules/db"\n  deletion_protection = true\n}\n' },
      head: { "envs/prod/main.tf": 'module "db" {\n  source              = "../../modules/db"\n  deletion_protection = false\n}\n' },
      findings: [{ file: "envs/prod/main.tf", line: 3, object: "module.db" }],
    },
    {
      name: "a plan update turns deletion protection off",
      base: {},
      head: {},
      plans: [{ path: "plan.json", text: update("aws_rds_cluster", { deletion_protection: true, engine: "aurora" }, { deletion_protection: false, engine: "aurora" }) }],
      findings: [{ file: "plan.json", line: 1, object: "aws_rds_cluster.x" }],
    },
    {
      name: "a nested flag (point_in_time_recovery.enabled)",
      base: { "infra/t.tf": 'resource "aws_dynamodb_table" "t" {\n  point_in_time_recovery {\n    enabled = true\n  }\n}\n' },
      head: { "infra/t.tf": 'resource "aws_dynamodb_table" "t" {\n  point_in_time_recovery {\n    enabled = false\n  }\n}\n' },
      findings: [{ file: "infra/t.tf", line: 3, object: "aws_dynamodb_table.t" }],
    },
  ],
  passes: [
    {
      name: "an override file sets an unrelated argument; protection stays on",
      base: { "infra/db.tf": db("  deletion_protection = true\n") },
      head: { "infra/db.tf": db("  deletion_protection = true\n"), "infra/db_override.tf": 'resource "aws_db_instance" "main" {\n  instance_class = "db.r6g.large"\n}\n' },
    },
    { name: "the RDS module unchanged but for a variable", base, head: { ...base, "infra/rds/variables.tf": `${base["infra/rds/variables.tf"]!}\n` + 'variable "x" {\n  default = 1\n}\n' } },
    {
      name: "a comment mentioning prevent_destroy is added, the flag stays",
      base: { "infra/db.tf": db("  lifecycle {\n    prevent_destroy = true\n  }\n") },
      head: { "infra/db.tf": db("  # prevent_destroy = false would allow deleting it\n  lifecycle {\n    prevent_destroy = true\n  }\n") },
    },
    {
      name: "Cloud SQL's deletion_protection is on by default: removing the argument keeps it on",
      base: { "infra/sql.tf": 'resource "google_sql_database_instance" "main" {\n  deletion_protection = true\n}\n' },
      head: { "infra/sql.tf": 'resource "google_sql_database_instance" "main" {\n}\n' },
    },
    {
      name: "protection turned on",
      base: { "infra/db.tf": db("  deletion_protection = false\n") },
      head: { "infra/db.tf": db("  deletion_protection = true\n") },
    },
    {
      name: "the value moves to a variable",
      base: { "infra/db.tf": db("  deletion_protection = true\n") },
      head: { "infra/db.tf": db("  deletion_protection = var.deletion_protection\n") },
    },
    {
      name: "a plan update of tags",
      base: {},
      head: {},
      plans: [{ path: "plan.json", text: update("aws_rds_cluster", { deletion_protection: true, tags: {} }, { deletion_protection: true, tags: { a: "b" } }) }],
    },
  ],
});
