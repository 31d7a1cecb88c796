import { describe, expect, it } from "vitest";
import { compareText } from "../../src/util/compare.js";

describe("compareText", () => {
  it("orders by code unit, whatever the locale: capitals before lower case, `_` between them", () => {
    expect(["b", "_a", "B", "a", "A-", "a"].sort(compareText)).toEqual(["A-", "B", "_a", "a", "a", "b"]);
    expect(compareText("x", "x")).toBe(0);
    expect(compareText("db/2.sql", "db/10.sql")).toBeGreaterThan(0);
  });
});
