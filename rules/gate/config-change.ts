import type { RuleMeta } from "../../src/model/rule.js";

export const configChange: RuleMeta = {
  id: "gate/config-change",
  title: "The pull request changes the gate itself",
  severity: "high",
  category: "gate",
  why:
    "The policy file decides who must sign off on destructive changes; CODEOWNERS, branch-rule files and " +
    "workflows decide who reviews and what runs with the repository's credentials. A change to any of them " +
    "can switch the gate off for every later pull request, so it needs the same scrutiny as the most " +
    "dangerous change it could let through. The policy is always read from the base branch, so this pull " +
    "request is still judged by the current rules.",
  safeAlternative:
    "Change the policy in a pull request of its own, reviewed by the people it names. Start new rules in " +
    "`mode: report-only` and switch to `enforce` once their findings look right.",
  docs: "docs/rules.md#gate-config-change",
  examples: {
    fires: [".github/changegate.yml", ".github/CODEOWNERS", ".github/workflows/deploy.yml"],
    passes: ["src/app.ts", "docs/changegate.md", "db/migrate/20260101000000_add_users.rb"],
  },
};
