import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";

// The schema model built from ORM schema operations at base (Rails, Knex, Alembic), and the
// changes of a pull request judged against it. Small original histories in the style of real ones.

async function scan(base: Tree, head: Tree): Promise<Finding[]> {
  return (await analyzeChangeSet(new MemorySource(base, head))).findings;
}

const at = (findings: Finding[]) => findings.map((f) => `${f.rule}:${f.line}:${f.severity}`).sort();

const rails = (name: string, version: string, body: string) =>
  [`class ${name} < ActiveRecord::Migration[${version}]`, ...body.split("\n").map((l) => (l === "" ? l : `  ${l}`)), "end", ""].join("\n");

const RAILS = {
  "db/migrate/20230102090000_create_bookmarks.rb": rails(
    "CreateBookmarks",
    "7.0",
    [
      "def change",
      "  create_table :bookmarks do |t|",
      "    t.references :user, null: false, foreign_key: true",
      "    t.string :title, limit: 120",
      "    t.boolean :pinned, default: false",
      "    t.text :notes",
      "    t.timestamps",
      "  end",
      "end",
    ].join("\n"),
  ),
  "db/migrate/20230301100000_add_position_to_bookmarks.rb": rails(
    "AddPositionToBookmarks",
    "7.0",
    ["def change", "  add_column :bookmarks, :position, :integer", "  add_column :bookmarks, :archived_at, :datetime", "end"].join("\n"),
  ),
};

describe("Rails schema operations at base make the model", () => {
  it("change_column boolean to boolean with null: false is NOT NULL only, not a type change", async () => {
    const head = {
      ...RAILS,
      "db/migrate/20230415120000_require_pinned.rb": rails(
        "RequirePinned",
        "7.0",
        ["def up", "  change_column :bookmarks, :pinned, :boolean, null: false, default: false", "end", "", "def down", "  change_column :bookmarks, :pinned, :boolean, null: true", "end"].join("\n"),
      ),
    };
    const found = await scan(RAILS, head);
    expect(at(found)).toEqual(["sql/not-null:3:medium"]);
    expect(found[0]!.message).toMatch(/bookmarks\.pinned NOT NULL/);
  });

  it("change_column that keeps the type and only sets a default reports nothing", async () => {
    const head = {
      ...RAILS,
      "db/migrate/20230415120000_position_default.rb": rails(
        "PositionDefault",
        "7.0",
        ["def up", "  change_column :bookmarks, :position, :integer, default: 0", "end"].join("\n"),
      ),
    };
    expect(at(await scan(RAILS, head))).toEqual([]);
  });

  it("change_column to a narrower string says from what to what", async () => {
    const head = {
      ...RAILS,
      "db/migrate/20230415120000_shorter_titles.rb": rails("ShorterTitles", "7.0", ["def up", "  change_column :bookmarks, :title, :string, limit: 60", "end"].join("\n")),
    };
    const found = await scan(RAILS, head);
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/from varchar\(120\) to varchar\(60\).*narrows/);
  });

  it("change_column of a column the history changed in change_table follows that change", async () => {
    const base = {
      ...RAILS,
      "db/migrate/20230310100000_widen_notes.rb": rails(
        "WidenNotes",
        "7.0",
        ["def change", "  change_table :bookmarks do |t|", "    t.change :position, :bigint", "    t.rename :notes, :summary", "  end", "end"].join("\n"),
      ),
    };
    const head = {
      ...base,
      "db/migrate/20230415120000_position_again.rb": rails(
        "PositionAgain",
        "7.0",
        ["def up", "  change_column :bookmarks, :position, :bigint, null: true", "  change_column :bookmarks, :summary, :text, default: \"\"", "end"].join("\n"),
      ),
    };
    expect(at(await scan(base, head))).toEqual([]);
  });

  it("change_column stays a possible type change, saying why, when a migration at base runs SQL the model cannot follow", async () => {
    const base = {
      ...RAILS,
      "db/migrate/20230320100000_retype.rb": rails("Retype", "7.0", ["def up", "  execute \"ALTER TABLE bookmarks ALTER COLUMN pinned TYPE #{type_for(:pinned)}\"", "end"].join("\n")),
    };
    const head = {
      ...base,
      "db/migrate/20230415120000_require_pinned.rb": rails("RequirePinned", "7.0", ["def up", "  change_column :bookmarks, :pinned, :boolean, null: false", "end"].join("\n")),
    };
    const found = (await scan(base, head)).filter((f) => f.file.endsWith("require_pinned.rb"));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/its type before is not known \(the migrations at base could not all be followed: .*_retype\.rb:3/);
  });

  it("a column that no Rails migration at base has is still a possible type change", async () => {
    const head = {
      ...RAILS,
      "db/migrate/20230415120000_retype_colour.rb": rails("RetypeColour", "7.0", ["def up", "  change_column :bookmarks, :colour, :string", "end"].join("\n")),
    };
    expect(at(await scan(RAILS, head))).toEqual(["sql/column-type-change:3:high"]);
  });
});

describe("Rails: the safe NOT NULL pattern that explain sql/not-null recommends", () => {
  const STEP_ONE = rails(
    "AddTitleNotNullCheck",
    "7.1",
    ["disable_ddl_transaction!", "", "def change", "  add_check_constraint :bookmarks, \"title IS NOT NULL\", name: \"bookmarks_title_null\", validate: false", "end"].join("\n"),
  );
  const STEP_TWO = rails(
    "ValidateTitleNotNull",
    "7.1",
    [
      "disable_ddl_transaction!",
      "",
      "def up",
      "  validate_check_constraint :bookmarks, name: \"bookmarks_title_null\"",
      "  change_column_null :bookmarks, :title, false",
      "  remove_check_constraint :bookmarks, name: \"bookmarks_title_null\"",
      "end",
      "",
      "def down",
      "  add_check_constraint :bookmarks, \"title IS NOT NULL\", name: \"bookmarks_title_null\", validate: false",
      "  change_column_null :bookmarks, :title, true",
      "end",
    ].join("\n"),
  );

  it("is not reported: the check added NOT VALID at base, validated, then change_column_null", async () => {
    const base = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE };
    const head = { ...base, "db/migrate/20230402100000_validate_title_not_null.rb": STEP_TWO };
    expect(at(await scan(base, head))).toEqual([]);
  });

  it("is not reported when both steps come in one pull request", async () => {
    const head = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE, "db/migrate/20230402100000_validate_title_not_null.rb": STEP_TWO };
    expect(at(await scan(RAILS, head))).toEqual([]);
  });

  it("is reported when the check is never validated before change_column_null", async () => {
    const base = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE };
    const skipped = STEP_TWO.replace('  validate_check_constraint :bookmarks, name: "bookmarks_title_null"\n', "");
    const head = { ...base, "db/migrate/20230402100000_validate_title_not_null.rb": skipped };
    expect(at(await scan(base, head))).toEqual(["sql/not-null:5:medium"]);
  });

  it("is reported when the validated check is about another column", async () => {
    const base = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE };
    const other = STEP_TWO.replace("change_column_null :bookmarks, :title, false", "change_column_null :bookmarks, :notes, false");
    const head = { ...base, "db/migrate/20230402100000_validate_title_not_null.rb": other };
    // The title check is dropped while title may still hold NULLs: that is a constraint lost.
    expect(at(await scan(base, head))).toEqual(["sql/drop-constraint:7:medium", "sql/not-null:6:medium"]);
  });

  it("change_column_null true and change_column_default from/to are no findings", async () => {
    const head = {
      ...RAILS,
      "db/migrate/20230415120000_relax.rb": rails(
        "Relax",
        "7.0",
        ["def change", "  change_column_null :bookmarks, :user_id, true", "  change_column_default :bookmarks, :pinned, from: false, to: true", "end"].join("\n"),
      ),
    };
    expect(at(await scan(RAILS, head))).toEqual([]);
  });
});
