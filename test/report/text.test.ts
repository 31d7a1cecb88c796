import { describe, expect, it } from "vitest";
import { getRule } from "../../rules/index.js";
import { renderTextReport, shouldColor } from "../../src/report/text.js";
import { sampleInput } from "./fixtures.js";

describe("renderTextReport", () => {
  it("groups findings by file, quotes the lines and names rule, severity and object", () => {
    const text = renderTextReport(sampleInput());
    const first = text.indexOf("db/migrations/0004_drop.sql");
    const second = text.indexOf("db/migrations/0005_more.sql");
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
    expect(text).toMatch(/CRITICAL\s+sql\/drop-table\s+line 2\s+legacy_orders/);
    expect(text).toMatch(/MEDIUM\s+sql\/blocking-index\s+line 3-4\s+orders/);
    expect(text).toContain("2 │ DROP TABLE legacy_orders;");
    expect(text).toContain("3 │ CREATE INDEX orders_customer_idx");
    expect(text).toContain("4 │   ON orders (customer_id);");
    expect(text).toContain("base aaaaaaaaaaaa (merge-base of HEAD and main) → head bbbbbbbbbbbb");
    expect(text).not.toContain("\u001b[");
  });

  it("explains each rule once per run, at its first finding", () => {
    const text = renderTextReport(sampleInput(), { width: 400 });
    const why = getRule("sql/drop-table").why;
    expect(text.split(why).length - 1).toBe(1);
    expect(text.split(getRule("sql/drop-table").safeAlternative).length - 1).toBe(1);
    expect(text.indexOf(why)).toBeLessThan(text.indexOf("db/migrations/0005_more.sql"));
    expect(text).toContain(getRule("sql/blocking-index").why);
    // Each explained rule links to its docs on GitHub, once.
    expect(text.split("docs     https://github.com/changegate/changegate/blob/main/docs/rules.md#sql-drop-table\n").length - 1).toBe(1);
  });

  it("ends with the decision: which rules gate and how many sign-offs from whom", () => {
    const text = renderTextReport(sampleInput());
    const decision = text.slice(text.indexOf("Decision:"));
    expect(decision).toContain("NEEDS SIGN-OFF");
    expect(decision).toMatch(/● High-severity changes: 0\/1 sign-off.* · 2 findings/);
    expect(decision).toMatch(/1 finding shown for information/);
    expect(text).toContain("[gates]");
  });

  it("says so when nothing was found", () => {
    const text = renderTextReport(sampleInput([]));
    expect(text).toContain("No destructive changes found.");
    expect(text).toContain("Decision: PASS");
  });

  it("colours only when asked", () => {
    expect(renderTextReport(sampleInput(), { color: true })).toContain("\u001b[31m");
  });
});

describe("shouldColor", () => {
  it("colours a TTY unless NO_COLOR; FORCE_COLOR forces it on or off", () => {
    expect(shouldColor({ isTTY: true }, {})).toBe(true);
    expect(shouldColor({ isTTY: false }, {})).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(shouldColor({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(shouldColor({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(shouldColor({ isTTY: true }, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(shouldColor({ isTTY: true }, { TERM: "dumb" })).toBe(false);
  });
});
