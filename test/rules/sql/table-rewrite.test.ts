import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/table-rewrite", {
  fires: [
    { code: "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();", findings: [{ line: 1, object: "users.token", message: /gen_random_uuid/ }] },
    { code: "ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp();", findings: [{ line: 1, object: "users.seen" }] },
    { code: "ALTER TABLE users ADD COLUMN n bigserial;", findings: [{ line: 1, object: "users.n", message: /bigserial/ }] },
    { code: "VACUUM FULL events;", findings: [{ line: 1, object: "events" }] },
    { code: "CLUSTER events USING events_pkey;", findings: [{ line: 1, object: "events" }] },
    { code: "ALTER TABLE events SET UNLOGGED;", findings: [{ line: 1, object: "events", message: /UNLOGGED/ }] },
    { code: "REINDEX TABLE events;", findings: [{ line: 1, object: "events", message: /without CONCURRENTLY/ }] },
  ],
  passes: [
    "ALTER TABLE users ADD COLUMN active boolean DEFAULT true;",
    "ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();",
    "REINDEX TABLE CONCURRENTLY events;",
    "VACUUM ANALYZE events;",
    "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN token uuid DEFAULT gen_random_uuid();",
  ],
});
