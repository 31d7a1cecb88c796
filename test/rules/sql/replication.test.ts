import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/replication", {
  fires: [
    { code: "SELECT pg_drop_replication_slot('debezium_slot');", findings: [{ line: 1, object: "debezium_slot" }] },
    { code: "DROP PUBLICATION IF EXISTS analytics_pub;", findings: [{ line: 1, object: "analytics_pub" }] },
    { code: "DROP SUBSCRIPTION replica_sub;", findings: [{ line: 1, object: "replica_sub" }] },
    { code: "ALTER SYSTEM SET wal_level = minimal;", findings: [{ line: 1, object: "wal_level" }] },
    { code: "ALTER PUBLICATION analytics_pub DROP TABLE events;", findings: [{ line: 1, object: "analytics_pub" }] },
  ],
  passes: ["CREATE PUBLICATION analytics_pub FOR TABLE events;", "SELECT slot_name FROM pg_replication_slots;", "ALTER PUBLICATION analytics_pub ADD TABLE events;"],
});
