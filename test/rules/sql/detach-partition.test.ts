import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/detach-partition", {
  fires: [
    { code: "ALTER TABLE measurements DETACH PARTITION measurements_2023;", findings: [{ line: 1, object: "measurements_2023", message: /ACCESS EXCLUSIVE/ }] },
    { code: "ALTER TABLE measurements DETACH PARTITION measurements_2023 CONCURRENTLY;", findings: [{ line: 1, object: "measurements_2023", message: /concurrently/ }] },
    { code: "ALTER TABLE measurements DETACH PARTITION measurements_2023 FINALIZE;", findings: [{ line: 1, object: "measurements_2023", message: /FINALIZE/ }] },
    { code: "ALTER TABLE orders_2020 NO INHERIT orders;", findings: [{ line: 1, object: "orders_2020", message: /NO INHERIT/ }] },
    {
      name: "a realistic archival migration",
      code: [
        "BEGIN;",
        "ALTER TABLE public.events",
        "  DETACH PARTITION public.events_2022;",
        "ALTER TABLE public.events_2022 SET SCHEMA archive;",
        "COMMIT;",
      ].join("\n"),
      findings: [{ line: 2, endLine: 3, object: "public.events_2022" }],
    },
  ],
  passes: [
    "ALTER TABLE measurements ATTACH PARTITION measurements_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    "CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
  ],
});
