import { runRuleTests } from "../rule-tester.js";

// The safe NOT NULL steps `explain sql/not-null` recommends, one statement per line.
const ADD_CHECK = "ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;";
const VALIDATE = "ALTER TABLE users VALIDATE CONSTRAINT email_nn;";
const SET_NOT_NULL = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;";
const autocommit = { transaction: "none" as const };

runRuleTests("sql/not-null", {
  fires: [
    { code: "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", findings: [{ line: 1, object: "users.email" }] },
    { code: "ALTER TABLE users ADD COLUMN tenant_id bigint NOT NULL;", findings: [{ line: 1, object: "users.tenant_id", message: /without a default/ }] },
    {
      name: "the check is added NOT VALID and validated in the same transaction",
      code: [ADD_CHECK, VALIDATE, SET_NOT_NULL].join("\n"),
      context: { transaction: "wrapped" },
      findings: [{ line: 3, object: "users.email", message: /validated in the same transaction/ }],
    },
    { name: "the NOT VALID check is never validated", code: [ADD_CHECK, SET_NOT_NULL].join("\n"), context: autocommit, findings: [{ line: 2, object: "users.email" }] },
    {
      name: "the valid check is on another column",
      code: ["ALTER TABLE users ADD CONSTRAINT name_nn CHECK (name IS NOT NULL) NOT VALID;", "ALTER TABLE users VALIDATE CONSTRAINT name_nn;", SET_NOT_NULL].join("\n"),
      context: autocommit,
      findings: [{ line: 3, object: "users.email" }],
    },
    {
      name: "the valid check is dropped before SET NOT NULL",
      code: [ADD_CHECK, VALIDATE, "ALTER TABLE users DROP CONSTRAINT email_nn;", SET_NOT_NULL].join("\n"),
      context: autocommit,
      findings: [{ line: 4, object: "users.email" }],
    },
    {
      name: "the check is NOT ENFORCED",
      code: ["ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT ENFORCED;", SET_NOT_NULL].join("\n"),
      findings: [{ line: 2, object: "users.email" }],
    },
    {
      name: "the check is added and validated in one DO block, which is one transaction",
      code: ["DO $$ BEGIN", ADD_CHECK, VALIDATE, "END $$;", SET_NOT_NULL].join("\n"),
      context: autocommit,
      findings: [{ line: 5, object: "users.email", message: /validated in the same transaction/ }],
    },
    {
      name: "the check steps are in a function body, which does not run now",
      code: ["CREATE FUNCTION tighten() RETURNS void LANGUAGE plpgsql AS $$ BEGIN", ADD_CHECK, VALIDATE, "END $$;", SET_NOT_NULL].join("\n"),
      context: autocommit,
      findings: [{ line: 5, object: "users.email" }],
    },
    { name: "PostgreSQL 18 named NOT NULL constraint", code: "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email;", findings: [{ line: 1, object: "users" }] },
  ],
  passes: [
    "ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true;",
    "ALTER TABLE users ADD CONSTRAINT email_not_null CHECK (email IS NOT NULL) NOT VALID;",
    "ALTER TABLE users ADD COLUMN id2 bigint GENERATED ALWAYS AS IDENTITY;",
    "CREATE TABLE users (id int);\nALTER TABLE users ALTER COLUMN id SET NOT NULL;",
    "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
    "ALTER TABLE users ADD CONSTRAINT email_nn NOT NULL email NOT VALID;",
    { name: "a check validated after its own statement committed lets SET NOT NULL skip the scan", code: [ADD_CHECK, VALIDATE, SET_NOT_NULL].join("\n"), context: autocommit },
    { name: "the check added and validated in separate transactions", code: ["BEGIN;", ADD_CHECK, "COMMIT;", "BEGIN;", VALIDATE, SET_NOT_NULL, "COMMIT;"].join("\n") },
  ],
});
