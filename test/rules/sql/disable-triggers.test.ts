import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/disable-triggers", {
  fires: [
    { code: "ALTER TABLE payments DISABLE TRIGGER ALL;", findings: [{ line: 1, object: "payments", message: /foreign-key/ }] },
    { code: "ALTER TABLE payments DISABLE TRIGGER audit_changes;", findings: [{ line: 1, object: "payments.audit_changes" }] },
    { code: "ALTER TABLE payments DISABLE TRIGGER USER;", findings: [{ line: 1, object: "payments" }] },
    { code: "SET session_replication_role = replica;", findings: [{ line: 1, object: "session_replication_role" }] },
  ],
  passes: ["ALTER TABLE payments ENABLE TRIGGER audit_changes;", "SET session_replication_role = DEFAULT;"],
});
