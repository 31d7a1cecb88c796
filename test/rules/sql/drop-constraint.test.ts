import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-constraint", {
  fires: [
    { code: "ALTER TABLE orders DROP CONSTRAINT orders_user_id_fkey;", findings: [{ line: 1, object: "orders.orders_user_id_fkey" }] },
    { code: "ALTER TABLE orders DROP CONSTRAINT IF EXISTS amount_positive CASCADE;", findings: [{ line: 1, object: "orders.amount_positive", severity: "high", message: /CASCADE/ }] },
    { name: "MySQL foreign key", code: "ALTER TABLE orders DROP FOREIGN KEY fk_user;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "orders" }] },
  ],
  passes: [
    "ALTER TABLE orders ADD CONSTRAINT orders_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    "CREATE TABLE t (a int CONSTRAINT c CHECK (a > 0));\nALTER TABLE t DROP CONSTRAINT c;",
  ],
});
