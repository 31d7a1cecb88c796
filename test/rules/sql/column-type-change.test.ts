import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/column-type-change", {
  fires: [
    { code: "ALTER TABLE users ALTER COLUMN bio TYPE varchar(50) USING left(bio, 50);", findings: [{ line: 1, object: "users.bio", message: /varchar\(50\) with a USING/ }] },
    { code: "ALTER TABLE products\n  ALTER COLUMN price TYPE numeric(6,2);", findings: [{ line: 1, endLine: 2, object: "products.price", message: /numeric\(6,2\)/ }] },
    { code: "ALTER TABLE orders ALTER amount SET DATA TYPE integer;", findings: [{ line: 1, object: "orders.amount", message: /integer/ }] },
    { name: "MySQL MODIFY", code: "ALTER TABLE users MODIFY COLUMN bio VARCHAR(50);", context: { dialect: "mysql" }, findings: [{ line: 1, object: "users.bio" }] },
    { name: "MySQL CHANGE", code: "ALTER TABLE users CHANGE COLUMN bio about TEXT;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "users.bio" }] },
    { name: "SQL Server ALTER COLUMN", code: "ALTER TABLE users ALTER COLUMN age INT;", context: { dialect: "sqlserver" }, findings: [{ line: 1, object: "users.age" }] },
  ],
  passes: ["ALTER TABLE users ALTER COLUMN bio SET DEFAULT '';", "CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a TYPE bigint;"],
});
