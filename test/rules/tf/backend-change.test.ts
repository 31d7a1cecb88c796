import { runTfRuleTests } from "./tf-rule-tester.js";

const backend = (body: string) => `terraform {\n  required_version = ">= 1.5"\n\n  backend "s3" {\n${body}  }\n}\n`;
const base = { "infra/versions.tf": backend('    bucket = "acme-state"\n    key    = "prod/app.tfstate"\n    region = "eu-west-1"\n'), "infra/main.tf": 'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n' };

runTfRuleTests("tf/backend-change", {
  fires: [
    {
      name: "the state key changes",
      base,
      head: { ...base, "infra/versions.tf": backend('    bucket = "acme-state"\n    key    = "app.tfstate"\n    region = "eu-west-1"\n') },
      findings: [{ file: "infra/versions.tf", line: 4, object: "terraform.backend" }],
    },
    {
      name: "the backend is removed",
      base,
      head: { ...base, "infra/versions.tf": 'terraform {\n  required_version = ">= 1.5"\n}\n' },
      findings: [{ file: "infra/versions.tf", line: 4, object: "terraform.backend", side: "base", message: /local state/ }],
    },
    {
      name: "s3 to HCP Terraform (cloud)",
      base,
      head: { ...base, "infra/versions.tf": 'terraform {\n  cloud {\n    organization = "acme"\n    workspaces {\n      name = "prod"\n    }\n  }\n}\n' },
      findings: [
        { file: "infra/versions.tf", line: 2, object: "terraform.cloud" },
        { file: "infra/versions.tf", line: 4, object: "terraform.backend", side: "base" },
      ],
    },
  ],
  passes: [
    { name: "only required_version changes", base, head: { ...base, "infra/versions.tf": base["infra/versions.tf"].replace(">= 1.5", ">= 1.6") } },
    { name: "the terraform block moves to another file", base, head: { "infra/main.tf": `${base["infra/main.tf"]}\n${base["infra/versions.tf"]}`, "infra/versions.tf": "" } },
  ],
});
