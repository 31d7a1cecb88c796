import { describe, expect, it } from "vitest";
import { findingsDigest } from "../../src/policy/digest.js";
import { finding } from "./fakes.js";

const base = [
  finding("sql/drop-table", { object: "users", line: 3, message: "DROP TABLE users" }),
  finding("sql/drop-column", { object: "orders.note", line: 9, message: "ALTER TABLE orders DROP COLUMN note" }),
];

describe("findingsDigest", () => {
  it("is a stable, versioned sha256", () => {
    expect(findingsDigest(base)).toMatch(/^v1:[0-9a-f]{64}$/);
    expect(findingsDigest(base)).toBe(findingsDigest(structuredClone(base)));
  });

  it("does not change when lines move or the order changes", () => {
    const moved = base.map((f) => ({ ...f, line: f.line + 40, endLine: f.line + 41 })).reverse();
    expect(findingsDigest(moved)).toBe(findingsDigest(base));
  });

  it("ignores line references inside messages", () => {
    const a = [finding("sql/unparsed", { message: "Statement at line 12 could not be parsed" })];
    const b = [finding("sql/unparsed", { message: "Statement at line 30 could not be parsed" })];
    expect(findingsDigest(a)).toBe(findingsDigest(b));
  });

  it("is bound to the statement, not to the message that summarises it", () => {
    const safe = [finding("sql/update-all-rows", { object: "users", message: "UPDATE users without WHERE", statement: "UPDATE users SET active = false" })];
    const worse = [finding("sql/update-all-rows", { object: "users", message: "UPDATE users without WHERE", statement: "UPDATE users SET email = NULL, password_hash = ''" })];
    expect(findingsDigest(worse)).not.toBe(findingsDigest(safe));
    // Rewording the message of a finding that carries its statement keeps the digest.
    expect(findingsDigest([{ ...safe[0]!, message: "every row of users is updated" }])).toBe(findingsDigest(safe));
    // A finding that gained a statement is a different finding than one that has none.
    expect(findingsDigest([finding("sql/update-all-rows", { object: "users", message: "UPDATE users without WHERE" })])).not.toBe(findingsDigest(safe));
  });

  it.each([
    ["a new finding", [...base, finding("sql/truncate", { object: "audit" })]],
    ["a finding gone", base.slice(0, 1)],
    ["another object", [{ ...base[0]!, object: "accounts" }, base[1]!]],
    ["another file", [{ ...base[0]!, file: "db/migrate/002.sql" }, base[1]!]],
    ["another severity", [{ ...base[0]!, severity: "medium" as const }, base[1]!]],
    ["another statement", [{ ...base[0]!, message: "DROP TABLE users CASCADE" }, base[1]!]],
    ["a duplicate of the same statement", [...base, base[0]!]],
  ])("changes with %s", (_name, findings) => {
    expect(findingsDigest(findings)).not.toBe(findingsDigest(base));
  });
});
