import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-object", {
  fires: [
    { code: "DROP VIEW active_users;", findings: [{ line: 1, object: "active_users" }] },
    { code: "DROP MATERIALIZED VIEW IF EXISTS reporting.monthly;", findings: [{ line: 1, object: "reporting.monthly", message: /materialized view/ }] },
    { code: "DROP TYPE order_status CASCADE;", findings: [{ line: 1, object: "order_status", severity: "critical", message: /CASCADE/ }] },
    { code: "DROP FUNCTION IF EXISTS audit_trigger() CASCADE;", findings: [{ line: 1, object: "audit_trigger", severity: "critical" }] },
    { code: "DROP TRIGGER IF EXISTS audit_changes ON payments;", findings: [{ line: 1, object: "payments.audit_changes" }] },
    {
      name: "DROP TRIGGER IF EXISTS recreated later in the same migration: a replace, at low",
      code: [
        "DROP TRIGGER IF EXISTS enforce_bucket_name_length_trigger ON storage.buckets;",
        "CREATE TRIGGER enforce_bucket_name_length_trigger",
        "BEFORE INSERT OR UPDATE OF name ON storage.buckets",
        "FOR EACH ROW EXECUTE FUNCTION storage.enforce_bucket_name_length();",
      ].join("\n"),
      findings: [{ line: 1, object: "storage.buckets.enforce_bucket_name_length_trigger", severity: "low", message: /recreated by CREATE TRIGGER at line 2/ }],
    },
    {
      name: "DROP TRIGGER followed by a trigger of another name: still a drop",
      code: "DROP TRIGGER IF EXISTS objects_delete_cleanup ON storage.objects;\nCREATE TRIGGER objects_delete_prefix AFTER DELETE ON storage.objects FOR EACH ROW EXECUTE FUNCTION storage.delete_prefix_hierarchy_trigger();",
      findings: [{ line: 1, object: "storage.objects.objects_delete_cleanup", severity: "medium" }],
    },
    {
      name: "a trigger created first and dropped after is no replace",
      code: "CREATE TRIGGER audit_changes AFTER UPDATE ON payments FOR EACH ROW EXECUTE FUNCTION audit();\nDROP TRIGGER audit_changes ON payments;",
      findings: [{ line: 2, object: "payments.audit_changes", severity: "medium" }],
    },
    { code: "DROP EXTENSION postgis CASCADE;", findings: [{ line: 1, object: "postgis", severity: "critical" }] },
    { code: "DROP SEQUENCE invoice_number_seq;", findings: [{ line: 1, object: "invoice_number_seq" }] },
    { code: "DROP OWNED BY old_service CASCADE;", findings: [{ line: 1, object: "old_service", severity: "critical", message: /CASCADE/ }] },
    { code: "DROP OWNED BY old_service;", findings: [{ line: 1, object: "old_service" }] },
  ],
  passes: ["ALTER SEQUENCE orders_id_seq RESTART WITH 1;", "CREATE VIEW active_users AS SELECT * FROM users WHERE active;", "ALTER SEQUENCE orders_id_seq INCREMENT BY 1;", "DROP TABLE t;"],
});
