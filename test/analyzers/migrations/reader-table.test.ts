/**
 * One operation, one judgement, whichever reader sees it. The same six operations (drop table,
 * drop column, rename, type change, truncate, delete every row) run through every reader, on a
 * table that exists before the change and on one the same migration creates, in forward and in
 * rollback code. Each must give the same rule at the same severity: the rule's own forward, `low`
 * in rollback code, and nothing on a table the change itself created (nothing that existed is lost).
 */
import { describe, expect, it } from "vitest";
import type { Severity } from "../../../src/model/finding.js";
import { analyze } from "./helpers.js";

type Operation = "drop-table" | "drop-column" | "rename" | "type-change" | "truncate" | "delete-all-rows";

const EXPECTED: Record<Operation, { rule: string; severity: Severity }> = {
  "drop-table": { rule: "sql/drop-table", severity: "critical" },
  "drop-column": { rule: "sql/drop-column", severity: "high" },
  rename: { rule: "sql/rename", severity: "high" },
  "type-change": { rule: "sql/column-type-change", severity: "high" },
  truncate: { rule: "sql/truncate", severity: "critical" },
  "delete-all-rows": { rule: "sql/delete-all-rows", severity: "critical" },
};

interface ReaderCase {
  /** The file for forward code and for rollback code. */
  path: (rollback: boolean) => string;
  /** The statement creating `accounts` with a `legacy_code` column. */
  create: string;
  /** The operation on `accounts` / `legacy_code`; absent where the framework has no such operation. */
  ops: Partial<Record<Operation, string>>;
  /** The whole file around the given lines; `rollback` puts them in the rollback part. */
  file: (lines: string[], rollback: boolean) => string;
  /** No rollback code: the framework reverses operations itself (Django). */
  noRollback?: boolean;
}

const sqlFile = (dir: string): Pick<ReaderCase, "path" | "file"> => ({
  path: (rollback) => `${dir}/20260101000000_accounts.${rollback ? "down" : "up"}.sql`,
  file: (lines) => lines.join("\n") + "\n",
});

const READERS: Record<string, ReaderCase> = {
  "SQL (PostgreSQL)": {
    ...sqlFile("db/migrations"),
    create: "CREATE TABLE accounts (id bigint PRIMARY KEY, legacy_code text);",
    ops: {
      "drop-table": "DROP TABLE accounts;",
      "drop-column": "ALTER TABLE accounts DROP COLUMN legacy_code;",
      rename: "ALTER TABLE accounts RENAME COLUMN legacy_code TO code;",
      "type-change": "ALTER TABLE accounts ALTER COLUMN legacy_code TYPE varchar(20);",
      truncate: "TRUNCATE accounts;",
      "delete-all-rows": "DELETE FROM accounts;",
    },
  },
  "SQL (MySQL)": {
    ...sqlFile("db/mysql"),
    create: "CREATE TABLE accounts (id bigint PRIMARY KEY, legacy_code varchar(40));",
    ops: {
      "drop-table": "DROP TABLE accounts;",
      "drop-column": "ALTER TABLE accounts DROP COLUMN legacy_code;",
      rename: "ALTER TABLE accounts RENAME COLUMN legacy_code TO code;",
      "type-change": "ALTER TABLE accounts MODIFY legacy_code varchar(20);",
      truncate: "TRUNCATE TABLE accounts;",
      "delete-all-rows": "DELETE FROM accounts;",
    },
  },
  "SQL (SQLite)": {
    ...sqlFile("db/sqlite"),
    create: "CREATE TABLE accounts (id integer PRIMARY KEY, legacy_code text);",
    ops: {
      "drop-table": "DROP TABLE accounts;",
      "drop-column": "ALTER TABLE accounts DROP COLUMN legacy_code;",
      rename: "ALTER TABLE accounts RENAME COLUMN legacy_code TO code;",
      "delete-all-rows": "DELETE FROM accounts;",
    },
  },
  "SQL (SQL Server)": {
    ...sqlFile("db/mssql"),
    create: "CREATE TABLE accounts (id int PRIMARY KEY, legacy_code nvarchar(40));",
    ops: {
      "drop-table": "DROP TABLE accounts;",
      "drop-column": "ALTER TABLE accounts DROP COLUMN legacy_code;",
      "type-change": "ALTER TABLE accounts ALTER COLUMN legacy_code nvarchar(20);",
      truncate: "TRUNCATE TABLE accounts;",
      "delete-all-rows": "DELETE FROM accounts;",
    },
  },
  Rails: {
    path: () => "db/migrate/20260101000000_accounts.rb",
    create: "create_table :accounts do |t|\n      t.string :legacy_code\n    end",
    ops: {
      "drop-table": "drop_table :accounts",
      "drop-column": "remove_column :accounts, :legacy_code",
      rename: "rename_column :accounts, :legacy_code, :code",
      "type-change": "change_column :accounts, :legacy_code, :integer",
      truncate: "truncate :accounts",
      "delete-all-rows": "Account.delete_all",
    },
    file: (lines, rollback) => {
      const body = lines.map((l) => `    ${l}`).join("\n");
      return `class Accounts < ActiveRecord::Migration[7.1]\n  def up\n${rollback ? "" : body}\n  end\n\n  def down\n${rollback ? body : ""}\n  end\nend\n`;
    },
  },
  Django: {
    path: () => "accounts/migrations/0002_accounts.py",
    create: 'migrations.CreateModel(name="Account", fields=[("id", models.BigAutoField(primary_key=True)), ("legacy_code", models.CharField(max_length=40))]),',
    ops: {
      "drop-table": 'migrations.DeleteModel(name="Account"),',
      "drop-column": 'migrations.RemoveField(model_name="account", name="legacy_code"),',
      rename: 'migrations.RenameField(model_name="account", old_name="legacy_code", new_name="code"),',
      "type-change": 'migrations.AlterField(model_name="account", name="legacy_code", field=models.IntegerField()),',
    },
    file: (lines) =>
      `from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [("accounts", "0001_initial")]\n\n    operations = [\n${lines.map((l) => `        ${l}`).join("\n")}\n    ]\n`,
    noRollback: true,
  },
  Alembic: {
    path: () => "alembic/versions/3f2a1b9c0d4e_accounts.py",
    create: 'op.create_table("accounts", sa.Column("id", sa.Integer(), primary_key=True), sa.Column("legacy_code", sa.String(40)))',
    ops: {
      "drop-table": 'op.drop_table("accounts")',
      "drop-column": 'op.drop_column("accounts", "legacy_code")',
      rename: 'op.alter_column("accounts", "legacy_code", new_column_name="code")',
      "type-change": 'op.alter_column("accounts", "legacy_code", type_=sa.Integer())',
      truncate: 'op.execute("TRUNCATE accounts")',
      "delete-all-rows": 'op.execute("DELETE FROM accounts")',
    },
    file: (lines, rollback) => {
      const body = lines.map((l) => `    ${l}`).join("\n");
      return `from alembic import op\nimport sqlalchemy as sa\n\nrevision = "3f2a1b9c0d4e"\ndown_revision = "1a2b3c4d5e6f"\n\n\ndef upgrade():\n${rollback ? "    pass" : body}\n\n\ndef downgrade():\n${rollback ? body : "    pass"}\n`;
    },
  },
  Knex: {
    path: () => "migrations/20260101000000_accounts.js",
    create: 'await knex.schema.createTable("accounts", (t) => {\n    t.increments("id");\n    t.string("legacy_code");\n  });',
    ops: {
      "drop-table": 'await knex.schema.dropTable("accounts");',
      "drop-column": 'await knex.schema.alterTable("accounts", (t) => {\n    t.dropColumn("legacy_code");\n  });',
      rename: 'await knex.schema.alterTable("accounts", (t) => {\n    t.renameColumn("legacy_code", "code");\n  });',
      "type-change": 'await knex.schema.alterTable("accounts", (t) => {\n    t.integer("legacy_code").alter();\n  });',
      truncate: 'await knex("accounts").truncate();',
      "delete-all-rows": 'await knex("accounts").del();',
    },
    file: (lines, rollback) => {
      const body = lines.map((l) => `  ${l}`).join("\n");
      return `exports.up = async (knex) => {\n${rollback ? "" : body}\n};\n\nexports.down = async (knex) => {\n${rollback ? body : ""}\n};\n`;
    },
  },
  TypeORM: {
    path: () => "src/migration/1767225600000-Accounts.ts",
    create: 'await queryRunner.query(`CREATE TABLE "accounts" ("id" SERIAL NOT NULL, "legacy_code" character varying)`);',
    ops: {
      "drop-table": 'await queryRunner.dropTable("accounts");',
      "drop-column": 'await queryRunner.dropColumn("accounts", "legacy_code");',
      rename: 'await queryRunner.renameColumn("accounts", "legacy_code", "code");',
      "type-change": 'await queryRunner.changeColumn("accounts", "legacy_code", new TableColumn({ name: "legacy_code", type: "int" }));',
      truncate: 'await queryRunner.clearTable("accounts");',
      "delete-all-rows": 'await queryRunner.query(`DELETE FROM "accounts"`);',
    },
    file: (lines, rollback) => {
      const body = lines.map((l) => `    ${l}`).join("\n");
      return (
        'import { MigrationInterface, QueryRunner, TableColumn } from "typeorm";\n\n' +
        "export class Accounts1767225600000 implements MigrationInterface {\n" +
        `  public async up(queryRunner: QueryRunner): Promise<void> {\n${rollback ? "" : body}\n  }\n\n` +
        `  public async down(queryRunner: QueryRunner): Promise<void> {\n${rollback ? body : ""}\n  }\n}\n`
      );
    },
  },
  Sequelize: {
    path: () => "migrations/20260101000000-accounts.js",
    create: 'await queryInterface.createTable("accounts", {\n      id: { type: Sequelize.INTEGER, primaryKey: true },\n      legacy_code: { type: Sequelize.STRING },\n    });',
    ops: {
      "drop-table": 'await queryInterface.dropTable("accounts");',
      "drop-column": 'await queryInterface.removeColumn("accounts", "legacy_code");',
      rename: 'await queryInterface.renameColumn("accounts", "legacy_code", "code");',
      "type-change": 'await queryInterface.changeColumn("accounts", "legacy_code", { type: Sequelize.INTEGER });',
      truncate: 'await queryInterface.sequelize.query("TRUNCATE accounts");',
      "delete-all-rows": 'await queryInterface.bulkDelete("accounts", null, {});',
    },
    file: (lines, rollback) => {
      const body = lines.map((l) => `    ${l}`).join("\n");
      return `"use strict";\n\nmodule.exports = {\n  async up(queryInterface, Sequelize) {\n${rollback ? "" : body}\n  },\n\n  async down(queryInterface, Sequelize) {\n${rollback ? body : ""}\n  },\n};\n`;
    },
  },
  Liquibase: {
    path: () => "db/changelog/changes/001-accounts.yaml",
    create: "- createTable:\n    tableName: accounts\n    columns:\n      - column: { name: id, type: bigint }\n      - column: { name: legacy_code, type: varchar(40) }",
    ops: {
      "drop-table": "- dropTable:\n    tableName: accounts",
      "drop-column": "- dropColumn:\n    tableName: accounts\n    columnName: legacy_code",
      rename: "- renameColumn:\n    tableName: accounts\n    oldColumnName: legacy_code\n    newColumnName: code",
      "type-change": "- modifyDataType:\n    tableName: accounts\n    columnName: legacy_code\n    newDataType: int",
      "delete-all-rows": "- delete:\n    tableName: accounts",
    },
    file: (lines, rollback) => {
      const indent = (l: string) =>
        l
          .split("\n")
          .map((x) => `        ${x}`)
          .join("\n");
      const body = lines.map(indent).join("\n");
      const tag = "        - tagDatabase:\n            tag: v1";
      return `databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: dev\n      changes:\n${rollback ? tag : body}\n${rollback ? `      rollback:\n${body}\n` : ""}`;
    },
  },
  pgroll: {
    path: () => "migrations/20260101000000_accounts.json",
    create: '{ "create_table": { "name": "accounts", "columns": [{ "name": "id", "type": "bigint", "pk": true }, { "name": "legacy_code", "type": "text" }] } }',
    ops: {
      "drop-table": '{ "drop_table": { "name": "accounts" } }',
      "drop-column": '{ "drop_column": { "table": "accounts", "column": "legacy_code" } }',
      rename: '{ "rename_column": { "table": "accounts", "from": "legacy_code", "to": "code" } }',
      "type-change": '{ "alter_column": { "table": "accounts", "column": "legacy_code", "type": "varchar(20)", "up": "legacy_code", "down": "legacy_code" } }',
      truncate: '{ "sql": { "up": "TRUNCATE accounts" } }',
      "delete-all-rows": '{ "sql": { "up": "DELETE FROM accounts" } }',
    },
    file: (lines) => `{\n  "operations": [\n    ${lines.join(",\n    ")}\n  ]\n}\n`,
    // pgroll rolls back by itself; its operations have no rollback half to read.
    noRollback: true,
  },
  Reshape: {
    path: () => "migrations/20260101000000_accounts.toml",
    create: '[[actions]]\ntype = "create_table"\nname = "accounts"\nprimary_key = ["id"]\n\n  [[actions.columns]]\n  name = "id"\n  type = "BIGINT"',
    ops: {
      "drop-table": '[[actions]]\ntype = "remove_table"\ntable = "accounts"',
      "drop-column": '[[actions]]\ntype = "remove_column"\ntable = "accounts"\ncolumn = "legacy_code"',
      rename: '[[actions]]\ntype = "alter_column"\ntable = "accounts"\ncolumn = "legacy_code"\n\n  [actions.changes]\n  name = "code"',
      "type-change": '[[actions]]\ntype = "alter_column"\ntable = "accounts"\ncolumn = "legacy_code"\nup = "legacy_code::varchar(20)"\n\n  [actions.changes]\n  type = "VARCHAR(20)"',
      truncate: '[[actions]]\ntype = "custom"\nstart = "TRUNCATE accounts"',
      "delete-all-rows": '[[actions]]\ntype = "custom"\nstart = "DELETE FROM accounts"',
    },
    file: (lines) => `${lines.join("\n\n")}\n`,
    noRollback: true,
  },
};

const OPERATIONS = Object.keys(EXPECTED) as Operation[];

describe("every reader judges the same operation the same way", () => {
  for (const [reader, spec] of Object.entries(READERS)) {
    describe(reader, () => {
      for (const op of OPERATIONS) {
        const statement = spec.ops[op];
        if (statement === undefined) continue;
        const { rule, severity } = EXPECTED[op];
        const judged = (lines: string[], rollback: boolean) =>
          analyze(spec.path(rollback), spec.file(lines, rollback))
            .filter((f) => f.rule !== "sql/opaque-code")
            .map((f) => `${f.rule} ${f.severity}${f.rollback ? " rollback" : ""}`);

        it(`${op} on an existing table: ${rule} ${severity}`, () => {
          expect(judged([statement], false)).toEqual([`${rule} ${severity}`]);
        });
        it(`${op} on a table created in the same migration: nothing`, () => {
          expect(judged([spec.create, statement], false)).toEqual([]);
        });
        if (!spec.noRollback) {
          it(`${op} in rollback code: ${rule} low`, () => {
            expect(judged([statement], true)).toEqual([`${rule} low rollback`]);
          });
          it(`${op} in rollback code after creating the table there: nothing`, () => {
            expect(judged([spec.create, statement], true)).toEqual([]);
          });
        }
      }
    });
  }
});

describe("named cases of the same rule", () => {
  it("a Rails join table created and dropped in one migration loses nothing", () => {
    const rb = READERS.Rails!.file(["create_join_table :tags, :articles", "drop_join_table :articles, :tags"], false);
    expect(analyze("db/migrate/20260101000000_tags.rb", rb)).toEqual([]);
  });

  it("a Rails join table that existed before is dropped at drop-table critical", () => {
    const rb = READERS.Rails!.file(["drop_join_table :articles, :tags"], false);
    expect(analyze("db/migrate/20260101000000_tags.rb", rb).map((f) => `${f.rule} ${f.severity} ${f.object}`)).toEqual(["sql/drop-table critical articles_tags"]);
  });

  it("CASCADE raises a dropped column to critical in every SQL reader", () => {
    for (const dir of ["db/migrations", "db/mysql"]) {
      const findings = analyze(`${dir}/20260101000000_x.up.sql`, "ALTER TABLE accounts DROP COLUMN legacy_code CASCADE;\n");
      expect(findings.map((f) => `${f.rule} ${f.severity}`), dir).toContain("sql/drop-column critical");
    }
  });
});
