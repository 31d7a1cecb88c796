/**
 * OpenTofu's file precedence: Terraform ignores .tofu files, OpenTofu reads a.tofu instead of a.tf
 * (and a.tofu.json instead of a.tf.json). Which tool applies a module is not in the repository, so
 * a module with .tofu files is judged as each tool reads it.
 */
import { describe, expect, it } from "vitest";
import { brief, scanTrees } from "./helpers.js";

const DB = `resource "aws_db_instance" "main" {
  identifier        = "orders"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
}
`;
const BUCKET = `resource "aws_s3_bucket" "assets" {
  bucket = "orders-assets"
}
`;
const VARIABLES = `variable "region" {
  type    = string
  default = "eu-west-1"
}
`;

describe("a module with .tofu files", () => {
  it("reports a database removed from the .tofu file that OpenTofu reads instead of the .tf file", async () => {
    const base = { "infra/variables.tf": VARIABLES, "infra/main.tf": DB + BUCKET, "infra/main.tofu": DB + BUCKET };
    const head = { ...base, "infra/main.tofu": BUCKET };
    expect((await scanTrees(base, head)).map(brief)).toEqual(["tf/destroy critical infra/main.tofu:1 aws_db_instance.main"]);
  });

  it("reports a database removed from the .tf file that Terraform reads, though a .tofu file keeps it", async () => {
    const base = { "infra/main.tf": DB + BUCKET, "infra/main.tofu": DB + BUCKET };
    const head = { "infra/main.tf": BUCKET, "infra/main.tofu": DB + BUCKET };
    expect((await scanTrees(base, head)).map(brief)).toEqual(["tf/destroy critical infra/main.tf:1 aws_db_instance.main"]);
  });

  it("reports a database moved into a .tofu file: Terraform no longer sees it", async () => {
    const base = { "infra/main.tf": DB + BUCKET };
    const head = { "infra/main.tf": BUCKET, "infra/database.tofu": DB };
    expect((await scanTrees(base, head)).map(brief)).toEqual(["tf/destroy critical infra/main.tf:1 aws_db_instance.main"]);
  });

  it("finds nothing when both readings keep every resource (tags only in the .tofu file)", async () => {
    const base = { "infra/main.tf": DB + BUCKET, "infra/main.tofu": DB + BUCKET };
    const head = { ...base, "infra/main.tofu": DB + BUCKET.replace('bucket = "orders-assets"', 'bucket = "orders-assets"\n  tags   = { team = "orders" }') };
    expect(await scanTrees(base, head)).toEqual([]);
  });

  it("finds nothing when a .tofu.json file replaces a .tf.json file with the same resources", async () => {
    const json = JSON.stringify({ resource: { aws_db_instance: { main: { identifier: "orders", engine: "postgres" } } } }, null, 2);
    const base = { "infra/main.tf.json": json };
    const head = { "infra/main.tf.json": json, "infra/main.tofu.json": json };
    expect(await scanTrees(base, head)).toEqual([]);
  });
});
