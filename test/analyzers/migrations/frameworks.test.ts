import { describe, expect, it } from "vitest";
import { analyze, brief, hits } from "./helpers.js";

const rails = (body: string) => `class X < ActiveRecord::Migration[7.1]\n${body}\nend\n`;

describe("Rails", () => {
  const path = "db/migrate/20260101000000_x.rb";

  it("maps destructive ActiveRecord calls to sql rules at their lines", () => {
    const findings = analyze(
      path,
      rails(
        [
          "  def up",
          "    remove_columns :users, :a, :b",
          "    rename_table :users, :people",
          "    change_column :orders, :total, :integer",
          "    create_table :things, force: true do |t|",
          "      t.string :name",
          "    end",
          "    change_table :people do |t|",
          "      t.remove :c",
          "      t.rename :d, :e",
          "    end",
          "    User.update_all(plan: 'free')",
          "    Session.delete_all",
          "    User.where(active: false).delete_all",
          "  end",
        ].join("\n"),
      ),
    );
    expect(brief(findings)).toEqual([
      { rule: "sql/drop-column", line: 3, severity: "high", rollback: false, object: "users.a" },
      { rule: "sql/drop-column", line: 3, severity: "high", rollback: false, object: "users.b" },
      { rule: "sql/rename", line: 4, severity: "high", rollback: false, object: "users" },
      { rule: "sql/column-type-change", line: 5, severity: "high", rollback: false, object: "orders.total" },
      { rule: "sql/drop-table", line: 6, severity: "critical", rollback: false, object: "things" },
      { rule: "sql/drop-column", line: 10, severity: "high", rollback: false, object: "people.c" },
      { rule: "sql/rename", line: 11, severity: "high", rollback: false, object: "people.d" },
      { rule: "sql/update-all-rows", line: 13, severity: "high", rollback: false, object: "User" },
      { rule: "sql/delete-all-rows", line: 14, severity: "critical", rollback: false, object: "Session" },
    ]);
  });

  it("reports the down method at low as rollback, and marks safety_assured as acknowledged", () => {
    const findings = analyze(
      path,
      rails(["  def up", "    safety_assured { remove_column :users, :ssn }", "  end", "  def down", "    drop_table :users_backup", "  end"].join("\n")),
    );
    expect(findings).toMatchObject([
      { rule: "sql/drop-column", line: 3, severity: "high", acknowledged: "safety_assured" },
      { rule: "sql/drop-table", line: 6, severity: "low", rollback: true },
    ]);
    expect(findings[0]?.rollback).toBeUndefined();
  });

  it("reports nothing for additive migrations and for a drop of a table created in the same migration", () => {
    const findings = analyze(
      path,
      rails(
        [
          "  disable_ddl_transaction!",
          "  def change",
          "    create_table :widgets do |t|",
          "      t.string :name, null: false",
          "    end",
          "    add_column :users, :nickname, :string",
          "    add_index :users, :nickname, algorithm: :concurrently",
          "  end",
          "  def up_helper",
          "    create_table :scratch",
          "    drop_table :scratch",
          "  end",
        ].join("\n"),
      ),
    );
    expect(findings).toEqual([]);
  });

  it("reports execute of a non-literal as opaque code", () => {
    expect(hits(analyze(path, rails("  def up\n    execute sql_for(:cleanup)\n  end")))).toEqual(["sql/opaque-code@3"]);
  });
});

describe("Django", () => {
  const path = "shop/migrations/0007_x.py";
  const migration = (operations: string) =>
    `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    operations = [\n${operations}\n    ]\n`;

  it("maps schema operations to sql rules", () => {
    const findings = analyze(
      path,
      migration(
        [
          '        migrations.RenameModel(old_name="Item", new_name="Product"),',
          '        migrations.AlterModelTable(name="product", table="products"),',
          '        migrations.RemoveIndex(model_name="product", name="product_sku_idx"),',
          '        migrations.RemoveConstraint(model_name="product", name="sku_unique"),',
        ].join("\n"),
      ),
    );
    expect(hits(findings)).toEqual(["sql/drop-constraint@9", "sql/drop-index@8", "sql/rename@6", "sql/rename@7"]);
  });

  it("reads database_operations of SeparateDatabaseAndState and ignores state_operations", () => {
    const findings = analyze(
      path,
      migration(
        [
          "        migrations.SeparateDatabaseAndState(",
          '            state_operations=[migrations.DeleteModel(name="Ghost")],',
          '            database_operations=[migrations.RemoveField(model_name="user", name="legacy")],',
          "        ),",
        ].join("\n"),
      ),
    );
    expect(brief(findings)).toEqual([{ rule: "sql/drop-column", line: 8, severity: "high", rollback: false, object: "user.legacy" }]);
  });

  it("treats a RunPython reverse function as rollback", () => {
    const py = [
      "from django.db import migrations",
      "",
      "def forwards(apps, schema_editor):",
      "    pass",
      "",
      "def backwards(apps, schema_editor):",
      '    apps.get_model("shop", "Order").objects.all().delete()',
      "",
      "class Migration(migrations.Migration):",
      "    operations = [migrations.RunPython(forwards, backwards)]",
    ].join("\n");
    expect(brief(analyze(path, py))).toEqual([
      { rule: "sql/opaque-code", line: 7, severity: "low", rollback: true, object: 'apps.get_model("shop", "Order").objects.all()' },
      { rule: "sql/opaque-code", line: 10, severity: "medium", rollback: false, object: "forwards" },
    ]);
  });

  it("reports nothing for additive operations, RunPython.noop or non-migration Python", () => {
    const findings = analyze(
      path,
      migration(
        [
          '        migrations.CreateModel(name="Tag", fields=[("id", models.AutoField(primary_key=True))]),',
          '        migrations.AddField(model_name="user", name="bio", field=models.TextField(default="")),',
          "        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),",
        ].join("\n"),
      ),
    );
    expect(findings).toEqual([]);
    expect(analyze("tools/versions/helpers.py", "def drop_table(x):\n    return x.delete()\n")).toEqual([]);
  });
});

describe("Alembic", () => {
  const path = "migrations/versions/abc123_x.py";

  it("reads batch_alter_table, renames and NOT NULL through alter_column", () => {
    const py = [
      "from alembic import op",
      "",
      "def upgrade():",
      '    with op.batch_alter_table("users") as batch_op:',
      '        batch_op.drop_column("ssn")',
      '    op.alter_column("orders", "state", new_column_name="status")',
      '    op.alter_column("orders", "total", nullable=False)',
      '    op.rename_table("a", "b")',
      '    op.drop_constraint("fk_x", "orders")',
      "",
      "def downgrade():",
      '    op.drop_index("ix_users_email")',
    ].join("\n");
    expect(brief(analyze(path, py))).toEqual([
      { rule: "sql/drop-column", line: 5, severity: "high", rollback: false, object: "users.ssn" },
      { rule: "sql/rename", line: 6, severity: "high", rollback: false, object: "orders.state" },
      { rule: "sql/not-null", line: 7, severity: "medium", rollback: false, object: "orders.total" },
      { rule: "sql/rename", line: 8, severity: "high", rollback: false, object: "a" },
      { rule: "sql/drop-constraint", line: 9, severity: "medium", rollback: false, object: "fk_x" },
      { rule: "sql/drop-index", line: 12, severity: "low", rollback: true, object: "ix_users_email" },
    ]);
  });

  it("reports interpolated SQL as opaque code, still checking its literal parts, and nothing for additive upgrades", () => {
    const opaque = ["from alembic import op", "def upgrade():", '    op.execute(f"DELETE FROM {table}")'].join("\n");
    expect(hits(analyze(path, opaque))).toEqual(["sql/delete-all-rows@3", "sql/opaque-code@3"]);
    const additive = [
      "from alembic import op",
      "import sqlalchemy as sa",
      "def upgrade():",
      '    op.add_column("users", sa.Column("bio", sa.Text()))',
      '    op.create_index("ix_bio", "users", ["bio"])',
      "def downgrade():",
      '    op.drop_column("users", "bio")',
    ].join("\n");
    expect(brief(analyze(path, additive))).toEqual([{ rule: "sql/drop-column", line: 7, severity: "low", rollback: true, object: "users.bio" }]);
  });
});

describe("Knex", () => {
  const path = "migrations/20260101000000_x.js";

  it("reads ESM exports, .alter(), truncate and scoped deletes", () => {
    const js = [
      "export async function up(knex) {",
      "  await knex.schema.alterTable('orders', (t) => {",
      "    t.integer('total').notNullable().alter();",
      "  });",
      "  await knex('audit').truncate();",
      "  await knex('sessions').where('expired', true).del();",
      "  await knex.schema.renameTable('a', 'b');",
      "}",
      "export async function down(knex) {",
      "  await knex.schema.dropSchemaIfExists('reporting');",
      "}",
    ].join("\n");
    expect(brief(analyze(path, js))).toEqual([
      { rule: "sql/column-type-change", line: 3, severity: "high", rollback: false, object: "orders.total" },
      { rule: "sql/truncate", line: 5, severity: "critical", rollback: false, object: "audit" },
      { rule: "sql/rename", line: 7, severity: "high", rollback: false, object: "a" },
      { rule: "sql/drop-schema", line: 10, severity: "low", rollback: true, object: "reporting" },
    ]);
  });

  it("reports nothing for additive migrations or for Map.delete in helpers", () => {
    const js = [
      "const seen = new Map();",
      "exports.up = function (knex) {",
      "  seen.delete('x');",
      "  return knex.schema.createTable('tags', (t) => { t.increments('id'); t.string('name'); });",
      "};",
      "exports.down = (knex) => knex.schema.dropTable('tags');",
    ].join("\n");
    expect(brief(analyze(path, js))).toEqual([{ rule: "sql/drop-table", line: 6, severity: "low", rollback: true, object: "tags" }]);
  });
});

describe("Sequelize", () => {
  const path = "migrations/20260101000000-cleanup.js";

  it("maps queryInterface calls, bulkDelete with an empty where included", () => {
    const js = [
      "module.exports = {",
      "  async up(queryInterface, Sequelize) {",
      "    await queryInterface.removeColumn('Users', 'ssn');",
      "    await queryInterface.changeColumn('Orders', 'total', { type: Sequelize.INTEGER });",
      "    await queryInterface.bulkDelete('Sessions', {});",
      "    await queryInterface.bulkDelete('Sessions', { expired: true });",
      "    await queryInterface.dropTable('Legacy');",
      "  },",
      "  async down(queryInterface) {",
      "    await queryInterface.renameColumn('Users', 'email_address', 'email');",
      "  },",
      "};",
    ].join("\n");
    expect(brief(analyze(path, js))).toEqual([
      { rule: "sql/drop-column", line: 3, severity: "high", rollback: false, object: "Users.ssn" },
      { rule: "sql/column-type-change", line: 4, severity: "high", rollback: false, object: "Orders.total" },
      { rule: "sql/delete-all-rows", line: 5, severity: "critical", rollback: false, object: "Sessions" },
      { rule: "sql/drop-table", line: 7, severity: "critical", rollback: false, object: "Legacy" },
      { rule: "sql/rename", line: 10, severity: "low", rollback: true, object: "Users.email_address" },
    ]);
  });

  it("reports nothing for an additive migration", () => {
    const js = "module.exports = {\n  up: (qi, S) => qi.addColumn('Users', 'bio', { type: S.TEXT }),\n  down: (qi) => qi.removeColumn('Users', 'bio'),\n};\n";
    expect(analyze(path, js).filter((f) => !f.rollback)).toEqual([]);
  });
});

describe("TypeORM", () => {
  const path = "src/migrations/1767225600000-Cleanup.ts";

  it("maps QueryRunner calls; interpolated SQL is opaque", () => {
    const ts = [
      'import { MigrationInterface, QueryRunner } from "typeorm"',
      "export class Cleanup1767225600000 implements MigrationInterface {",
      "    public async up(queryRunner: QueryRunner): Promise<void> {",
      '        await queryRunner.renameColumn("user", "email", "email_address")',
      '        await queryRunner.dropForeignKey("order", "FK_1")',
      "        await queryRunner.query(`DELETE FROM ${table}`)",
      "    }",
      "    public async down(queryRunner: QueryRunner): Promise<void> {}",
      "}",
    ].join("\n");
    expect(hits(analyze(path, ts))).toEqual(["sql/delete-all-rows@6", "sql/drop-constraint@5", "sql/opaque-code@6", "sql/rename@4"]);
  });

  it("reports nothing for a generated additive migration", () => {
    const ts = [
      "export class AddBio1 implements MigrationInterface {",
      "    public async up(queryRunner: QueryRunner): Promise<void> {",
      '        await queryRunner.addColumn("user", new TableColumn({ name: "bio", type: "text" }))',
      "    }",
      "}",
    ].join("\n");
    expect(analyze(path, ts)).toEqual([]);
  });
});

describe("Liquibase", () => {
  it("reads XML changelogs: changes forward, rollback blocks as rollback", () => {
    const xml = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">',
      '  <changeSet id="1" author="alice">',
      '    <dropColumn tableName="users">',
      '      <column name="ssn"/>',
      "    </dropColumn>",
      '    <update tableName="users"><column name="plan" value="free"/></update>',
      '    <delete tableName="sessions"><where>expired = true</where></delete>',
      '    <modifyDataType tableName="orders" columnName="total" newDataType="int"/>',
      "    <rollback>",
      '      <dropTable tableName="backup"/>',
      "    </rollback>",
      "  </changeSet>",
      "</databaseChangeLog>",
    ].join("\n");
    expect(brief(analyze("db/changelog/changes/001.xml", xml))).toEqual([
      { rule: "sql/drop-column", line: 4, severity: "high", rollback: false, object: "users.ssn" },
      { rule: "sql/update-all-rows", line: 7, severity: "high", rollback: false, object: "users" },
      { rule: "sql/column-type-change", line: 9, severity: "high", rollback: false, object: "orders.total" },
      { rule: "sql/drop-table", line: 11, severity: "low", rollback: true, object: "backup" },
    ]);
  });

  it("reads JSON changelogs and reports nothing for additive changesets or include-only masters", () => {
    const json = JSON.stringify(
      { databaseChangeLog: [{ changeSet: { id: "1", author: "a", changes: [{ renameTable: { oldTableName: "a", newTableName: "b" } }] } }] },
      null,
      2,
    );
    expect(hits(analyze("db/changelog/001.json", json))).toEqual(["sql/rename@9"]);
    const additive = "databaseChangeLog:\n  - changeSet:\n      id: 2\n      author: a\n      changes:\n        - addColumn:\n            tableName: users\n            columns:\n              - column: { name: bio, type: text }\n";
    expect(analyze("db/changelog/002.yaml", additive)).toEqual([]);
    expect(analyze("db/changelog/db.changelog-master.yaml", "databaseChangeLog:\n  - includeAll:\n      path: changes/\n")).toEqual([]);
  });
});

describe("Prisma", () => {
  it("surfaces each warning verbatim at the block's line", () => {
    const sql = "/*\n  Warnings:\n\n  - The values [OLD] on the enum `Status` will be removed. If these variants are still used in the database, this will fail.\n\n*/\n";
    const findings = analyze("prisma/migrations/20260101000000_x/migration.sql", sql);
    expect(findings).toMatchObject([{ rule: "sql/prisma-warning", line: 1, severity: "high", object: "Status" }]);
    expect(findings[0]?.message).toBe("The values [OLD] on the enum `Status` will be removed. If these variants are still used in the database, this will fail.");
  });

  it("reports nothing for a file without a Warnings block", () => {
    const sql = '-- CreateTable\nCREATE TABLE "Tag" ("id" TEXT NOT NULL);\n';
    expect(analyze("prisma/migrations/20260101000000_x/migration.sql", sql).filter((f) => f.rule === "sql/prisma-warning")).toEqual([]);
  });
});

describe("goose Go migrations", () => {
  it("reports SQL built at run time as opaque code and ignores Go files that are not goose migrations", () => {
    const go = [
      "package migrations",
      "func init() { goose.AddMigration(up, nil) }",
      "func up(tx *sql.Tx) error {",
      '  _, err := tx.Exec(fmt.Sprintf("DROP TABLE %s", name))',
      "  return err",
      "}",
    ].join("\n");
    expect(hits(analyze("migrations/00003_x.go", go))).toEqual(["sql/opaque-code@4"]);
    expect(analyze("migrations/helpers.go", 'package migrations\nfunc x(tx *sql.Tx) { tx.Exec(q) }\n')).toEqual([]);
  });
});
