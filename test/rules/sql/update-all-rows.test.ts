import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/update-all-rows", {
  fires: [
    { code: "UPDATE users SET email = lower(email);", findings: [{ line: 1, object: "users" }] },
    { code: "UPDATE users\n  SET active = false\n  WHERE 1 = 1;", findings: [{ line: 1, endLine: 3, object: "users", message: /always true/ }] },
    { name: "SQLite", code: "UPDATE users SET active = 0;", context: { dialect: "sqlite" }, findings: [{ line: 1, object: "users" }] },
  ],
  passes: ["UPDATE users SET email = lower(email) WHERE email <> lower(email);", "UPDATE users SET a = 1 WHERE false;"],
});
