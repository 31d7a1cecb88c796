import { runTfRuleTests } from "./tf-rule-tester.js";

const ok = 'resource "aws_instance" "web" {\n  ami = "ami-1"\n}\n';
const deep = "[".repeat(100_000) + "]".repeat(100_000);

runTfRuleTests("tf/unparsed", {
  fires: [
    { name: "an unclosed block", base: { "infra/main.tf": ok }, head: { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1"\n' }, findings: [{ file: "infra/main.tf", line: 3, object: "infra/main.tf", message: /not closed/ }] },
    { name: "an unclosed string", base: {}, head: { "infra/main.tf": 'resource "aws_instance" "web" {\n  ami = "ami-1\n}\n' }, findings: [{ file: "infra/main.tf", line: 2, object: "infra/main.tf", message: /string/ }] },
    { name: "invalid .tf.json", base: {}, head: { "infra/main.tf.json": '{"resource": ' }, findings: [{ file: "infra/main.tf.json", line: 1, object: "infra/main.tf.json", message: /JSON/ }] },
    { name: "plan JSON cut off", base: {}, head: {}, plans: [{ path: "plan.json", text: '{"format_version":"1.2","resource_changes":[{"address":' }], findings: [{ file: "plan.json", line: 1, object: "plan.json", message: /ends early/ }] },
    { name: "plan JSON nested 100,000 deep", base: {}, head: {}, plans: [{ path: "plan.json", text: `{"format_version":"1.2","planned_values":${deep}}` }], findings: [{ file: "plan.json", line: 1, object: "plan.json", message: /nested deeper/ }] },
    { name: "a JSON file that is not a plan", base: {}, head: {}, plans: [{ path: "plan.json", text: '{"name":"left-pad","version":"1.0.0"}' }], findings: [{ file: "plan.json", line: 1, object: "plan.json", message: /not a Terraform plan/ }] },
    { name: "streaming plan -json log lines", base: {}, head: {}, plans: [{ path: "plan.json", text: '{"@level":"info","@message":"Terraform 1.9.0","type":"version"}\n{"@level":"info","type":"change_summary"}\n' }], findings: [{ file: "plan.json", line: 2, object: "plan.json", message: /more than one JSON document/ }] },
    { name: "a binary plan file", base: {}, head: {}, plans: [{ path: "tfplan", text: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0, 0, 1]) }], findings: [{ file: "tfplan", line: 1, object: "tfplan", message: /binary/ }] },
    { name: "text that is not a plan", base: {}, head: {}, plans: [{ path: "plan.txt", text: "hello world\n" }], findings: [{ file: "plan.txt", line: 1, object: "plan.txt" }] },
  ],
  passes: [
    { name: "valid HCL", base: {}, head: { "infra/main.tf": ok } },
    { name: "HCL 0.11 syntax", base: {}, head: { "infra/main.tf": 'variable "subnets" {\n  type    = "list"\n  default = []\n}\n\nresource "aws_instance" "web" {\n  count = "${length(var.subnets)}"\n  tags {\n    Name = "web-${count.index}"\n  }\n}\n' } },
    { name: "heredocs, templates and comments", base: {}, head: { "infra/main.tf": '/* header\n   comment */\nlocals {\n  policy = <<-EOT\n    { "a": "${var.x}" }\n  EOT\n  s = "%{ if var.y }yes%{ else }no%{ endif }" // trailing\n}\n' } },
  ],
});
