import type { RuleMeta } from "../../src/model/rule.js";

export const disableRls: RuleMeta = {
  id: "sql/disable-rls",
  title: "Row-level security weakened",
  severity: "critical",
  category: "security",
  why:
    "Row-level security is what keeps one tenant or user from reading another's rows, and for Supabase or " +
    "PostgREST it is often the only check between the public API and the table. Disabling it, dropping a " +
    "policy or adding a policy that is always true exposes every row to every role that can reach the table.",
  safeAlternative:
    "Keep RLS enabled and change policies in place (CREATE the replacement before DROPping the old one), " +
    "with a test that an unprivileged role still sees only its own rows.",
  docs: "docs/rules.md#sql-disable-rls",
  examples: {
    fires: ["ALTER TABLE documents DISABLE ROW LEVEL SECURITY;", "DROP POLICY tenant_isolation ON documents;", "CREATE POLICY allow_all ON documents FOR ALL USING (true);"],
    passes: ["ALTER TABLE documents ENABLE ROW LEVEL SECURITY;", "CREATE POLICY own_rows ON documents USING (owner_id = auth.uid());"],
  },
};
