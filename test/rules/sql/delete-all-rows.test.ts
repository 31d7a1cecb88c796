import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/delete-all-rows", {
  fires: [
    { code: "DELETE FROM users;", findings: [{ line: 1, object: "users", message: /no WHERE/ }] },
    { code: "DELETE FROM sessions WHERE 1 = 1;", findings: [{ line: 1, object: "sessions", message: /always true/ }] },
    { code: "DELETE FROM s WHERE true;", findings: [{ line: 1, object: "s" }] },
    { code: "DELETE FROM s WHERE 'a' = 'a';", findings: [{ line: 1, object: "s" }] },
    { code: "DELETE FROM s WHERE id = id;", findings: [{ line: 1, object: "s" }] },
    { code: "DELETE FROM s WHERE expired OR 1 = 1;", findings: [{ line: 1, object: "s" }] },
    { code: "DELETE FROM s WHERE 1;", findings: [{ line: 1, object: "s" }] },
    { name: "in a data-modifying CTE", code: "WITH gone AS (DELETE FROM app.events RETURNING id)\nSELECT count(*) FROM gone;", findings: [{ line: 1, endLine: 2, object: "app.events" }] },
    { name: "MySQL", code: "DELETE FROM users;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "users" }] },
    { name: "MySQL tautology", code: "DELETE FROM users WHERE 1=1;", context: { dialect: "mysql" }, findings: [{ line: 1, object: "users" }] },
  ],
  passes: [
    "DELETE FROM sessions WHERE expires_at < now();",
    "DELETE FROM s WHERE 1 = 0;",
    "DELETE FROM s WHERE a = b;",
    "CREATE TABLE scratch (id int);\nDELETE FROM scratch;",
    { name: "MySQL with a WHERE", code: "DELETE FROM users WHERE id = 3;", context: { dialect: "mysql" } },
  ],
});
