import { describe, expect, it } from "vitest";
import { analyze, runRuleTests } from "../rule-tester.js";

/** Prisma's RedefineTables for SQLite (the table `User` changes; its old definition is not in the file). */
const PRISMA = [
  "-- RedefineTables",
  "PRAGMA defer_foreign_keys=ON;",
  "PRAGMA foreign_keys=OFF;",
  'CREATE TABLE "new_User" (',
  '    "id" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,',
  '    "email" TEXT NOT NULL,',
  '    "name" TEXT',
  ");",
  'INSERT INTO "new_User" ("email", "id", "name") SELECT "email", "id", "name" FROM "User";',
  'DROP TABLE "User";',
  'ALTER TABLE "new_User" RENAME TO "User";',
  'CREATE UNIQUE INDEX "User_email_key" ON "User"("email");',
  "PRAGMA foreign_keys=ON;",
  "PRAGMA defer_foreign_keys=OFF;",
].join("\n");

/** An IDE-generated SQLite patch in the style of uptime-kuma's db/old_migrations (MIT). */
const PATCH = [
  "BEGIN TRANSACTION;",
  "",
  "create table setting_dg_tmp",
  "(",
  "    id INTEGER",
  "        primary key autoincrement,",
  "    key VARCHAR(200) not null",
  "        unique,",
  "    value TEXT,",
  "    type VARCHAR(20)",
  ");",
  "",
  "insert into setting_dg_tmp(id, key, value, type) select id, key, value, type from setting;",
  "",
  "drop table setting;",
  "",
  "alter table setting_dg_tmp rename to setting;",
  "",
  "COMMIT;",
].join("\n");

/** The old order: rename the table away, create the new one under its name, copy, drop the old. */
const OLD_ORDER = [
  "ALTER TABLE monitor RENAME TO monitor_old;",
  "CREATE TABLE monitor (id INTEGER PRIMARY KEY, name VARCHAR(150), url TEXT);",
  "INSERT INTO monitor (id, name, url) SELECT id, name, url FROM monitor_old;",
  "DROP TABLE monitor_old;",
].join("\n");

const KNOWN_OLD = new Map([
  [
    "user",
    [
      { name: "id", type: "integer" },
      { name: "email", type: "text" },
      { name: "nickname", type: "text" },
      { name: "age", type: "text" },
    ],
  ],
]);

runRuleTests("sql/table-rebuild", {
  fires: [
    { name: "Prisma RedefineTables (SQLite)", code: PRISMA, context: { dialect: "sqlite" }, findings: [{ line: 10, object: "User", message: /copies columns "?email"?, "?id"?, "?name"?.*not known here/ }] },
    { name: "the same file under the PostgreSQL default dialect", code: PRISMA, findings: [{ line: 10, object: "User" }] },
    { name: "an IDE-generated SQLite patch", code: PATCH, context: { dialect: "sqlite" }, findings: [{ line: 15, object: "setting", message: /setting_dg_tmp/ }] },
    { name: "the old order (rename away, create, copy, drop)", code: OLD_ORDER, context: { dialect: "sqlite" }, findings: [{ line: 4, object: "monitor" }] },
    {
      name: "a filtered copy leaves rows behind, even with the old definition known",
      code: "CREATE TABLE new_user (id INTEGER, email TEXT, nickname TEXT, age TEXT);\nINSERT INTO new_user SELECT * FROM user WHERE email IS NOT NULL;\nDROP TABLE user;\nALTER TABLE new_user RENAME TO user;",
      context: { dialect: "sqlite", tableDefinitions: KNOWN_OLD },
      findings: [{ line: 3, object: "user", message: /only the rows matching WHERE email IS NOT NULL/ }],
    },
    { name: "SELECT * with no old definition", code: "CREATE TABLE t2 (a int);\nINSERT INTO t2 SELECT * FROM t;\nDROP TABLE t;\nALTER TABLE t2 RENAME TO t;", context: { dialect: "sqlite" }, findings: [{ line: 3, object: "t", message: /every column \(SELECT \*\)/ }] },
    { name: "rollback code is low", code: PATCH, context: { dialect: "sqlite", rollback: true }, findings: [{ line: 15, object: "setting", severity: "low" }] },
  ],
  passes: [
    { name: "no copy: the table's rows are dropped (sql/drop-table says so)", code: "CREATE TABLE new_t (id int);\nDROP TABLE t;\nALTER TABLE new_t RENAME TO t;", context: { dialect: "sqlite" } },
    { name: "a rebuild of a table created earlier in the change", code: PATCH, context: { dialect: "sqlite", createdTables: new Set(["setting"]) } },
    {
      name: "the old definition known and every column kept",
      code: "CREATE TABLE new_user (id INTEGER, email TEXT, nickname TEXT, age TEXT);\nINSERT INTO new_user (id, email, nickname, age) SELECT id, email, nickname, age FROM user;\nDROP TABLE user;\nALTER TABLE new_user RENAME TO user;",
      context: { dialect: "sqlite", tableDefinitions: KNOWN_OLD },
    },
    { name: "a copy into a table that is kept beside the original", code: "CREATE TABLE t_archive (id int);\nINSERT INTO t_archive SELECT id FROM t;", context: { dialect: "sqlite" } },
  ],
});

describe("a table rebuild is judged as what it is", () => {
  it("is not a critical drop of the table and a rename", () => {
    for (const dialect of ["sqlite", "postgresql"] as const) {
      const rules = analyze(PRISMA, { dialect }).map((f) => f.rule);
      expect(rules, dialect).not.toContain("sql/drop-table");
      expect(rules, dialect).not.toContain("sql/rename");
      expect(rules, dialect).toContain("sql/table-rebuild");
    }
  });

  it("with the old definition known, reports the columns dropped, renamed and retyped", () => {
    const code = [
      "CREATE TABLE new_user (id INTEGER, email TEXT, nick TEXT, age INTEGER);",
      "INSERT INTO new_user (id, email, nick, age) SELECT id, email, nickname, age FROM user;",
      "DROP TABLE user;",
      "ALTER TABLE new_user RENAME TO user;",
    ].join("\n");
    const found = analyze(code, { dialect: "sqlite", tableDefinitions: new Map([["user", [...KNOWN_OLD.get("user")!, { name: "legacy_id", type: "integer" }]]]) });
    expect(found.map((f) => [f.rule, f.line, f.object])).toEqual([
      ["sql/rename", 3, "user.nickname"],
      ["sql/column-type-change", 3, "user.age"],
      ["sql/drop-column", 3, "user.legacy_id"],
    ]);
    expect(found[1]!.message).toMatch(/from text to integer/);
  });

  it("keeps the drop when the copy comes from another table", () => {
    const code = "CREATE TABLE new_t (id int);\nINSERT INTO new_t SELECT id FROM other;\nDROP TABLE t;\nALTER TABLE new_t RENAME TO t;";
    // (The rename of new_t, created in the same text, loses nothing and is not reported.)
    expect(analyze(code, { dialect: "sqlite" }).map((f) => f.rule)).toEqual(["sql/drop-table"]);
  });

  it("keeps the other statements' findings around a rebuild", () => {
    const code = `DROP TABLE audit_log;\n${PATCH}\nALTER TABLE monitor DROP COLUMN legacy;`;
    expect(analyze(code, { dialect: "sqlite" }).map((f) => [f.rule, f.line])).toEqual([
      ["sql/drop-table", 1],
      ["sql/table-rebuild", 16],
      ["sql/drop-column", 21],
    ]);
  });
});
