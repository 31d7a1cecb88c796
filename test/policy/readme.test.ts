import { readFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { effectiveRules } from "../../src/policy/floor.js";
import { DEFAULT_RULES, parsePolicy } from "../../src/policy/load.js";

const README = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const SCHEMA = JSON.parse(readFileSync(new URL("../../schema/changegate.schema.json", import.meta.url), "utf8")) as object;

function configSection(): string {
  const start = README.indexOf("<!-- config:start -->");
  const end = README.indexOf("<!-- config:end -->");
  if (start < 0 || end < start) throw new Error("README has no config section markers");
  return README.slice(start, end);
}

const blocks = [...configSection().matchAll(/```yaml\n([\s\S]*?)```/g)].map((m, i) => ({ index: i, text: m[1]! }));

describe("README configuration section", () => {
  it("has the annotated example, the default policy and 3–5 example policies", () => {
    expect(blocks.length).toBeGreaterThanOrEqual(5);
    expect(blocks.length).toBeLessThanOrEqual(7);
  });

  const validate = new Ajv2020.default({ strict: false }).compile(SCHEMA);

  it.each(blocks)("yaml block $index is a valid policy", ({ text }) => {
    const result = parsePolicy(text);
    expect(result.ok ? [] : result.errors).toEqual([]);
    expect(validate(parse(text)), JSON.stringify(validate.errors)).toBe(true);
  });

  it("the documented default policy is the built-in one, written out with the floor off", () => {
    const documented = blocks.find((b) => b.text.includes("name: High-severity changes\n"));
    const result = parsePolicy(documented!.text);
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    expect(result.policy.defaults).toBe(false);
    expect(effectiveRules(result.policy).map((r) => r.rule)).toEqual(DEFAULT_RULES);
    expect(result.warnings).toEqual([]);
  });

  it("no example turns the floor off and leaves findings ungated", () => {
    for (const { text } of blocks) {
      const result = parsePolicy(text);
      expect(result.ok && result.warnings).toEqual([]);
    }
  });
});

describe("README rule list and picture", () => {
  it("links every listed rule to its entry in docs/rules.md", async () => {
    const { ALL_RULES } = await import("../../rules/index.js");
    const docs = readFileSync(new URL("../../docs/rules.md", import.meta.url), "utf8");
    const section = README.slice(README.indexOf("<!-- rules:start -->"), README.indexOf("<!-- rules:end -->"));
    const links = [...section.matchAll(/\[`([^`]+)`\]\(docs\/rules\.md#([^)]+)\)/g)].map((m) => ({ id: m[1]!, anchor: m[2]! }));
    expect(links.length).toBeGreaterThan(40);
    const ids = new Set(ALL_RULES.map((r) => r.id));
    for (const { id, anchor } of links) {
      expect(ids.has(id), `${id} is not a rule`).toBe(true);
      expect(docs).toContain(`<a id="${anchor}"></a>`);
    }
  });

  it("shows the picture of a blocked pull request", () => {
    expect(README).toContain("](docs/blocked-pull-request.svg)");
  });
});
