import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/opaque-code", {
  fires: [
    {
      name: "EXECUTE of a string that names DROP",
      code: "DO $$\nBEGIN\n  EXECUTE 'DROP TABLE ' || quote_ident('t');\nEND $$;",
      findings: [{ line: 3, object: undefined, severity: "high", message: /DROP/ }],
    },
    {
      name: "EXECUTE of a string that names nothing destructive",
      code: "DO $$\nDECLARE q text := 'SELECT 1';\nBEGIN\n  EXECUTE q;\nEND $$;",
      findings: [{ line: 4, message: /cannot be checked/ }],
    },
    { code: "DO LANGUAGE plpython3u $$ plpy.execute('SELECT 1') $$;", findings: [{ line: 1, message: /plpython3u/ }] },
    { code: "CREATE FUNCTION f() RETURNS int LANGUAGE plperl AS $$ return 1; $$;", findings: [{ line: 1, object: "f()", message: /plperl/ }] },
    {
      name: "a body PL/pgSQL rejects",
      code: "DO $$\nBEGIN\n  PERFORM missing_var_here := 1;\nEND $$;",
      findings: [{ line: 1, endLine: 4, message: /could not be parsed/ }],
    },
  ],
  passes: ["DO $$ BEGIN RAISE NOTICE 'hello'; END $$;", "SELECT 1;", "CREATE FUNCTION one() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;"],
});
