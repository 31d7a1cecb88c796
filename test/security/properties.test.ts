/**
 * Property tests of the engine on SQL and ORM migrations (issue 12, build item 3): random and
 * mutated files of every framework never crash it (an analyzer that throws shows as
 * "analyzer failed", which is asserted never to happen) and yield only known rules, each failure
 * a `*\/unparsed` or `gate/…` finding; the findings digest a sign-off is bound to ignores
 * unrelated lines moving and reformatting, and changes with any operand of a gating statement.
 * No time is measured; a hang fails by vitest's timeout. `npm run fuzz` runs the long version.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
import type { Finding } from "../../src/model/finding.js";
import { findingsDigest } from "../../src/policy/digest.js";
import { knownRuleIds } from "../../src/policy/rule-ids.js";
import { MemorySource } from "../../src/source/memory.js";
import { mutated, SEEDS } from "./seeds.js";

const KNOWN = new Set(knownRuleIds());

async function analyze(path: string, text: string, base: Record<string, string> = {}): Promise<Finding[]> {
  const result = await analyzeChangeSet(new MemorySource(base, { [path]: text }));
  expect(result.errors).toEqual([]);
  for (const f of result.findings) {
    expect(KNOWN.has(f.rule), f.rule).toBe(true);
    expect(f.message).not.toMatch(/analyzer failed|could not start/);
  }
  return result.findings;
}

describe("mutated and random migrations into the engine", () => {
  it.each(Object.keys(SEEDS))("%s: never a crash, only known rules", async (path) => {
    await fc.assert(
      fc.asyncProperty(mutated(SEEDS[path]!), async (text) => {
        await analyze(path, text);
      }),
      { numRuns: 25 },
    );
  });

  it.each(Object.keys(SEEDS))("%s: random text, never a crash", async (path) => {
    await fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 300, unit: "binary" }), async (text) => {
        await analyze(path, text);
      }),
      { numRuns: 10 },
    );
  });

  it("an edit of an applied migration that makes it unreadable is still reported", async () => {
    const path = "db/migrate/20240101000000_drop_users.sql";
    await fc.assert(
      fc.asyncProperty(mutated(SEEDS[path]!), async (text) => {
        const findings = await analyze(path, text, { [path]: SEEDS[path]! });
        if (text !== SEEDS[path]) expect(findings.length).toBeGreaterThan(0);
      }),
      { numRuns: 25 },
    );
  });
});

const SQL = "db/migrate/20240101000000_x.sql";
const sqlDigest = async (text: string) => findingsDigest(await analyze(SQL, text));

describe("the findings digest", () => {
  const gating = ["DROP TABLE users;", "UPDATE accounts SET active = false;", "ALTER TABLE orders DROP COLUMN note;"];
  const unrelated = ["-- a note", "", "CREATE TABLE audit_a (id bigint);", "CREATE TABLE audit_b (id int, at timestamptz);", "INSERT INTO audit_a VALUES (1);", "COMMENT ON TABLE audit_a IS 'x';", "SELECT 1;"];
  /** Runs of spaces, tabs and newlines between the tokens of a statement. */
  const spaced = (statement: string, gaps: string[]) => statement.split(" ").reduce((out, token, i) => (i === 0 ? token : `${out}${gaps[i % gaps.length]}${token}`), "");

  it("is stable when unrelated lines move, appear or go, and the gating statements are reformatted", async () => {
    const reference = await sqlDigest(gating.join("\n"));
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray([...unrelated, ...unrelated], { minLength: 0 }),
        fc.array(fc.nat(), { minLength: 3, maxLength: 3 }),
        fc.array(fc.constantFrom(" ", "  ", "\t", "\n", "\n  ", " \n\t"), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (extra, slots, gaps, upper) => {
          const lines = [...extra];
          // Gating statements go in their order at positions among the unrelated lines.
          gating.forEach((g, i) => {
            const statement = spaced(upper ? g.replace(/^(DROP TABLE|UPDATE|ALTER TABLE)/, (k) => k.toLowerCase()) : g, gaps);
            lines.splice(Math.min(lines.length, slots[i]! % (lines.length + 1)), 0, statement);
          });
          expect(await sqlDigest(lines.join("\n"))).toBe(reference);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("changes when any operand of a gating statement changes", async () => {
    const name = fc.constantFrom("users", "accounts", "orders", "u2", "email", "active", "password_hash");
    const value = fc.constantFrom("false", "true", "NULL", "0", "1", "''", "'x'", "'X'", "now()");
    const statement = fc.oneof(
      fc.tuple(fc.constant("update"), name, name, value).map(([, t, c, v]) => ({ key: `u:${t}:${c}:${v}`, sql: `UPDATE ${t} SET ${c} = ${v};` })),
      fc.tuple(fc.constant("drop"), name).map(([, t]) => ({ key: `d:${t}`, sql: `DROP TABLE ${t};` })),
      fc.tuple(fc.constant("column"), name, name).map(([, t, c]) => ({ key: `c:${t}:${c}`, sql: `ALTER TABLE ${t} DROP COLUMN ${c};` })),
      fc.tuple(fc.constant("delete"), name).map(([, t]) => ({ key: `x:${t}`, sql: `DELETE FROM ${t};` })),
    );
    await fc.assert(
      fc.asyncProperty(statement, statement, async (a, b) => {
        fc.pre(a.key !== b.key);
        expect(await sqlDigest(`${a.sql}\n`)).not.toBe(await sqlDigest(`${b.sql}\n`));
      }),
      { numRuns: 60 },
    );
    // Two assignments: any operand of either changes it.
    const base = "UPDATE users SET email = NULL, password_hash = '';";
    const digest = await sqlDigest(base);
    for (const variant of ["UPDATE users SET email = NULL, password_hash = 'x';", "UPDATE users SET email = NULL, name = '';", "UPDATE users SET email = 1, password_hash = '';", "UPDATE users SET active = false;", "UPDATE accounts SET email = NULL, password_hash = '';"]) {
      expect(await sqlDigest(variant), variant).not.toBe(digest);
    }
  });

  it.each(Object.keys(SEEDS).filter((p) => !p.endsWith(".sql")))("%s: stable under blank and comment lines added between lines", async (path) => {
    const text = SEEDS[path]!;
    const comment = path.endsWith(".xml") ? "<!-- note -->" : /\.(rb|py|ya?ml)$/.test(path) ? "# note" : "// note";
    const reference = findingsDigest(await analyze(path, text));
    const lines = text.split("\n");
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.integer({ min: 1, max: lines.length - 1 }), fc.constantFrom("", comment)), { maxLength: 6 }), async (inserts) => {
        const out = [...lines];
        for (const [at, line] of [...inserts].sort((x, y) => y[0] - x[0])) out.splice(at, 0, line);
        expect(findingsDigest(await analyze(path, out.join("\n")))).toBe(reference);
      }),
      { numRuns: 15 },
    );
  });
});
