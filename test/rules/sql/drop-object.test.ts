import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-object", {
  fires: [
    { code: "DROP VIEW active_users;", findings: [{ line: 1, object: "active_users" }] },
    { code: "DROP MATERIALIZED VIEW IF EXISTS reporting.monthly;", findings: [{ line: 1, object: "reporting.monthly", message: /materialized view/ }] },
    { code: "DROP TYPE order_status CASCADE;", findings: [{ line: 1, object: "order_status", severity: "critical", message: /CASCADE/ }] },
    { code: "DROP FUNCTION IF EXISTS audit_trigger() CASCADE;", findings: [{ line: 1, object: "audit_trigger", severity: "critical" }] },
    { code: "DROP TRIGGER IF EXISTS audit_changes ON payments;", findings: [{ line: 1, object: "payments.audit_changes" }] },
    { code: "DROP EXTENSION postgis CASCADE;", findings: [{ line: 1, object: "postgis", severity: "critical" }] },
    { code: "DROP SEQUENCE invoice_number_seq;", findings: [{ line: 1, object: "invoice_number_seq" }] },
    { code: "DROP OWNED BY old_service CASCADE;", findings: [{ line: 1, object: "old_service", severity: "critical", message: /CASCADE/ }] },
    { code: "DROP OWNED BY old_service;", findings: [{ line: 1, object: "old_service" }] },
  ],
  passes: ["ALTER SEQUENCE orders_id_seq RESTART WITH 1;", "CREATE VIEW active_users AS SELECT * FROM users WHERE active;", "ALTER SEQUENCE orders_id_seq INCREMENT BY 1;", "DROP TABLE t;"],
});
