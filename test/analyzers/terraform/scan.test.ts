import { describe, expect, it } from "vitest";
import { parseTerraformFile } from "../../../src/analyzers/terraform/hcl.js";
import { scanHcl } from "../../../src/analyzers/terraform/scan.js";

describe("HCL scanner", () => {
  it("finds blocks, nested blocks and attributes with their lines", () => {
    const text = [
      "# header",
      'resource "aws_db_instance" "main" {',
      "  identifier = \"db\" # trailing",
      "  tags = {",
      '    a = "}"',
      "  }",
      "  lifecycle {",
      "    prevent_destroy = true",
      "  }",
      "}",
      'module "x" { source = "./x" }',
    ].join("\n");
    const { blocks, error } = scanHcl(text);
    expect(error).toBeUndefined();
    expect(blocks.map((b) => [b.type, b.labels, b.line, b.endLine])).toEqual([
      ["resource", ["aws_db_instance", "main"], 2, 10],
      ["module", ["x"], 11, 11],
    ]);
    expect(blocks[0]!.attributes.map((a) => [a.name, a.line, a.endLine])).toEqual([
      ["identifier", 3, 3],
      ["tags", 4, 6],
    ]);
    expect(blocks[0]!.blocks[0]!.attributes).toEqual([{ name: "prevent_destroy", line: 8, endLine: 8 }]);
  });

  it("skips heredocs, templates with nested strings and block comments", () => {
    const text = 'locals {\n  a = <<EOT\n}\n"\nEOT\n  b = "${jsonencode({ "k" = "}" })}"\n  /* } */\n  c = 1\n}\n';
    const { blocks, error } = scanHcl(text);
    expect(error).toBeUndefined();
    expect(blocks[0]!.attributes.map((a) => [a.name, a.line])).toEqual([
      ["a", 2],
      ["b", 6],
      ["c", 8],
    ]);
  });

  it("says where and why it stops", () => {
    expect(scanHcl('resource "a" "b" {\n  x = (1\n').error).toEqual({ line: 3, reason: "`)` missing before the end of the file" });
    expect(scanHcl("}\n").error?.reason).toMatch(/outside any block/);
    expect(scanHcl("resource \"a\" \"b\" {\n  x = [1}\n}\n").error?.reason).toMatch(/where `]` was expected/);
    expect(scanHcl("a = 1\n@\n").error).toEqual({ line: 2, reason: "unexpected `@` where an attribute or block was expected" });
  });

  it("refuses hostile nesting without overflowing the stack", () => {
    expect(scanHcl(`a = ${"[".repeat(100_000)}`).error?.reason).toMatch(/nested deeper/);
    expect(scanHcl("a {\n".repeat(100_000)).error?.reason).toMatch(/nested deeper/);
  });
});

describe("Terraform file reader", () => {
  it("keys blocks by address and keeps a rejected file's outline", () => {
    const good = parseTerraformFile("m/main.tf", 'data "aws_ami" "x" {}\nresource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\noutput "o" {\n  value = 1\n}\n');
    expect(good.error).toBeUndefined();
    expect(good.blocks.map((b) => [b.kind, b.address, b.line])).toEqual([
      ["resource", "aws_s3_bucket.b", 2],
      ["data", "data.aws_ami.x", 1],
      ["output", "output.o", 5],
    ]);
    const bad = parseTerraformFile("m/main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\nresource "x" {\n');
    expect(bad.error?.reason).toMatch(/line 5: .*not closed/);
    expect(bad.blocks.map((b) => b.address)).toEqual(["aws_s3_bucket.b"]);
    expect(bad.blocks[0]!.outlineOnly).toBe(true);
  });

  it("reads HCL 0.11 idioms without crashing", () => {
    const old = parseTerraformFile("m/main.tf", 'variable "x" {\n  type = "map"\n}\nresource "aws_instance" "a" {\n  count = "${var.create ? 1 : 0}"\n  tags {\n    Name = "${var.name}"\n  }\n}\n');
    expect(old.error).toBeUndefined();
    expect(old.blocks.map((b) => b.address)).toEqual(["aws_instance.a"]);
  });
});
