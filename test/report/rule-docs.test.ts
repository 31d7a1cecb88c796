import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../rules/index.js";
import { docsUrl } from "../../src/model/rule.js";
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

  it("ships with the package, and each rule links to its anchor on GitHub, not to a path in a checkout", () => {
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("docs");
    expect(docsUrl(ALL_RULES.find((r) => r.id === "sql/drop-table")!.docs)).toBe("https://github.com/changegate/changegate/blob/main/docs/rules.md#sql-drop-table");
    for (const rule of ALL_RULES) expect(docsUrl(rule.docs)).toMatch(/^https:\/\/github\.com\/changegate\/changegate\/blob\/main\/docs\/rules\.md#[a-z0-9-]+$/);
  });
});
