import { lineOf, rdsModule, runTfRuleTests } from "./tf-rule-tester.js";

const base = rdsModule();
const main = base["infra/rds/main.tf"]!;
const res = (type: string, body: string) => `resource "${type}" "x" {\n${body}}\n`;

runTfRuleTests("tf/count-shrink", {
  fires: [
    {
      name: "count lowered",
      base: { "infra/web.tf": res("aws_instance", "  count = 3\n  ami   = \"ami-1\"\n") },
      head: { "infra/web.tf": res("aws_instance", "  count = 1\n  ami   = \"ami-1\"\n") },
      findings: [{ file: "infra/web.tf", line: 2, object: "aws_instance.x", message: /from 3 to 1: aws_instance\.x\[1\] to \[2\] are destroyed/ }],
    },
    {
      name: "a literal for_each loses a key",
      base: { "infra/q.tf": res("aws_sqs_queue", '  for_each = toset(["orders", "refunds"])\n  name     = each.key\n') },
      head: { "infra/q.tf": res("aws_sqs_queue", '  for_each = toset(["orders"])\n  name     = each.key\n') },
      findings: [{ file: "infra/q.tf", line: 2, object: "aws_sqs_queue.x", severity: "critical", message: /"refunds"/ }],
    },
    {
      name: "a map for_each loses a key",
      base: { "infra/u.tf": res("aws_iam_user", '  for_each = {\n    alice = "admin"\n    bob   = "dev"\n  }\n') },
      head: { "infra/u.tf": res("aws_iam_user", '  for_each = {\n    alice = "admin"\n  }\n') },
      findings: [{ file: "infra/u.tf", line: 2, object: "aws_iam_user.x", message: /"bob"/ }],
    },
    {
      name: "the RDS instance switches from count to for_each",
      base,
      head: { ...base, "infra/rds/main.tf": main.replace("  count = var.create ? 1 : 0\n\n  identifier", "  for_each = var.create ? toset([\"main\"]) : toset([])\n\n  identifier") },
      findings: [{ file: "infra/rds/main.tf", line: lineOf(main, 'resource "aws_db_instance" "this"') + 1, object: "aws_db_instance.this", severity: "critical", message: /from count to for_each/ }],
    },
    {
      name: "for_each switched back to count",
      base: { "infra/d.tf": res("aws_ebs_volume", "  for_each = var.volumes\n") },
      head: { "infra/d.tf": res("aws_ebs_volume", "  count = length(var.volumes)\n") },
      findings: [{ file: "infra/d.tf", line: 2, object: "aws_ebs_volume.x", severity: "critical" }],
    },
  ],
  passes: [
    { name: "count raised", base: { "a.tf": res("aws_instance", "  count = 1\n") }, head: { "a.tf": res("aws_instance", "  count = 2\n") } },
    { name: "a for_each key added", base: { "a.tf": res("aws_instance", '  for_each = toset(["a"])\n') }, head: { "a.tf": res("aws_instance", '  for_each = toset(["a", "b"])\n') } },
    { name: "count added to a single resource (Terraform moves it to [0])", base: { "a.tf": res("aws_instance", '  ami = "x"\n') }, head: { "a.tf": res("aws_instance", '  ami = "x"\n  count = 1\n') } },
    {
      name: "count to for_each with moved blocks",
      base: { "a.tf": res("aws_instance", "  count = 2\n") },
      head: { "a.tf": res("aws_instance", '  for_each = toset(["a", "b"])\n') + 'moved {\n  from = aws_instance.x[0]\n  to   = aws_instance.x["a"]\n}\n' },
    },
    { name: "a count expression changes", base, head: { ...base, "infra/rds/main.tf": main.replace("count = var.create ? 1 : 0", "count = var.create && var.enabled ? 1 : 0") } },
  ],
});
