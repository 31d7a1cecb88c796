import { runRuleTests } from "../rule-tester.js";

runRuleTests("sql/drop-role", {
  fires: [
    { code: "DROP ROLE old_service;", findings: [{ line: 1, object: "old_service" }] },
    { code: "DROP USER IF EXISTS a, b;", findings: [{ line: 1, object: "a" }, { line: 1, object: "b" }] },
    { code: "REVOKE ALL ON SCHEMA public FROM migrator;", findings: [{ line: 1, object: "public", message: /migrator/ }] },
    { code: "REVOKE reporting FROM alice;", findings: [{ line: 1, object: "reporting" }] },
    { name: "REVOKE on a table that exists", code: "REVOKE ALL ON TABLE storage.s3_uploads FROM anon, authenticated;", findings: [{ line: 1, object: "storage.s3_uploads" }] },
    {
      name: "REVOKE on two tables, one of them not created here",
      code: "CREATE TABLE storage.s3_upload_parts (id text PRIMARY KEY);\nREVOKE ALL ON storage.s3_uploads, storage.s3_upload_parts FROM anon;",
      findings: [{ line: 2, object: "storage.s3_uploads, storage.s3_upload_parts" }],
    },
  ],
  passes: [
    "CREATE ROLE reporting NOLOGIN;",
    "GRANT SELECT ON reports TO reporting;",
    {
      name: "REVOKE on tables created earlier in the same migration",
      code: "CREATE TABLE storage.s3_uploads (id text PRIMARY KEY);\nCREATE TABLE storage.s3_upload_parts (id text PRIMARY KEY);\nREVOKE ALL ON storage.s3_uploads, storage.s3_upload_parts FROM anon, authenticated;",
    },
    {
      name: "REVOKE built in a DO block on a table created earlier in the same migration",
      code: "CREATE TABLE storage.s3_uploads (id text PRIMARY KEY);\nDO $$\nDECLARE anon_role text = COALESCE(current_setting('storage.anon_role', true), 'anon');\nBEGIN\n  EXECUTE 'revoke all on storage.s3_uploads from ' || anon_role;\nEND$$;",
    },
  ],
});
