/**
 * pgroll (JSON/YAML operations) and Reshape (TOML/JSON actions), read statically: each operation under
 * the rule its SQL would get, raw SQL through the SQL analyzer, and malformed input as sql/unparsed.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLayouts } from "../../../src/analyzers/migrations/layouts.js";
import { analyze } from "./helpers.js";

const brief = (path: string, text: string) => analyze(path, text).map((f) => [f.rule, f.line, f.object ?? null, f.severity]);

const PGROLL_JSON = `{
  "name": "04_cleanup_orders",
  "operations": [
    { "drop_column": { "table": "orders", "column": "legacy_status", "down": "'unknown'" } },
    { "rename_column": { "table": "orders", "from": "total", "to": "total_cents" } },
    {
      "alter_column": {
        "table": "orders",
        "column": "placed_at",
        "type": "timestamptz",
        "up": "placed_at AT TIME ZONE 'UTC'",
        "down": "placed_at"
      }
    },
    { "drop_table": { "name": "order_archive" } },
    { "create_index": { "name": "orders_user_idx", "table": "orders", "columns": ["user_id"] } },
    { "sql": { "up": "DELETE FROM order_events;", "down": "SELECT 1" } }
  ]
}
`;

const PGROLL_YAML = `operations:
  - create_table:
      name: scratch
      columns:
        - name: id
          type: serial
          pk: true
  - drop_table:
      name: scratch
  - drop_constraint:
      table: reviews
      name: reviews_rating_check
      up: rating
      down: rating
  - alter_column:
      table: reviews
      column: body
      nullable: false
      up: SELECT CASE WHEN body IS NULL THEN '' ELSE body END
      down: body
  - sql:
      up: |
        UPDATE reviews SET score = 0;
        TRUNCATE review_flags;
`;

const RESHAPE_TOML = `# Reshape migration: drop the old users columns
[[actions]]
type = "remove_column"
table = "users"
column = "nickname"

  [actions.down]
  table = "users"
  value = "''"

[[actions]]
type = "alter_column"
table = "users"
column = "name"
up = "INITCAP(name)"

  [actions.changes]
  name = "full_name"
  type = "TEXT"

[[actions]]
type = "remove_enum"
enum = "user_kind"

[[actions]]
type = "remove_foreign_key"
table = "orders"
foreign_key = "orders_user_id_fkey"

[[actions]]
type = "remove_index"
index = "users_name_idx"

[[actions]]
type = "custom"
start = """
DELETE FROM sessions;
"""
abort = "DROP TABLE sessions_backup"

[[actions]]
type = "remove_table"
table = "audit_log"
`;

describe("pgroll", () => {
  it("reads a JSON migration operation by operation, at each operation's line", () => {
    expect(brief("migrations/04_cleanup_orders.json", PGROLL_JSON)).toEqual([
      ["sql/drop-column", 4, "orders.legacy_status", "high"],
      ["sql/rename", 5, "orders.total", "high"],
      ["sql/column-type-change", 6, "orders.placed_at", "high"],
      ["sql/drop-table", 15, "order_archive", "critical"],
      ["sql/delete-all-rows", 17, "order_events", "critical"],
    ]);
  });

  it("reads YAML, with a table created and dropped in the same migration losing nothing", () => {
    expect(brief("db/migrations/05_reviews.yaml", PGROLL_YAML)).toEqual([
      ["sql/drop-constraint", 10, "reviews.reviews_rating_check", "medium"],
      ["sql/not-null", 15, "reviews.body", "medium"],
      ["sql/update-all-rows", 23, "reviews", "high"],
      ["sql/truncate", 24, "review_flags", "critical"],
    ]);
  });

  it("binds each finding to the whole operation", () => {
    const [first] = analyze("migrations/04_cleanup_orders.json", PGROLL_JSON);
    expect(first!.statement).toBe('drop_column {"column":"legacy_status","down":"\'unknown\'","table":"orders"}');
  });

  it("reports an operation it has no reading of, and the rest still", () => {
    const text = '{"operations": [{"frobnicate_table": {"name": "t"}}, {"drop_table": {"name": "u"}}]}';
    expect(brief("migrations/06.json", text)).toEqual([
      ["sql/unparsed", 1, "frobnicate_table", "high"],
      ["sql/drop-table", 1, "u", "critical"],
    ]);
  });
});

describe("Reshape", () => {
  it("reads a TOML migration action by action", () => {
    expect(brief("migrations/3_drop_nickname.toml", RESHAPE_TOML)).toEqual([
      ["sql/drop-column", 2, "users.nickname", "high"],
      ["sql/column-type-change", 11, "users.name", "high"],
      ["sql/rename", 11, "users.name", "high"],
      ["sql/drop-object", 21, "user_kind", "medium"],
      ["sql/drop-constraint", 25, "orders.orders_user_id_fkey", "medium"],
      ["sql/drop-index", 30, "users_name_idx", "medium"],
      ["sql/delete-all-rows", 37, "sessions", "critical"],
      ["sql/drop-table", 39, "sessions_backup", "low"],
      ["sql/drop-table", 41, "audit_log", "critical"],
    ]);
  });

  it("reads the JSON form", () => {
    const text = '{\n  "actions": [\n    { "type": "remove_table", "table": "legacy" },\n    { "type": "custom", "start": "TRUNCATE jobs" }\n  ]\n}\n';
    expect(brief("migrations/4_legacy.json", text)).toEqual([
      ["sql/drop-table", 3, "legacy", "critical"],
      ["sql/truncate", 4, "jobs", "critical"],
    ]);
  });
});

describe("default layouts and files that are not such migrations", () => {
  it("claims JSON, YAML and TOML files in a migrations folder", () => {
    const layouts = createLayouts();
    for (const path of ["migrations/01_init.json", "db/migrations/02_x.yaml", "sql/migrations/03.yml", "migrations/4_users.toml"]) {
      expect(layouts.readerFor(path), path).toBe("declarative");
    }
    expect(layouts.readerFor("src/config.json")).toBeNull();
    expect(layouts.readerFor("db/changelog/changes/001.yaml")).toBe("liquibase");
  });

  it("judges nothing in other data files that sit there", () => {
    expect(analyze("prisma/migrations/migration_lock.toml", '# Please do not edit this file manually\nprovider = "postgresql"\n')).toEqual([]);
    expect(analyze("drizzle/migrations/meta/_journal.json", '{"version":"7","dialect":"postgresql","entries":[]}')).toEqual([]);
  });
});

describe("hostile and malformed input", () => {
  const cases: [string, string, number][] = [
    ["migrations/1.json", '{"operations": [', 1],
    ["migrations/1.json", '{"operations": {"drop_table": {"name": "t"}}}', 1],
    ["migrations/1.json", '{"operations": [{"drop_table": {"name": "t"}, "drop_column": {}}]}', 1],
    ["migrations/1.json", '{"operations": ["drop_table"]}', 1],
    ["migrations/1.yaml", "operations:\n  - drop_table: [1, 2\n", 3],
    ["migrations/1.toml", '[[actions]]\ntype = "remove_table"\ntable = \n', 3],
    ["migrations/1.toml", 'actions = "remove everything"\n', 1],
    ["migrations/1.json", '{"actions": [{"table": "t"}]}', 1],
    ["migrations/1.json", '{"operations": [{"sql": {"up": {"nested": true}}}]}', 1],
  ];
  for (const [path, text, line] of cases) {
    it(`reports ${JSON.stringify(text.slice(0, 50))} as sql/unparsed`, () => {
      const found = analyze(path, text);
      expect(found.map((f) => f.rule)).toContain("sql/unparsed");
      expect(found.find((f) => f.rule === "sql/unparsed")!.line).toBe(line);
    });
  }

  it("survives YAML alias bombs and deep nesting", () => {
    const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\noperations:\n  - drop_table: {name: *d}\n';
    expect(() => analyze("migrations/bomb.yaml", bomb)).not.toThrow();
    const deep = `{"operations": [${"[".repeat(5000)}${"]".repeat(5000)}]}`;
    expect(analyze("migrations/deep.json", deep).map((f) => f.rule)).toContain("sql/unparsed");
    const deepToml = `actions = ${"[".repeat(5000)}${"]".repeat(5000)}\n`;
    expect(analyze("migrations/deep.toml", deepToml).map((f) => f.rule)).toContain("sql/unparsed");
  });

  it("never throws on arbitrary text", () => {
    const json = fc.string({ maxLength: 200 }).map((s) => `{"operations": [${s}]}`);
    const toml = fc.string({ maxLength: 200 }).map((s) => `[[actions]]\n${s}`);
    fc.assert(
      fc.property(fc.oneof(json, toml), fc.boolean(), (text, asToml) => {
        expect(() => analyze(asToml ? "migrations/x.toml" : "migrations/x.json", text)).not.toThrow();
      }),
      { numRuns: 300 },
    );
  });
});
