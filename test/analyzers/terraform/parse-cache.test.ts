import { describe, expect, it } from "vitest";
import { parseTerraformFile } from "../../../src/analyzers/terraform/hcl.js";

const DB = `resource "aws_db_instance" "main" {
  engine              = "postgres"
  deletion_protection = true
}
`;

describe("parsing a Terraform file once per content", () => {
  it("gives the same frozen parse for the same path and text", () => {
    const first = parseTerraformFile("infra/db.tf", DB);
    const again = parseTerraformFile("infra/db.tf", `${DB}`);
    expect(again).toBe(first);
    expect(Object.isFrozen(first.blocks[0]!.body)).toBe(true);
    expect(() => {
      (first.blocks[0]!.body as Record<string, unknown>).deletion_protection = false;
    }).toThrow(TypeError);
    expect(parseTerraformFile("infra/db.tf", DB).blocks[0]!.body.deletion_protection).toBe(true);
  });

  it("parses another text or another path anew", () => {
    const first = parseTerraformFile("infra/db.tf", DB);
    const edited = parseTerraformFile("infra/db.tf", DB.replace("true", "false"));
    expect(edited.blocks[0]!.body.deletion_protection).toBe(false);
    const moved = parseTerraformFile("infra/other.tf", DB);
    expect(moved).not.toBe(first);
    expect(moved.blocks[0]!.file).toBe("infra/other.tf");
  });

  it("caches a rejected file's outline too", () => {
    const broken = 'resource "aws_s3_bucket" "logs" {\n  bucket = \n';
    const first = parseTerraformFile("infra/s3.tf", broken);
    expect(first.error).toBeDefined();
    expect(parseTerraformFile("infra/s3.tf", broken)).toBe(first);
  });
});
