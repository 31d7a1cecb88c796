import type { RuleMeta } from "../../src/model/rule.js";

export const replace: RuleMeta = {
  id: "tf/replace",
  title: "Terraform resource replaced",
  severity: "high",
  category: "data-loss",
  why:
    "A replacement destroys the existing object and creates a new one (in either order): the plan's " +
    "`action_reason` says why and `replace_paths` which attributes force it. A replaced database, disk or bucket " +
    "comes back empty, with a new endpoint, so it is critical for stateful types.",
  safeAlternative:
    "Revert the attribute that forces replacement (see `replace_paths`), or change it in a way the provider can " +
    "update in place. If the replacement is intended, restore from a snapshot plan and have the owner sign off.",
  docs: "docs/rules.md#tf-replace",
  examples: {
    fires: [
      {
        note: "the plan replaces a database because its engine changed",
        base: {},
        head: {},
        inputs: [
          {
            kind: "terraform-plan",
            path: "plan.json",
            text: '{"format_version":"1.2","resource_changes":[{"address":"aws_db_instance.main","mode":"managed","type":"aws_db_instance","name":"main","change":{"actions":["delete","create"],"replace_paths":[["engine"]]},"action_reason":"replace_because_cannot_update"}]}',
          },
        ],
      },
    ],
    passes: [
      {
        note: "an in-place update",
        base: {},
        head: {},
        inputs: [
          {
            kind: "terraform-plan",
            path: "plan.json",
            text: '{"format_version":"1.2","resource_changes":[{"address":"aws_instance.web","mode":"managed","type":"aws_instance","name":"web","change":{"actions":["update"],"before":{"tags":{}},"after":{"tags":{"a":"b"}}}}]}',
          },
        ],
      },
    ],
  },
};
