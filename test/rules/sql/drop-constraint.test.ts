import { runRuleTests } from "../rule-tester.js";

const NOT_NULL_CHECK = ["ALTER TABLE users ADD CONSTRAINT email_nn CHECK (email IS NOT NULL) NOT VALID;", "ALTER TABLE users VALIDATE CONSTRAINT email_nn;"];
const autocommit = { transaction: "none" as const };

runRuleTests("sql/drop-constraint", {
  fires: [
    { code: "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;", findings: [{ line: 1, object: "orders.orders_user_id_fkey" }] },
    { code: "ALTER TABLE orders DROP CONSTRAINT IF EXISTS amount_positive CASCADE;", findings: [{ line: 1, object: "orders.amount_positive", severity: "high", message: /CASCADE/ }] },
    {
      name: "a NOT NULL check dropped while its column may still hold NULL",
      code: [...NOT_NULL_CHECK, "ALTER TABLE users DROP CONSTRAINT email_nn;"].join("\n"),
      context: autocommit,
      findings: [{ line: 3, object: "users.email_nn" }],
    },
    {
      name: "a NOT NULL check dropped after DROP NOT NULL",
      code: [...NOT_NULL_CHECK, "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;", "ALTER TABLE users DROP CONSTRAINT email_nn;"].join("\n"),
      context: autocommit,
      findings: [{ line: 5, object: "users.email_nn" }],
    },
    {
      // Reported, as every drop is, but low: the column enforces what the check did.
      name: "the NOT NULL check dropped once the column is NOT NULL: low",
      code: [...NOT_NULL_CHECK, "ALTER TABLE users ALTER COLUMN email SET NOT NULL;", "ALTER TABLE users DROP CONSTRAINT email_nn;"].join("\n"),
      context: autocommit,
      findings: [{ line: 4, object: "users.email_nn", severity: "low", message: /a column that is NOT NULL now/ }],
    },
    { name: "MySQL foreign key", code: "ALTER TABLE orders DROP FOREIGN KEY fk_user;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "orders" }] },
  ],
  passes: [
    "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    "CREATE TABLE t (a int CONSTRAINT c CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT c;",
  ],
});
