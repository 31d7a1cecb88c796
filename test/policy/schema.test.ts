import { readFileSync, writeFileSync } from "node:fs";
import Ajv2020 from "ajv/dist/2020.js";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { policyJsonSchema } from "../../src/policy/schema.js";

const SCHEMA_FILE = new URL("../../schema/changegate.schema.json", import.meta.url);
const fixture = (name: string) => readFileSync(new URL(`../../fixtures/policy/${name}`, import.meta.url), "utf8");

describe("schema/changegate.schema.json", () => {
  it("matches the zod schema (regenerate: UPDATE_SCHEMA=1 npx vitest run test/policy/schema.test.ts)", () => {
    const generated = `${JSON.stringify(policyJsonSchema(), null, 2)}\n`;
    if (process.env.UPDATE_SCHEMA === "1") writeFileSync(SCHEMA_FILE, generated);
    expect(readFileSync(SCHEMA_FILE, "utf8")).toBe(generated);
  });

  const ajv = new Ajv2020.default({ strict: false, allErrors: true });
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, "utf8")) as object);

  it("accepts the DESIGN example, as an editor would", () => {
    expect(validate(parse(fixture("design-example.yml"))), JSON.stringify(validate.errors)).toBe(true);
    expect(validate(parse(fixture("minimal.yml")))).toBe(true);
  });

  it.each([
    ["an unknown key", { version: 1, modes: "enforce" }],
    ["a wrong type", { version: 1, agents: { extra_approvals: "1" } }],
    ["a wrong version", { version: 2 }],
    ["a bad enum", { version: 1, rules: [{ name: "A", when: { severity: "hihg" }, labels: ["x"] }] }],
  ])("rejects %s", (_name, value) => {
    expect(validate(value)).toBe(false);
  });
});
