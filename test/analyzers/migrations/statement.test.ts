/** ORM findings carry the normalised source of the call they come from (`Finding.statement`). */
import { describe, expect, it } from "vitest";
import { analyze } from "./helpers.js";

describe("ORM findings carry their call as the statement", () => {
  it("Rails: the call with its arguments, reformatting folded", () => {
    const a = analyze("db/migrate/20240101_drop.rb", "class X < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :email # old\n  end\nend\n");
    const b = analyze("db/migrate/20240101_drop.rb", "class X < ActiveRecord::Migration[7.1]\n  def change\n    remove_column(:users,   :email)\n  end\nend\n");
    const c = analyze("db/migrate/20240101_drop.rb", "class X < ActiveRecord::Migration[7.1]\n  def change\n    remove_column :users, :password_digest\n  end\nend\n");
    const statement = (findings: typeof a) => findings.find((f) => f.rule === "sql/drop-column")?.statement;
    expect(statement(a)).toBe("remove_column :users, :email");
    expect(statement(c)).toBe("remove_column :users, :password_digest");
    expect(statement(b)).not.toBe(statement(c));
  });

  it("Knex, Alembic, Django and Liquibase findings all have one", () => {
    const files: [string, string][] = [
      ["migrations/20240101_x.js", "exports.up = (knex) => knex.schema.dropTable('users');\nexports.down = () => {};\n"],
      ["alembic/versions/abc_x.py", "from alembic import op\n\ndef upgrade():\n    op.drop_column('users', 'email')\n\ndef downgrade():\n    pass\n"],
      ["app/migrations/0002_x.py", "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RemoveField(model_name='user', name='email')]\n"],
      ["db/changelog/changes.yaml", "databaseChangeLog:\n  - changeSet:\n      id: 1\n      author: a\n      changes:\n        - dropTable:\n            tableName: users\n"],
    ];
    for (const [path, text] of files) {
      const findings = analyze(path, text);
      expect(findings.length, path).toBeGreaterThan(0);
      for (const f of findings) expect(f.statement, `${f.rule} in ${path}`).toMatch(/\S/);
    }
    const knex = analyze(files[0]![0], files[0]![1]).find((f) => f.rule === "sql/drop-table");
    expect(knex?.statement).toBe("knex.schema.dropTable('users')");
  });
});
