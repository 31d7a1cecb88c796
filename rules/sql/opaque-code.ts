import type { RuleMeta } from "../../src/model/rule.js";

export const opaqueCode: RuleMeta = {
  id: "sql/opaque-code",
  title: "Code the analyzer cannot see through",
  severity: "medium",
  category: "gate",
  why:
    "DO blocks, function bodies in other languages and EXECUTE of a string built at run time can do " +
    "anything a migration can, including dropping tables, but what they do is only known when they run. " +
    "changegate reads the static SQL inside them and says what it could not read.",
  safeAlternative:
    "Write the statements out as plain SQL in the migration, so that they can be reviewed and checked. " +
    "Where dynamic SQL is unavoidable, list the objects it touches in the pull request.",
  docs: "docs/rules.md#sql-opaque-code",
  examples: {
    fires: ["DO $$ BEGIN EXECUTE 'DROP TABLE ' || quote_ident('t'); END $$;", "DO LANGUAGE plpython3u $$ plpy.execute('SELECT 1') $$;"],
    passes: ["DO $$ BEGIN RAISE NOTICE 'hello'; END $$;", "SELECT 1;"],
  },
};
