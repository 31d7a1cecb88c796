import type { RuleMeta } from "../../src/model/rule.js";

export const sequenceReset: RuleMeta = {
  id: "sql/sequence-reset",
  title: "Sequence reset or its values changed",
  severity: "high",
  category: "integrity",
  why:
    "Restarting a sequence (ALTER SEQUENCE … RESTART, an identity column's RESTART, setval()) makes it hand " +
    "out ids it has already issued: the next inserts fail on the primary key, or worse, reuse an id that " +
    "other systems still know. Changing its increment, bounds, type or CYCLE changes which ids come next " +
    "and can make nextval() fail once the new bound is reached.",
  safeAlternative:
    "Leave sequences alone in migrations. If a sequence must move, only ever move it forward, past the " +
    "largest id in the table (SELECT setval(seq, max(id)) FROM t), and check the new bounds against the data.",
  docs: "docs/rules.md#sql-sequence-reset",
  examples: {
    fires: ["ALTER SEQUENCE orders_id_seq RESTART WITH 1;", "ALTER TABLE orders ALTER COLUMN id RESTART;", "SELECT setval('orders_id_seq', 1);"],
    passes: ["ALTER SEQUENCE orders_id_seq OWNED BY orders.id;", "CREATE SEQUENCE invoice_seq START 1000;"],
  },
};
