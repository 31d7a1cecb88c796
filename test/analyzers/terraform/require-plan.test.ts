import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { MemorySource } from "../../../src/source/memory.js";

const base = { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n' };
const head = { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-2"\n}\n' };
const plan = JSON.stringify({ format_version: "1.2", resource_changes: [{ address: "aws_instance.web", mode: "managed", type: "aws_instance", name: "web", change: { actions: ["update"] } }] });

async function rules(options: Parameters<typeof analyzeChangeSet>[1], tree = head) {
  return (await analyzeChangeSet(new MemorySource(base, tree), options)).findings.map((f) => `${f.rule} ${f.object}`);
}

describe("terraform.require_plan", () => {
  it("makes a Terraform change without a plan tf/plan-incomplete", async () => {
    expect(await rules({ requireTerraformPlan: true })).toEqual(["tf/plan-incomplete terraform.require_plan"]);
  });
  it("is satisfied by a plan input or a committed plan", async () => {
    expect(await rules({ requireTerraformPlan: true, inputs: [{ kind: "terraform-plan", path: "plan.json", bytes: new TextEncoder().encode(plan) }] })).toEqual([]);
    expect(await rules({ requireTerraformPlan: true, paths: { terraform_plans: ["plans/*.json"] } }, { ...head, "plans/prod.json": plan } as typeof head)).toEqual([]);
  });
  it("asks nothing of a change without Terraform, or when off", async () => {
    expect(await rules({ requireTerraformPlan: false })).toEqual([]);
    expect((await analyzeChangeSet(new MemorySource({ "README.md": "a" }, { "README.md": "b" }), { requireTerraformPlan: true })).findings).toEqual([]);
  });
});
