import type { RuleMeta } from "../../src/model/rule.js";

export const privilegeGrant: RuleMeta = {
  id: "sql/privilege-grant",
  title: "Broad privilege or role escalation",
  severity: "critical",
  category: "security",
  why:
    "GRANT ALL, grants to PUBLIC and default privileges for PUBLIC give every role, including the ones an " +
    "API exposes, full access to the data. SUPERUSER, BYPASSRLS and CREATEROLE let a role step around " +
    "every other control, and a literal password in a migration is a secret committed to git.",
  safeAlternative:
    "Grant the specific privileges a named role needs (SELECT, INSERT …) on specific objects. Manage " +
    "powerful role attributes and passwords outside migrations, through the platform's secret store.",
  docs: "docs/rules.md#sql-privilege-grant",
  examples: {
    fires: ["GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;", "ALTER ROLE app_user WITH SUPERUSER;", "CREATE ROLE backdoor WITH LOGIN PASSWORD 'changeme';"],
    passes: ["GRANT SELECT ON TABLE public.reports TO analyst;", "CREATE ROLE reporting NOLOGIN;"],
  },
};
