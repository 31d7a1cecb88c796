import { getRule } from "../../rules/index.js";
import type { Finding } from "../../src/model/finding.js";
import { finding } from "../../src/model/rule.js";
import { decide, DEFAULT_POLICY } from "../../src/policy/index.js";
import type { PullRequestFacts } from "../../src/policy/types.js";
import { lineKey, type ReportInput } from "../../src/report/input.js";

export const FACTS: PullRequestFacts = {
  author: "local",
  authorKind: "human",
  committers: [],
  baseBranch: "main",
  headSha: "b".repeat(40),
  signOffs: [],
  permissions: {},
  teamMembership: {},
};

export const DROP_SQL = "-- legacy import is done\nDROP TABLE legacy_orders;\nCREATE INDEX orders_customer_idx\n  ON orders (customer_id);\n";

export function sampleFindings(): Finding[] {
  return [
    finding(getRule("sql/drop-table"), { file: "db/migrations/0004_drop.sql", line: 2, side: "head" }, "Drops table legacy_orders and every row in it.", {
      object: "legacy_orders",
    }),
    finding(
      getRule("sql/blocking-index"),
      { file: "db/migrations/0004_drop.sql", line: 3, endLine: 4, side: "head" },
      "Builds index orders_customer_idx on orders without CONCURRENTLY.",
      { object: "orders" },
    ),
    finding(getRule("sql/drop-table"), { file: "db/migrations/0005_more.sql", line: 1, side: "head" }, "Drops table audit_log and every row in it.", {
      object: "audit_log",
    }),
  ];
}

export function sampleInput(findings: Finding[] = sampleFindings(), facts: PullRequestFacts = FACTS): ReportInput {
  return {
    base: "a".repeat(40),
    head: "b".repeat(40),
    baseLabel: "merge-base of HEAD and main",
    headLabel: "HEAD",
    findings,
    decision: decide({ findings, facts, policy: { source: "default", path: ".github/changegate.yml", policy: DEFAULT_POLICY } }),
    policy: { source: "default", path: ".github/changegate.yml", from: "base" },
    files: [
      { path: "db/migrations/0004_drop.sql", status: "added", analyzers: ["sql"] },
      { path: "db/migrations/0005_more.sql", status: "added", analyzers: ["sql"] },
    ],
    unclaimed: 3,
    errors: [],
    lines: new Map([
      [lineKey("head", "db/migrations/0004_drop.sql"), DROP_SQL.split("\n")],
      [lineKey("head", "db/migrations/0005_more.sql"), ["DROP TABLE audit_log;"]],
    ]),
  };
}
