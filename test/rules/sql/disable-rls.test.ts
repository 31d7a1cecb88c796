import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/disable-rls", {
  fires: [
    { code: "ALTER TABLE public.documents DISABLE ROW LEVEL SECURITY;", findings: [{ line: 1, object: "public.documents" }] },
    { code: "ALTER TABLE documents NO FORCE ROW LEVEL SECURITY;", findings: [{ line: 1, object: "documents" }] },
    { code: "DROP POLICY IF EXISTS tenant_isolation ON public.documents;", findings: [{ line: 1, object: "public.documents.tenant_isolation" }] },
    { code: "CREATE POLICY allow_all ON documents FOR ALL USING (true) WITH CHECK (true);", findings: [{ line: 1, object: "documents.allow_all" }] },
    { code: "ALTER POLICY p ON documents USING (1 = 1);", findings: [{ line: 1, object: "documents.p" }] },
  ],
  passes: ["ALTER TABLE documents ENABLE ROW LEVEL SECURITY;", "CREATE POLICY own_rows ON documents USING (owner_id = auth.uid());", "ALTER TABLE documents FORCE ROW LEVEL SECURITY;"],
});
