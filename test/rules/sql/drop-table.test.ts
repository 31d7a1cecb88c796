import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-table", {
  fires: [
    { code: "DROP TABLE users;", findings: [{ line: 1, object: "users" }] },
    {
      code: "-- clean up\nDROP TABLE IF EXISTS public.orders,\n  archive.orders CASCADE;",
      findings: [
        { line: 2, endLine: 3, object: "public.orders", message: /CASCADE/ },
        { line: 2, endLine: 3, object: "archive.orders", message: /CASCADE/ },
      ],
    },
    { name: "drop before re-create", code: "DROP TABLE IF EXISTS x;\nCREATE TABLE x (id int);", findings: [{ line: 1, object: "x" }] },
    { name: "created in an earlier section but IF NOT EXISTS", code: "CREATE TABLE IF NOT EXISTS t (id int);\nDROP TABLE t;", findings: [{ line: 2, object: "t" }] },
    { name: "lower-case, mid-line", code: "select 1; drop table users;", findings: [{ line: 1, object: "users" }] },
    { name: "startLine offsets lines", code: "\nDROP TABLE users;", context: { startLine: 40 }, findings: [{ line: 41, object: "users" }] },
    { name: "rollback code is low", code: "DROP TABLE users;", context: { rollback: true }, findings: [{ line: 1, object: "users", severity: "low" }] },
    { name: "SQLite", code: "DROP TABLE IF EXISTS users;", context: { dialect: "sqlite" }, findings: [{ line: 1, object: "users" }] },
    { name: "SQL Server", code: "DROP TABLE [dbo].[users];", context: { dialect: "sqlserver" }, findings: [{ line: 1, object: "dbo.users" }] },
  ],
  passes: [
    "CREATE TABLE tmp_import (id bigint);\nDROP TABLE tmp_import;",
    "CREATE TABLE users (id bigint PRIMARY KEY);",
    { name: "table created in an earlier section of the migration", code: "DROP TABLE tmp_users;", context: { createdTables: new Set(["tmp_users"]) } },
    "ALTER TABLE users DROP CONSTRAINT users_pkey;",
  ],
});
