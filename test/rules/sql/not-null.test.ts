import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/not-null", {
  fires: [
    { code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", findings: [{ line: 1, object: "users.email" }] },
    { code: "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;", findings: [{ line: 1, object: "users.tenant_id", message: /without a default/ }] },
    { name: "PostgreSQL 18 named NOT NULL constraint", code: "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email;", findings: [{ line: 1, object: "users" }] },
  ],
  passes: [
    "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;",
    "ALTER TABLE users ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID;",
    "ALTER TABLE users ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY;",
    "CREATE TABLE users (id int);\nALTER TABLE users ALTER COLUMN id SET NOT NULL;",
    "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
    "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email NOT VALID;",
  ],
});
