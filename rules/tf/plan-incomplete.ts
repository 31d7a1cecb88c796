import type { RuleMeta } from "../../src/model/rule.js";

export const planIncomplete: RuleMeta = {
  id: "tf/plan-incomplete",
  title: "Terraform plan that cannot be trusted whole",
  severity: "high",
  category: "gate",
  why:
    "An errored plan lists only part of what apply would do; a plan that is not applyable or not complete " +
    "(deferred changes) will be followed by another round; a plan of an unknown format version, or with an action " +
    "changegate does not know, may say things it cannot read. Passing it would pass what nobody has seen.",
  safeAlternative:
    "Fix the plan's errors and produce it again with `terraform show -json` from a released Terraform or OpenTofu, " +
    "or have a reviewer read the full plan output and sign off.",
  docs: "docs/rules.md#tf-plan-incomplete",
  examples: {
    fires: [
      {
        note: "an errored plan",
        base: {},
        head: {},
        inputs: [{ kind: "terraform-plan", path: "plan.json", text: '{"format_version":"1.2","errored":true,"resource_changes":[]}' }],
      },
      {
        note: "format version 2",
        base: {},
        head: {},
        inputs: [{ kind: "terraform-plan", path: "plan.json", text: '{"format_version":"2.0","resource_changes":[]}' }],
      },
    ],
    passes: [
      {
        note: "a complete plan with nothing to do",
        base: {},
        head: {},
        inputs: [{ kind: "terraform-plan", path: "plan.json", text: '{"format_version":"1.2","applyable":false,"complete":true,"errored":false,"resource_changes":[]}' }],
      },
    ],
  },
};
