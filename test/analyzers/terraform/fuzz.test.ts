/**
 * Random and mutated HCL and plan JSON never crash the Terraform analyzer, and every input that
 * cannot be read becomes a `tf/unparsed` (or, for plans, `tf/plan-incomplete`) finding: fail closed.
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createTerraformAnalyzer } from "../../../src/analyzers/terraform/index.js";
import { analyzePlan } from "../../../src/analyzers/terraform/plan.js";
import { scanHcl } from "../../../src/analyzers/terraform/scan.js";

const MODULE = readFileSync(new URL("../../../fixtures/terraform/rds-db-instance/main.tf", import.meta.url), "utf8").slice(0, 4000);
const PLAN = JSON.stringify({
  format_version: "1.2",
  resource_changes: [
    { address: "aws_db_instance.main", mode: "managed", type: "aws_db_instance", name: "main", change: { actions: ["delete"], before: { deletion_protection: true } } },
    { address: "aws_s3_bucket.b", mode: "managed", type: "aws_s3_bucket", name: "b", change: { actions: ["update"], before: { force_destroy: false }, after: { force_destroy: true } } },
  ],
  planned_values: { root_module: { resources: [{ address: "aws_s3_bucket.b", values: { tags: { a: "b\n\u00e9" } } }] } },
});

/** Deletes, duplicates or replaces a slice of the text. */
const mutated = (text: string) =>
  fc
    .tuple(fc.nat(text.length), fc.nat(40), fc.constantFrom("delete", "insert", "replace"), fc.string({ maxLength: 8, unit: fc.constantFrom("{", "}", "[", "]", '"', "\\", "=", "\n", "$", "#", "<", "a", ":", ",", "0") }))
    .map(([at, length, op, chunk]) => (op === "delete" ? text.slice(0, at) + text.slice(at + length) : op === "insert" ? text.slice(0, at) + chunk + text.slice(at) : text.slice(0, at) + chunk + text.slice(at + length)));

function analyze(head: string) {
  const analyzer = createTerraformAnalyzer();
  return analyzer.analyzeAll!({ changes: [{ path: "m/main.tf", status: "modified", base: { path: "m/main.tf", text: MODULE }, head: { path: "m/main.tf", text: head } }], unchanged: [], scopes: [], inputs: [] }, { authorKind: "human" });
}

describe("fuzzing the Terraform analyzer", () => {
  it("mutated HCL: never throws; text the scanner cannot follow gives tf/unparsed", () => {
    fc.assert(
      fc.property(mutated(MODULE), (text) => {
        const findings = analyze(text);
        for (const f of findings) expect(f.rule).toMatch(/^tf\//);
        if (scanHcl(text).error) expect(findings.some((f) => f.rule === "tf/unparsed")).toBe(true);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("random text as HCL: never throws", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        expect(Array.isArray(analyze(text))).toBe(true);
      }),
      { numRuns: 40 },
    );
  }, 120_000);

  it("mutated plan JSON: never throws; invalid JSON gives tf/unparsed", () => {
    fc.assert(
      fc.property(mutated(PLAN), (text) => {
        const findings = analyzePlan("plan.json", new TextEncoder().encode(text));
        let valid = true;
        try {
          JSON.parse(text);
        } catch {
          valid = false;
        }
        if (!valid) expect(findings.map((f) => f.rule)).toContain("tf/unparsed");
        for (const f of findings) expect(f.file).toBe("plan.json");
      }),
      { numRuns: 500 },
    );
  });

  it("random JSON values as plans: never throw", () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const findings = analyzePlan("plan.json", new TextEncoder().encode(JSON.stringify(value)));
        expect(Array.isArray(findings)).toBe(true);
        // Anything that is not a plan-shaped object is said to be unreadable, never passed.
        if (typeof value !== "object" || value === null || Array.isArray(value)) expect(findings.map((f) => f.rule)).toContain("tf/unparsed");
      }),
      { numRuns: 500 },
    );
  });

  it("random resource_changes elements: never throw", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue({ maxDepth: 4 }), { maxLength: 5 }), (changes) => {
        const findings = analyzePlan("plan.json", new TextEncoder().encode(JSON.stringify({ format_version: "1.2", resource_changes: changes })));
        // An element without actions is never silently passed.
        const unreadable = changes.filter((c) => typeof c !== "object" || c === null || Array.isArray(c) || !("change" in c)).length;
        expect(findings.filter((f) => f.rule === "tf/plan-incomplete").length).toBeGreaterThanOrEqual(unreadable);
      }),
      { numRuns: 300 },
    );
  });
});

describe("plan limits", () => {
  it("refuses a plan over the size limit with a finding, before decoding it", () => {
    const findings = analyzePlan("big.json", new Uint8Array(2 * 1024 * 1024), 1024 * 1024);
    expect(findings.map((f) => [f.rule, f.message])).toEqual([["tf/plan-incomplete", expect.stringMatching(/2\.0 MiB, over the 1\.0 MiB/)]]);
  });
  it("refuses JSON nested 100,000 deep inside a change element", () => {
    const deep = `{"format_version":"1.2","resource_changes":[{"change":{"actions":["update"],"before":${"[".repeat(100_000)}${"]".repeat(100_000)}}}]}`;
    expect(analyzePlan("deep.json", new TextEncoder().encode(deep)).map((f) => f.rule)).toEqual(["tf/unparsed"]);
  });
  it("gives each change the line it starts on, printed on many lines or on one", () => {
    const change = (address: string, actions: string[]) => ({ address, type: "aws_db_instance", change: { actions, before: { deletion_protection: true }, after: null } });
    const plan = { format_version: "1.2", resource_changes: [change("aws_db_instance.a", ["delete"]), change("aws_db_instance.b", ["no-op"]), change("aws_db_instance.c", ["delete"])] };
    const pretty = JSON.stringify(plan, null, 2);
    const starts = ["aws_db_instance.a", "aws_db_instance.c"].map((address) => {
      const at = pretty.indexOf(`"address": "${address}"`);
      return pretty.slice(0, pretty.lastIndexOf("{", at)).split("\n").length;
    });
    const lines = (text: string) => analyzePlan("plan.json", new TextEncoder().encode(text)).filter((f) => f.rule === "tf/destroy").map((f) => f.line);
    expect(lines(pretty)).toEqual(starts);
    expect(lines(JSON.stringify(plan))).toEqual([1, 1]);
  });
  it("refuses text that is not UTF-8", () => {
    expect(analyzePlan("p.json", new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])).map((f) => f.message)).toEqual([expect.stringMatching(/not UTF-8/)]);
  });
});
