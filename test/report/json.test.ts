import { describe, expect, it } from "vitest";
import { renderJsonReport } from "../../src/report/json.js";
import { sampleInput } from "./fixtures.js";

describe("renderJsonReport", () => {
  it("keeps the contract's field names (DESIGN §6)", () => {
    const json = JSON.parse(renderJsonReport(sampleInput()));
    expect(Object.keys(json)).toEqual(expect.arrayContaining(["base", "head", "findings", "decision"]));
    expect(json.base).toBe("a".repeat(40));
    expect(json.head).toBe("b".repeat(40));
    for (const f of json.findings) {
      expect(Object.keys(f)).toEqual(expect.arrayContaining(["rule", "severity", "category", "file", "line", "endLine", "object", "message"]));
    }
    expect(json.findings[0]).toMatchObject({
      rule: "sql/drop-table",
      severity: "critical",
      category: "data-loss",
      file: "db/migrations/0004_drop.sql",
      line: 2,
      endLine: null,
      object: "legacy_orders",
    });
    expect(json.findings[1]).toMatchObject({ rule: "sql/blocking-index", line: 3, endLine: 4 });
    expect(json.decision.outcome).toBe("needs-signoff");
    expect(["pass", "needs-signoff", "blocked"]).toContain(json.decision.outcome);
    expect(json.decision.rules[0]).toMatchObject({ name: "High-severity changes", status: "pending", required: 1 });
    expect(json.decision.rules[0].findings[0]).toHaveProperty("endLine", null);
    expect(json.decision.nonGating.map((f: { rule: string }) => f.rule)).toEqual(["sql/blocking-index"]);
  });

  it("is one newline-terminated document without the quoted file text", () => {
    const out = renderJsonReport(sampleInput());
    expect(out.endsWith("}\n")).toBe(true);
    expect(out).not.toContain("legacy import is done");
  });
});
