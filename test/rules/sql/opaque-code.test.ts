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
    {
      name: "a foreign key's ON DELETE RESTRICT in a dynamic ALTER TABLE is no DELETE: medium, ALTER only",
      code: [
        "CREATE FUNCTION jobs.create_queue(queue_name text) RETURNS void AS $$",
        "BEGIN",
        "  EXECUTE format('ALTER TABLE jobs.%1$I ADD CONSTRAINT q_fkey FOREIGN KEY (name) REFERENCES jobs.queue (name) ON DELETE RESTRICT DEFERRABLE INITIALLY DEFERRED', queue_name);",
        "END;",
        "$$ LANGUAGE plpgsql;",
      ].join("\n"),
      findings: [{ line: 3, object: undefined, severity: "medium", message: /containing ALTER: / }],
    },
    {
      name: "a trigger's INSERT OR UPDATE OR DELETE events in a dynamic CREATE TRIGGER are no DELETE or UPDATE",
      code: [
        "CREATE FUNCTION copy_partition_triggers(target text) RETURNS void AS $$",
        "BEGIN",
        "  EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION sync_payload()', target || '_sync', target);",
        "END;",
        "$$ LANGUAGE plpgsql;",
      ].join("\n"),
      findings: [{ line: 3, object: undefined, severity: "medium", message: /cannot be checked/ }],
    },
    {
      name: "a real DELETE beside a referential action stays high",
      code: "DO $$\nBEGIN\n  EXECUTE 'DELETE FROM jobs.queue WHERE name = ' || quote_literal('old') || ' -- ON DELETE';\nEND $$;",
      findings: [{ line: 3, object: undefined, severity: "high", message: /containing DELETE/ }],
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
