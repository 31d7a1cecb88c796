import type { RuleMeta } from "../../src/model/rule.js";

export const replication: RuleMeta = {
  id: "sql/replication",
  title: "Replication or server configuration changed",
  severity: "high",
  category: "data-loss",
  why:
    "Replication slots, publications and subscriptions feed replicas, change-data-capture pipelines and " +
    "backups. Dropping one silently stops the stream, and downstream systems lose every change made until " +
    "it is rebuilt. ALTER SYSTEM changes server-wide settings outside the migration's transaction.",
  safeAlternative:
    "Coordinate with the owners of the replica or pipeline, pause the consumer, and change replication by " +
    "hand in a planned operation. Manage server settings through configuration management, not migrations.",
  docs: "docs/rules.md#sql-replication",
  examples: {
    fires: ["SELECT pg_drop_replication_slot('debezium_slot');", "DROP PUBLICATION analytics_pub;", "ALTER SYSTEM SET wal_level = minimal;"],
    passes: ["CREATE PUBLICATION analytics_pub FOR TABLE events;", "SELECT slot_name FROM pg_replication_slots;"],
  },
};
