import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../rules/index.js";
import { renderRuleDocs, RULE_DOCS_PATH, ruleAnchor } from "../../scripts/gen-rule-docs.js";

describe("docs/rules.md", () => {
  it("is what scripts/gen-rule-docs.ts renders from the registry (run it when a rule changes)", () => {
    const committed = readFileSync(RULE_DOCS_PATH, "utf8");
    expect(committed, "docs/rules.md is stale: run `node --import tsx scripts/gen-rule-docs.ts`").toBe(renderRuleDocs());
  });

  it("has an anchor for every rule's docs link", () => {
    const docs = renderRuleDocs();
    for (const rule of ALL_RULES) {
      expect(docs).toContain(`<a id="${ruleAnchor(rule.id)}"></a>`);
      expect(docs).toContain(rule.why);
      expect(docs).toContain(rule.safeAlternative);
      const [file, anchor] = rule.docs.split("#");
      expect(file).toBe("docs/rules.md");
      expect(anchor).toBe(ruleAnchor(rule.id));
    }
  });
});
