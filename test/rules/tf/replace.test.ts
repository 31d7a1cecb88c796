import { runTfRuleTests } from "./tf-rule-tester.js";

const plan = (...changes: object[]) => JSON.stringify({ format_version: "1.2", terraform_version: "1.9.5", applyable: true, complete: true, errored: false, resource_changes: changes });
const rc = (address: string, type: string, actions: string[], extra: object = {}) => ({ address, mode: "managed", type, name: address.split(".").pop(), change: { actions, ...extra } });
const none = { base: {}, head: {} };

runTfRuleTests("tf/replace", {
  fires: [
    {
      name: "a database replaced because its engine changed (critical, with replace_paths)",
      ...none,
      plans: [{ path: "plan.json", text: plan({ ...rc("aws_db_instance.main", "aws_db_instance", ["delete", "create"], { replace_paths: [["engine"]] }), action_reason: "replace_because_cannot_update" }) }],
      findings: [{ file: "plan.json", line: 1, object: "aws_db_instance.main", severity: "critical", message: /replace_because_cannot_update.*forced by engine/ }],
    },
    {
      name: "create_before_destroy order, in a nested module",
      ...none,
      plans: [{ path: "plan.json", text: plan({ ...rc('module.app["eu"].module.lb.aws_lb.this', "aws_lb", ["create", "delete"], { replace_paths: [["subnets", 0]] }), module_address: 'module.app["eu"].module.lb' }) }],
      findings: [{ file: "plan.json", line: 1, object: 'module.app["eu"].module.lb.aws_lb.this', message: /creates the new object first.*subnets\[0\]/ }],
    },
    {
      name: "tainted",
      ...none,
      plans: [{ path: "plan.json", text: plan({ ...rc("null_resource.x", "null_resource", ["delete", "create"]), action_reason: "replace_because_tainted" }) }],
      findings: [{ file: "plan.json", line: 1, object: "null_resource.x", message: /replace_because_tainted/ }],
    },
    {
      name: "OpenTofu's forget-then-create keeps the old object (low)",
      ...none,
      plans: [{ path: "plan.json", text: plan(rc("aws_instance.x", "aws_instance", ["forget", "create"])) }],
      findings: [{ file: "plan.json", line: 1, object: "aws_instance.x", severity: "low" }],
    },
    {
      name: "a text plan replacement",
      ...none,
      plans: [{ path: "plan.txt", text: "  # aws_ebs_volume.data must be replaced\n-/+ resource \"aws_ebs_volume\" \"data\" {\n      ~ availability_zone = \"a\" -> \"b\" # forces replacement\n    }\n\nPlan: 1 to add, 0 to change, 1 to destroy.\n" }],
      findings: [{ file: "plan.txt", line: 1, object: "aws_ebs_volume.data", severity: "critical" }],
    },
  ],
  passes: [
    { name: "a create", ...none, plans: [{ path: "plan.json", text: plan(rc("aws_instance.x", "aws_instance", ["create"])) }] },
    { name: "an update", ...none, plans: [{ path: "plan.json", text: plan(rc("aws_instance.x", "aws_instance", ["update"], { before: { ami: "a" }, after: { ami: "b" } })) }] },
    { name: "a data source read", ...none, plans: [{ path: "plan.json", text: plan({ ...rc("data.aws_ami.x", "aws_ami", ["read"]), mode: "data" }) }] },
  ],
});
