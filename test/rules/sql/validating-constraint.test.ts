import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/validating-constraint", {
  fires: [
    {
      code: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
      findings: [{ line: 1, object: "orders", message: /foreign key orders_user_fk/ }],
    },
    { code: "ALTER TABLE orders\n  ADD CONSTRAINT amount_positive CHECK (amount > 0);", findings: [{ line: 1, endLine: 2, object: "orders", message: /check constraint/ }] },
    { code: "ALTER TABLE orders ADD COLUMN user_id bigint REFERENCES users (id);", findings: [{ line: 1, object: "orders.user_id" }] },
  ],
  passes: [
    "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;",
    "CREATE TABLE orders (id int);\nALTER TABLE orders ADD CONSTRAINT c CHECK (id > 0);",
  ],
});
