import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-column", {
  fires: [
    { code: "ALTER TABLE customers DROP COLUMN ssn;", findings: [{ line: 1, object: "customers.ssn" }] },
    { code: "ALTER TABLE public.customers DROP COLUMN IF EXISTS ssn CASCADE;", findings: [{ line: 1, object: "public.customers.ssn", severity: "critical", message: /CASCADE/ }] },
    {
      name: "drop + add on the same table reads as a lossy rename",
      code: 'ALTER TABLE "User" DROP COLUMN "fullName";\nALTER TABLE "User" ADD COLUMN "full_name" TEXT;',
      findings: [{ line: 1, object: "User.fullName", severity: "critical", message: /looks like a rename/ }],
    },
    {
      name: "add then drop in one statement",
      code: "ALTER TABLE t ADD COLUMN user_email text, DROP COLUMN email;",
      findings: [{ line: 1, object: "t.email", severity: "critical", message: /looks like a rename/ }],
    },
    {
      name: "drop + add of unrelated names: said, but not raised",
      code: "ALTER TABLE orders DROP COLUMN legacy_id;\nALTER TABLE orders ADD COLUMN tenant_id bigint;",
      findings: [{ line: 1, object: "orders.legacy_id", message: /looks like a rename/ }],
    },
    { name: "MySQL", code: "ALTER TABLE customers DROP COLUMN ssn;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "customers.ssn" }] },
  ],
  passes: [
    "ALTER TABLE customers ADD COLUMN nickname text;",
    "CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;",
    "ALTER TABLE customers DROP CONSTRAINT customers_ssn_key;",
  ],
});
