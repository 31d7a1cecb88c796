import { runTfRuleTests } from "./tf-rule-tester.js";

const none = { base: {}, head: {} };
const change = { address: "aws_instance.x", mode: "managed", type: "aws_instance", name: "x", change: { actions: ["create"] } };
const json = (top: object) => JSON.stringify({ format_version: "1.2", resource_changes: [change], ...top });

runTfRuleTests("tf/plan-incomplete", {
  fires: [
    { name: "errored", ...none, plans: [{ path: "p.json", text: json({ errored: true }) }], findings: [{ file: "p.json", line: 1, object: "p.json", message: /errored/ }] },
    { name: "not applyable", ...none, plans: [{ path: "p.json", text: json({ applyable: false }) }], findings: [{ file: "p.json", line: 1, object: "p.json", message: /not applyable/ }] },
    { name: "not complete", ...none, plans: [{ path: "p.json", text: json({ complete: false }) }], findings: [{ file: "p.json", line: 1, object: "p.json", message: /deferred/ }] },
    { name: "format version 2", ...none, plans: [{ path: "p.json", text: json({ format_version: "2.0" }) }], findings: [{ file: "p.json", line: 1, object: "p.json", message: /"2\.0"/ }] },
    { name: "format version 0.1 (before Terraform 1.1)", ...none, plans: [{ path: "p.json", text: json({ format_version: "0.1" }) }], findings: [{ file: "p.json", line: 1, object: "p.json" }] },
    {
      name: "an unknown action combination",
      ...none,
      plans: [{ path: "p.json", text: JSON.stringify({ format_version: "1.2", resource_changes: [{ ...change, change: { actions: ["delete", "explode"] } }] }) }],
      findings: [{ file: "p.json", line: 1, object: "aws_instance.x", message: /does not know/ }],
    },
    {
      name: "a text plan with an error",
      ...none,
      plans: [{ path: "plan.txt", text: "╷\n│ Error: Instance cannot be destroyed\n│\n╵\n" }],
      findings: [{ file: "plan.txt", line: 2, object: "plan.txt", message: /Instance cannot be destroyed/ }],
    },
    {
      name: "a text plan whose summary counts more destroys than it lists",
      ...none,
      plans: [{ path: "plan.txt", text: "  # aws_instance.a will be destroyed\n  - resource {}\n\nPlan: 0 to add, 0 to change, 2 to destroy.\n" }],
      findings: [{ file: "plan.txt", line: 1, object: "plan.txt", message: /2 to destroy but only 1/ }],
    },
  ],
  passes: [
    { name: "a complete plan", ...none, plans: [{ path: "p.json", text: json({ applyable: true, complete: true, errored: false }) }] },
    { name: "an OpenTofu plan without applyable/complete", ...none, plans: [{ path: "p.json", text: json({ terraform_version: "1.8.0" }) }] },
    { name: "a no-change text plan", ...none, plans: [{ path: "plan.txt", text: "No changes. Your infrastructure matches the configuration.\n" }] },
  ],
});
