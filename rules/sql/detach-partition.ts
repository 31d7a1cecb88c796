import type { RuleMeta } from "../../src/model/rule.js";

export const detachPartition: RuleMeta = {
  id: "sql/detach-partition",
  title: "Partition detached",
  severity: "high",
  category: "data-loss",
  why:
    "Detaching a partition takes its rows out of the partitioned table: every query on the parent stops " +
    "seeing them, and a later DROP of the detached table deletes them for good. Without CONCURRENTLY the " +
    "detach also takes an ACCESS EXCLUSIVE lock on the parent, blocking all reads and writes meanwhile.",
  safeAlternative:
    "Make sure nothing still needs the partition's rows through the parent (archive or copy them first), " +
    "and use DETACH PARTITION … CONCURRENTLY outside a transaction block so the parent stays available.",
  docs: "docs/rules.md#sql-detach-partition",
  examples: {
    fires: ["ALTER TABLE measurements DETACH PARTITION measurements_2023;", "ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;"],
    passes: ["ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');"],
  },
};
