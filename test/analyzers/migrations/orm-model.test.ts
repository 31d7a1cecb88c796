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

  // The check dropped at the end is still reported, low: the column enforces what it did.
  it("is not reported: the check added NOT VALID at base, validated, then change_column_null", async () => {
    const base = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE };
    const head = { ...base, "db/migrate/20230402100000_validate_title_not_null.rb": STEP_TWO };
    expect(at(await scan(base, head))).toEqual(["sql/drop-constraint:7:low"]);
  });

  it("is not reported when both steps come in one pull request", async () => {
    const head = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE, "db/migrate/20230402100000_validate_title_not_null.rb": STEP_TWO };
    expect(at(await scan(RAILS, head))).toEqual(["sql/drop-constraint:7:low"]);
  });

  it("is reported when the check is never validated before change_column_null", async () => {
    const base = { ...RAILS, "db/migrate/20230401100000_add_title_not_null_check.rb": STEP_ONE };
    const skipped = STEP_TWO.replace('  validate_check_constraint :bookmarks, name: "bookmarks_title_null"\n', "");
    const head = { ...base, "db/migrate/20230402100000_validate_title_not_null.rb": skipped };
    expect(at(await scan(base, head))).toEqual(["sql/drop-constraint:6:low", "sql/not-null:5:medium"]);
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

const knex = (up: string[], down: string[] = []) =>
  ["exports.up = function (knex) {", ...up.map((l) => `  ${l}`), "};", "", "exports.down = function (knex) {", ...down.map((l) => `  ${l}`), "};", ""].join("\n");

const KNEX = {
  "migrations/20230102090000_create_readings.js": knex(
    [
      'return knex.schema.createTable("readings", (table) => {',
      '  table.increments("id");',
      '  table.integer("sensor_id").unsigned().notNullable();',
      '  table.float("value").notNullable();',
      '  table.string("label", 40);',
      '  table.integer("priority").defaultTo(5);',
      "  table.timestamps(false, true);",
      "});",
    ],
    ['return knex.schema.dropTable("readings");'],
  ),
  "migrations/20230301100000_add_unit.js": knex([
    'return knex.schema.alterTable("readings", (table) => {',
    '  table.string("unit", 16);',
    '  table.text("note");',
    "});",
  ]),
};

const alterReadings = (name: string, lines: string[], down: string[] = []) => ({
  ...KNEX,
  [`migrations/20230415120000_${name}.js`]: knex(['return knex.schema.alterTable("readings", (table) => {', ...lines.map((l) => `  ${l}`), "});"], down),
});

describe("Knex schema builder calls at base make the model", () => {
  it(".alter() to another type says from what to what, though only a default was meant", async () => {
    const found = await scan(KNEX, alterReadings("value_default", ['table.integer("value").defaultTo(0).alter();']));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/readings\.value from real to integer \(\.alter\(\)\); every value is converted/);
  });

  it(".alter() that restates the type and the nullability reports nothing", async () => {
    const head = alterReadings("value_same", ['table.float("value").notNullable().alter();', 'table.integer("priority").defaultTo(1).alter();']);
    expect(at(await scan(KNEX, head))).toEqual([]);
  });

  it(".notNullable().alter() on a nullable column of the same type is NOT NULL only", async () => {
    const found = await scan(KNEX, alterReadings("require_unit", ['table.string("unit", 16).notNullable().alter();']));
    expect(at(found)).toEqual(["sql/not-null:3:medium"]);
    expect(found[0]!.message).toMatch(/readings\.unit NOT NULL/);
  });

  it(".alter() to a longer string widens, at medium", async () => {
    const found = await scan(KNEX, alterReadings("longer_labels", ['table.string("label", 120).alter();'], ['return knex.schema.alterTable("readings", (table) => { table.string("label", 40).alter(); });']));
    expect(at(found)).toEqual(["sql/column-type-change:3:medium", "sql/column-type-change:8:low"]);
    expect(found.find((f) => f.line === 3)!.message).toMatch(/from varchar\(40\) to varchar\(120\).*widens/);
  });

  it(".alter() without .defaultTo() on a column that has a default drops it", async () => {
    const found = await scan(KNEX, alterReadings("priority_plain", ['table.integer("priority").alter();']));
    expect(at(found)).toEqual(["sql/drop-default:3:medium"]);
    expect(found[0]!.message).toMatch(/default of readings\.priority/);
  });

  it("follows renameColumn, dropColumn and a column added again with another type", async () => {
    const base = {
      ...KNEX,
      "migrations/20230310100000_reshape.js": knex([
        'return knex.schema.alterTable("readings", (table) => {',
        '  table.renameColumn("note", "remark");',
        '  table.dropColumn("label");',
        "});",
      ]),
      "migrations/20230320100000_label_again.js": knex(['return knex.schema.table("readings", (table) => { table.text("label"); });']),
    };
    const head = {
      ...base,
      "migrations/20230415120000_keep.js": knex([
        'return knex.schema.alterTable("readings", (table) => {',
        '  table.text("remark").alter();',
        '  table.text("label").alter();',
        "});",
      ]),
    };
    expect(at(await scan(base, head))).toEqual([]);
    // Without the rename followed, the column would not be known: the same alteration of the old name stays a possible type change.
    const old = { ...base, "migrations/20230415120000_keep.js": knex(['return knex.schema.alterTable("readings", (table) => { table.text("note").alter(); });']) };
    expect(at(await scan(base, old))).toEqual(["sql/column-type-change:2:high"]);
  });

  it(".alter() stays a possible type change, saying why, when a migration at base runs SQL the model cannot follow", async () => {
    const base = { ...KNEX, "migrations/20230320100000_retype.js": knex(["const type = process.env.VALUE_TYPE;", "return knex.raw(`ALTER TABLE readings ALTER COLUMN value TYPE ${type}`);"]) };
    const found = (await scan(base, { ...base, ...alterReadings("value_same", ['table.float("value").notNullable().alter();']) })).filter((f) => f.file.endsWith("value_same.js"));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/its type before is not known \(the migrations at base could not all be followed: .*_retype\.js:3/);
  });

  it("a TypeORM migration in the directory is a gap: the model does not follow queryRunner.changeColumn", async () => {
    const base = {
      ...KNEX,
      "migrations/20230320100000_retype.ts": [
        'import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";',
        "export class Retype1679306400000 implements MigrationInterface {",
        "  async up(queryRunner: QueryRunner) {",
        '    await queryRunner.changeColumn("readings", "value", new TableColumn({ name: "value", type: "text" }));',
        "  }",
        "  async down() {}",
        "}",
        "",
      ].join("\n"),
    };
    const found = (await scan(base, { ...base, ...alterReadings("value_same", ['table.float("value").notNullable().alter();']) })).filter((f) => f.file.endsWith("value_same.js"));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/_retype\.ts is a TypeORM, Sequelize or Kysely migration/);
  });

  it("a plain function call in a Knex migration is read like any other code", async () => {
    const head = { ...KNEX, "migrations/20230415120000_helper.js": ['const widen = (knex) => knex.schema.alterTable("readings", (table) => { table.string("label", 120).alter(); });', "exports.up = (knex) => widen(knex);", ""].join("\n") };
    expect(at(await scan(KNEX, head))).toEqual(["sql/column-type-change:1:medium"]);
  });

  it("a column no migration at base declares is still a possible type change", async () => {
    const found = await scan(KNEX, alterReadings("colour", ['table.string("colour", 20).alter();']));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/no migration at base defines the column/);
  });
});

const alembic = (revision: string, down: string | null, upgrade: string[], downgrade: string[] = ["pass"]) =>
  [
    "import sqlalchemy as sa",
    "from alembic import op",
    "from sqlalchemy.dialects import postgresql",
    "",
    `revision = "${revision}"`,
    `down_revision = ${down === null ? "None" : `"${down}"`}`,
    "",
    "",
    "def upgrade():",
    ...upgrade.map((l) => `    ${l}`),
    "",
    "",
    "def downgrade():",
    ...downgrade.map((l) => `    ${l}`),
    "",
  ].join("\n");

/** The line of the first upgrade() statement in `alembic(…)`. */
const UPGRADE = 10;

const ALEMBIC = {
  "alembic/versions/1a2b3c4d5e6f_create_ticket.py": alembic("1a2b3c4d5e6f", null, [
    "op.create_table(",
    '    "ticket",',
    '    sa.Column("id", sa.Integer(), nullable=False),',
    '    sa.Column("title", sa.String(length=80), nullable=False),',
    '    sa.Column("status", sa.VARCHAR(), nullable=True),',
    '    sa.Column("points", sa.SmallInteger(), server_default="0"),',
    '    sa.Column("opened_at", sa.DateTime(timezone=True), server_default=sa.text("now()")),',
    '    sa.PrimaryKeyConstraint("id"),',
    ")",
  ]),
  "alembic/versions/2b3c4d5e6f7a_ticket_notes.py": alembic("2b3c4d5e6f7a", "1a2b3c4d5e6f", [
    'op.add_column("ticket", sa.Column("notes", sa.Text(), nullable=True))',
    'op.add_column("ticket", sa.Column("legacy", sa.Boolean()))',
  ]),
};

const revise = (base: Record<string, string>, down: string, upgrade: string[]) => ({ ...base, "alembic/versions/9f8e7d6c5b4a_change.py": alembic("9f8e7d6c5b4a", down, upgrade) });

describe("Alembic operations at base make the model", () => {
  it("alter_column type_= to a wider integer says from what to what, at medium", async () => {
    const found = await scan(ALEMBIC, revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "points", type_=sa.BigInteger())']));
    expect(at(found)).toEqual([`sql/column-type-change:${UPGRADE}:medium`]);
    expect(found[0]!.message).toMatch(/ticket\.points from smallint to bigint \(alter_column type_=\); it widens/);
  });

  it("alter_column type_= to the type the column has reports nothing", async () => {
    const head = revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "status", type_=sa.String())', 'op.alter_column("ticket", "title", type_=sa.String(80), nullable=False)']);
    expect(at(await scan(ALEMBIC, head))).toEqual([]);
  });

  it("alter_column type_= to a shorter string narrows, at high", async () => {
    const found = await scan(ALEMBIC, revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "title", existing_type=sa.String(length=80), type_=sa.String(length=40))']));
    expect(at(found)).toEqual([`sql/column-type-change:${UPGRADE}:high`]);
    expect(found[0]!.message).toMatch(/from varchar\(80\) to varchar\(40\).*narrows/);
  });

  it("nullable=False on a column the model knows is NOT NULL is no finding; on a nullable one it is", async () => {
    const head = revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "title", existing_type=sa.String(80), nullable=False)', 'op.alter_column("ticket", "notes", nullable=False)']);
    expect(at(await scan(ALEMBIC, head))).toEqual([`sql/not-null:${UPGRADE + 1}:medium`]);
  });

  it("follows drop_column, alter_column new_column_name= and batch_alter_table", async () => {
    const base = {
      ...ALEMBIC,
      "alembic/versions/3c4d5e6f7a8b_reshape.py": alembic("3c4d5e6f7a8b", "2b3c4d5e6f7a", [
        'op.drop_column("ticket", "legacy")',
        'op.alter_column("ticket", "notes", new_column_name="summary")',
        'with op.batch_alter_table("ticket") as batch_op:',
        '    batch_op.add_column(sa.Column("legacy", sa.Integer(), nullable=True))',
        '    batch_op.alter_column("points", type_=sa.Integer())',
      ]),
    };
    const head = revise(base, "3c4d5e6f7a8b", ['op.alter_column("ticket", "summary", type_=sa.Text())', 'op.alter_column("ticket", "legacy", type_=sa.Integer())', 'op.alter_column("ticket", "points", type_=sa.Integer())']);
    expect(at(await scan(base, head))).toEqual([]);
  });

  it("alter_column stays a possible type change, saying why, when a revision at base runs only under a condition", async () => {
    const base = {
      ...ALEMBIC,
      "alembic/versions/3c4d5e6f7a8b_maybe.py": alembic("3c4d5e6f7a8b", "2b3c4d5e6f7a", [
        "conn = op.get_bind()",
        'if "points" in [c["name"] for c in sa.inspect(conn).get_columns("ticket")]:',
        '    op.alter_column("ticket", "points", type_=sa.Text())',
      ]),
    };
    const found = (await scan(base, revise(base, "3c4d5e6f7a8b", ['op.alter_column("ticket", "status", type_=sa.String())']))).filter((f) => f.file.endsWith("_change.py"));
    expect(at(found)).toEqual([`sql/column-type-change:${UPGRADE}:high`]);
    expect(found[0]!.message).toMatch(/its type before is not known \(the migrations at base could not all be followed: .*_maybe\.py:12: op\.alter_column runs only under a condition/);
  });

  it("existing_type= gives the type before where no migration at base defines the column", async () => {
    const head = revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "colour", existing_type=sa.VARCHAR(length=20), type_=sa.Text())']);
    const found = await scan(ALEMBIC, head);
    expect(at(found)).toEqual([`sql/column-type-change:${UPGRADE}:medium`]);
    expect(found[0]!.message).toMatch(/from varchar\(20\) to text as existing_type= states it/);
    const unstated = await scan(ALEMBIC, revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "colour", type_=sa.Text())']));
    expect(at(unstated)).toEqual([`sql/column-type-change:${UPGRADE}:high`]);
    expect(unstated[0]!.message).toMatch(/no migration at base defines the column/);
  });

  it("of the model's type and existing_type=, the judgement that loses more counts", async () => {
    // The model says smallint → integer widens; the revision says it was bigint, which narrows.
    const found = await scan(ALEMBIC, revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "points", existing_type=sa.BigInteger(), type_=sa.Integer())']));
    expect(at(found)).toEqual([`sql/column-type-change:${UPGRADE}:high`]);
    expect(found[0]!.message).toMatch(/from bigint to integer/);
  });

  it("a different Enum is a conversion, the same Enum no type change", async () => {
    const base = {
      ...ALEMBIC,
      "alembic/versions/3c4d5e6f7a8b_priority.py": alembic("3c4d5e6f7a8b", "2b3c4d5e6f7a", ['op.add_column("ticket", sa.Column("priority", sa.Enum("low", "high", name="priority")))']),
    };
    const same = await scan(base, revise(base, "3c4d5e6f7a8b", ['op.alter_column("ticket", "priority", type_=sa.Enum("low", "high", name="priority"))']));
    expect(at(same)).toEqual([]);
    const other = await scan(base, revise(base, "3c4d5e6f7a8b", ['op.alter_column("ticket", "priority", type_=sa.Enum("low", "mid", "high", name="priority"))']));
    expect(at(other)).toEqual([`sql/column-type-change:${UPGRADE}:high`]);
  });
});

describe("Knex: a table builder the model cannot see through is a gap", () => {
  it("a builder handed to a helper declares columns the model does not know: .alter() stays a possible type change", async () => {
    const base = {
      ...KNEX,
      "migrations/20230320100000_common.js": [
        "const addAudit = (table) => { table.text(\"value\"); };",
        'exports.up = (knex) => knex.schema.createTable("archive", (table) => { table.increments(); addAudit(table); });',
        "",
      ].join("\n"),
    };
    const head = { ...base, ...alterReadings("value_same", ['table.float("value").notNullable().alter();']) };
    const found = (await scan(base, head)).filter((f) => f.file.endsWith("value_same.js"));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/_common\.js:2: knex\.schema\.createTable\(archive\) with a builder used other than by its own calls/);
  });
});

describe("an operation on a table no migration at base creates is a gap that says so", () => {
  it("Alembic", async () => {
    const base = { ...ALEMBIC, "alembic/versions/3c4d5e6f7a8b_elsewhere.py": alembic("3c4d5e6f7a8b", "2b3c4d5e6f7a", ['op.add_column("account", sa.Column("plan", sa.Text()))']) };
    const found = await scan(base, revise(base, "3c4d5e6f7a8b", ['op.alter_column("ticket", "status", type_=sa.String())']));
    expect(at(found)).toEqual([`sql/column-type-change:${UPGRADE}:high`]);
    expect(found[0]!.message).toMatch(/_elsewhere\.py:10: op\.add_column on account, which no migration before it creates\)$/);
  });

  it("Knex", async () => {
    const base = { ...KNEX, "migrations/20230320100000_elsewhere.js": knex(['return knex.schema.alterTable("account", (table) => { table.text("plan"); });']) };
    const found = (await scan(base, { ...base, ...alterReadings("value_same", ['table.float("value").notNullable().alter();']) })).filter((f) => f.file.endsWith("value_same.js"));
    expect(at(found)).toEqual(["sql/column-type-change:3:high"]);
    expect(found[0]!.message).toMatch(/_elsewhere\.js:2: knex\.schema\.alterTable on account, which no migration before it creates\)$/);
  });
});

describe("Knex dropNullable judged against the model", () => {
  it("is no finding on a column the model knows is NOT NULL, and NOT NULL on a nullable one", async () => {
    const found = await scan(KNEX, alterReadings("require", ['table.dropNullable("value");', 'table.dropNullable("unit");']));
    expect(at(found)).toEqual(["sql/not-null:4:medium"]);
    expect(found[0]!.message).toMatch(/readings\.unit NOT NULL/);
  });
});

describe("Alembic server_default=None judged against the model", () => {
  it("drops a default the model knows, and is no finding on a column without one", async () => {
    const found = await scan(ALEMBIC, revise(ALEMBIC, "2b3c4d5e6f7a", ['op.alter_column("ticket", "points", server_default=None)', 'op.alter_column("ticket", "notes", server_default=None)']));
    expect(at(found)).toEqual([`sql/drop-default:${UPGRADE}:medium`]);
    expect(found[0]!.message).toMatch(/default of ticket\.points/);
  });
});
