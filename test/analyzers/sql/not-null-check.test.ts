import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";

/** The safe NOT NULL pattern across migrations: the schema model says which checks are valid before a file. */
async function scan(base: Tree, head: Tree): Promise<string[]> {
  const findings: Finding[] = (await analyzeChangeSet(new MemorySource(base, head))).findings;
  return findings.map((f) => `${f.rule}:${f.file.split("/").pop()}:${f.line}${f.severity === "low" ? " (low)" : ""}`);
}

const BASE: Tree = {
  "supabase/migrations/20240105093000_accounts.sql": "create table public.accounts (\n  id bigint primary key,\n  email text\n);\n",
};
const ADD_CHECK = "alter table public.accounts add constraint accounts_email_nn check (email is not null) not valid;\n";
const TIGHTEN = [
  "alter table public.accounts validate constraint accounts_email_nn;",
  "alter table public.accounts alter column email set not null;",
  "alter table public.accounts drop constraint accounts_email_nn;",
  "",
].join("\n");

describe("SET NOT NULL after a valid CHECK (column IS NOT NULL) from an earlier migration", () => {
  it("is no finding when the check was added NOT VALID by an earlier migration of the change", async () => {
    const head = { ...BASE, "supabase/migrations/20240201080000_check.sql": ADD_CHECK, "supabase/migrations/20240202080000_tighten.sql": TIGHTEN };
    expect(await scan(BASE, head)).toEqual(["sql/drop-constraint:20240202080000_tighten.sql:3 (low)"]);
  });

  it("is no finding when the check is already at base", async () => {
    const base = { ...BASE, "supabase/migrations/20240201080000_check.sql": ADD_CHECK };
    expect(await scan(base, { ...base, "supabase/migrations/20240202080000_tighten.sql": TIGHTEN })).toEqual(["sql/drop-constraint:20240202080000_tighten.sql:3 (low)"]);
  });

  // Dropping the check after SET NOT NULL loses nothing either way (the column enforces it now): low.
  it("still scans when the check at base was never validated", async () => {
    const base = { ...BASE, "supabase/migrations/20240201080000_check.sql": ADD_CHECK };
    const head = { ...base, "supabase/migrations/20240202080000_tighten.sql": TIGHTEN.split("\n").slice(1).join("\n") };
    expect(await scan(base, head)).toEqual(["sql/not-null:20240202080000_tighten.sql:1", "sql/drop-constraint:20240202080000_tighten.sql:2 (low)"]);
  });

  it("still scans when the history at base has a gap, so its valid check is not known to hold", async () => {
    const base = {
      ...BASE,
      "supabase/migrations/20240201080000_check.sql": ADD_CHECK.replace(" not valid", ""),
      "supabase/migrations/20240203080000_opaque.sql": "do $$ begin execute 'alter table public.accounts drop constraint accounts_email_nn'; end $$;\n",
    };
    const head = { ...base, "supabase/migrations/20240204080000_tighten.sql": TIGHTEN.split("\n").slice(1).join("\n") };
    expect(await scan(base, head)).toEqual(["sql/not-null:20240204080000_tighten.sql:1", "sql/drop-constraint:20240204080000_tighten.sql:2 (low)"]);
  });
});
