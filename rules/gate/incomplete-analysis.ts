import type { RuleMeta } from "../../src/model/rule.js";

export const incompleteAnalysis: RuleMeta = {
  id: "gate/incomplete-analysis",
  title: "Part of the pull request could not be analysed",
  severity: "high",
  category: "gate",
  why:
    "changegate could not read everything it needed to judge this pull request: it is larger than the " +
    "GitHub API lists (3,000 files), a file was too large or unreadable, or an API call failed. A gate " +
    "that passes what it could not read is worse than none, so the unread part is treated as dangerous.",
  safeAlternative:
    "Split the pull request so that each part stays within the limits, or have a reviewer read the " +
    "unanalysed files and sign off. For API errors, re-run the check.",
  docs: "docs/rules.md#gate-incomplete-analysis",
  examples: {
    fires: ["a pull request with 3,001 changed files", "a migration that could not be fetched"],
    passes: ["a pull request whose every claimed file was read"],
  },
};
