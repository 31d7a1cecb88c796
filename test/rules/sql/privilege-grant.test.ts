import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/privilege-grant", {
  fires: [
    { code: "GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;", findings: [{ line: 1, object: "public", message: /PUBLIC/ }] },
    { code: "GRANT ALL PRIVILEGES ON TABLE public.payments TO anon;", findings: [{ line: 1, object: "public.payments" }] },
    { code: "GRANT SELECT ON reports TO PUBLIC;", findings: [{ line: 1, object: "reports" }] },
    { code: "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT ALL ON TABLES TO PUBLIC;", findings: [{ line: 1, object: "future tables", message: /by default/ }] },
    { code: "ALTER ROLE app_user WITH SUPERUSER BYPASSRLS;", findings: [{ line: 1, object: "app_user", message: /SUPERUSER, BYPASSRLS/ }] },
    { code: "CREATE ROLE backdoor WITH LOGIN PASSWORD 'changeme';", findings: [{ line: 1, object: "backdoor", message: /password/ }] },
    { code: "CREATE USER ops CREATEROLE;", findings: [{ line: 1, object: "ops", message: /CREATEROLE/ }] },
    { code: "GRANT pg_write_all_data TO etl;", findings: [{ line: 1, object: "pg_write_all_data" }] },
  ],
  passes: [
    "GRANT SELECT ON TABLE public.reports TO analyst;",
    "CREATE ROLE reporting NOLOGIN;",
    "ALTER ROLE app_user WITH NOSUPERUSER;",
    "GRANT reporting TO alice;",
    "ALTER ROLE app_user PASSWORD NULL;",
  ],
});
