import type { RuleMeta } from "../../src/model/rule.js";

const CREATE_USERS = `class CreateUsers < ActiveRecord::Migration[7.1]
  def change
    create_table :users do |t|
      t.string :email
    end
  end
end
`;

const ADD_INDEX = `class AddIndexToUsersEmail < ActiveRecord::Migration[7.1]
  disable_ddl_transaction!

  def change
    add_index :users, :email, algorithm: :concurrently
  end
end
`;

export const editedMigration: RuleMeta = {
  id: "sql/edited-migration",
  title: "Existing migration edited",
  severity: "high",
  category: "integrity",
  why:
    "A migration that was already applied is not run again, so editing, renaming or deleting it makes " +
    "environments disagree: new databases get the new version, existing ones keep the old. Tools that " +
    "checksum migrations (Flyway, Atlas) refuse to run at all.",
  safeAlternative:
    "Leave applied migrations as they are and add a new migration that makes the change. Edit an old " +
    "migration only when you know it has run nowhere.",
  docs: "docs/rules.md#sql-edited-migration",
  // Decided from the change set (which migrations existed before), so the examples are changes.
  examples: {
    fires: [
      {
        note: "a merged Rails migration is edited",
        base: { "db/migrate/20240101000000_create_users.rb": CREATE_USERS },
        head: { "db/migrate/20240101000000_create_users.rb": CREATE_USERS.replace("t.string :email", "t.string :email, null: false") },
      },
      { note: "a merged Flyway migration is deleted", base: { "db/migration/V3__add_orders.sql": "CREATE TABLE orders (id bigint PRIMARY KEY);\n" }, head: {} },
    ],
    passes: [
      {
        note: "a new migration is added beside the merged ones",
        base: { "db/migrate/20240101000000_create_users.rb": CREATE_USERS },
        head: { "db/migrate/20240101000000_create_users.rb": CREATE_USERS, "db/migrate/20260101000000_add_index.rb": ADD_INDEX },
      },
    ],
  },
};
