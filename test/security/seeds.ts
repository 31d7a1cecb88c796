import fc from "fast-check";

/** One migration per framework, each dropping a table among harmless lines: the seeds that the property tests and `npm run fuzz` mutate. */
export const SEEDS: Record<string, string> = {
  "db/migrate/20240101000000_drop_users.sql": "-- cleanup\nCREATE TABLE audit (id bigint PRIMARY KEY, at timestamptz);\nINSERT INTO audit VALUES (1, now());\nDROP TABLE users;\nUPDATE accounts SET active = false;\nDO $$ BEGIN EXECUTE 'SELECT 1'; END $$;\n",
  "db/migrate/20240101000001_drop_users.rb": 'class DropUsers < ActiveRecord::Migration[7.1]\n  def change\n    create_table :audit do |t|\n      t.string :name\n    end\n    drop_table :users\n    remove_column :accounts, :email\n    execute "DELETE FROM orders"\n  end\nend\n',
  "app/migrations/0002_drop_users.py": "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n    dependencies = [('app', '0001_initial')]\n    operations = [\n        migrations.AddField('account', 'age', models.IntegerField(null=True)),\n        migrations.DeleteModel('User'),\n        migrations.RemoveField('account', 'email'),\n        migrations.RunSQL('TRUNCATE orders'),\n    ]\n",
  "alembic/versions/abc123_drop_users.py": "from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'abc123'\ndown_revision = None\n\n\ndef upgrade():\n    op.add_column('account', sa.Column('age', sa.Integer()))\n    op.drop_table('users')\n    op.drop_column('account', 'email')\n    op.execute('DELETE FROM orders')\n\n\ndef downgrade():\n    pass\n",
  "migrations/20240101000000_drop_users.js": "exports.up = async function (knex) {\n  await knex.schema.createTable('audit', (t) => { t.increments('id'); });\n  await knex.schema.dropTable('users');\n  await knex.schema.table('accounts', (t) => { t.dropColumn('email'); });\n  await knex.raw('TRUNCATE orders');\n};\nexports.down = async function () {};\n",
  "src/migrations/1700000000000-DropUsers.ts": "import { MigrationInterface, QueryRunner } from 'typeorm';\n\nexport class DropUsers1700000000000 implements MigrationInterface {\n  async up(queryRunner: QueryRunner): Promise<void> {\n    await queryRunner.query(`CREATE TABLE audit (id int)`);\n    await queryRunner.dropTable('users');\n    await queryRunner.query(`DROP TABLE orders`);\n  }\n  async down(): Promise<void> {}\n}\n",
  "migrations/20240101000001-drop-users.js": "'use strict';\nmodule.exports = {\n  async up(queryInterface, Sequelize) {\n    await queryInterface.addColumn('accounts', 'age', { type: Sequelize.INTEGER });\n    await queryInterface.dropTable('users');\n    await queryInterface.removeColumn('accounts', 'email');\n    await queryInterface.sequelize.query('TRUNCATE orders');\n  },\n  async down() {},\n};\n",
  "db/changelog/db.changelog-master.xml": '<?xml version="1.0" encoding="UTF-8"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="a">\n    <createTable tableName="audit"><column name="id" type="int"/></createTable>\n  </changeSet>\n  <changeSet id="2" author="a">\n    <dropTable tableName="users"/>\n    <dropColumn tableName="accounts" columnName="email"/>\n    <sql>TRUNCATE orders</sql>\n  </changeSet>\n</databaseChangeLog>\n',
  "db/changelog/changes/002-drop.yaml": "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - createTable:\n            tableName: audit\n            columns:\n              - column: { name: id, type: int }\n  - changeSet:\n      id: 2\n      author: a\n      changes:\n        - dropTable:\n            tableName: users\n        - dropColumn:\n            tableName: accounts\n            columnName: email\n        - sql:\n            sql: TRUNCATE orders\n",
};


const CHUNKS = ["(", ")", "'", '"', "`", ";", "$$", "--", "/*", "*/", "\n", " ", "{", "}", "[", "]", ":", ",", "<", ">", "=", "#", "\\", "DROP TABLE x", "end", "do", "def ", "!", "é", "\u0000"];

/** Deletes, duplicates, inserts or replaces a slice of `text`, once or a few times. */
export function mutated(text: string): fc.Arbitrary<string> {
  const one = (t: string) =>
    fc
      .tuple(fc.nat(t.length), fc.nat(40), fc.constantFrom("delete", "insert", "replace", "duplicate"), fc.array(fc.constantFrom(...CHUNKS), { maxLength: 4 }))
      .map(([at, length, op, chunks]) => {
        const chunk = chunks.join("");
        if (op === "delete") return t.slice(0, at) + t.slice(at + length);
        if (op === "insert") return t.slice(0, at) + chunk + t.slice(at);
        if (op === "duplicate") return t.slice(0, at + length) + t.slice(at, at + length) + t.slice(at + length);
        return t.slice(0, at) + chunk + t.slice(at + length);
      });
  return one(text).chain((t) => fc.oneof(fc.constant(t), one(t), one(t).chain(one)));
}
