import type { RuleMeta } from "../../src/model/rule.js";

export const unparsed: RuleMeta = {
  id: "tf/unparsed",
  title: "Terraform that could not be parsed",
  severity: "high",
  category: "gate",
  why:
    "changegate could not parse this HCL file or plan, so none of the Terraform rules could check it. A block " +
    "that cannot be read may be a deleted database as easily as a typo, and Terraform itself may reject the file.",
  safeAlternative:
    "Run `terraform validate` (or `tofu validate`) and fix the syntax; for a plan, produce it with " +
    "`terraform show -json PLANFILE`. Otherwise have a reviewer read the file and sign off.",
  docs: "docs/rules.md#tf-unparsed",
  examples: {
    fires: [
      {
        note: "an unclosed block",
        base: {},
        head: { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1"\n' },
      },
    ],
    passes: [
      {
        note: "valid HCL",
        base: {},
        head: { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n' },
      },
    ],
  },
};
