import { cpSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestRepo } from "../source/git-repo.js";
import { run } from "./io.js";

// The repository `npm run demo` builds (scripts/demo.mjs), scanned in-process: the demo's story holds.
const FIXTURES = join(import.meta.dirname, "..", "..", "fixtures", "sample-repo");
let repo: TestRepo;

beforeAll(() => {
  repo = new TestRepo();
  cpSync(join(FIXTURES, "base"), repo.dir, { recursive: true });
  repo.git("add", "--all");
  repo.git("commit", "--quiet", "-m", "base");
  repo.git("checkout", "--quiet", "-b", "cleanup-legacy-orders");
  cpSync(join(FIXTURES, "head"), repo.dir, { recursive: true });
  repo.git("add", "--all");
  repo.git("commit", "--quiet", "-m", "head");
});
afterAll(() => repo.remove());

describe("the demo repository (fixtures/sample-repo)", () => {
  it("needs a sign-off for the dropped table and the DELETE without WHERE", async () => {
    const result = await run(["scan", "--repo", repo.dir, "--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    const hits = json.findings.map((f: { rule: string; file: string; line: number }) => `${f.rule} ${f.file}:${f.line}`);
    expect(hits).toContain("sql/drop-table db/migrations/000004_drop_legacy_orders.up.sql:2");
    expect(hits).toContain("sql/delete-all-rows db/migrations/000005_purge_expired_sessions.up.sql:2");
    expect(hits).toContain("sql/blocking-index db/migrations/000006_index_orders_by_customer.up.sql:1");
    // The harmless migration and the application code say nothing.
    expect(hits.filter((h: string) => h.includes("000007_add_order_notes.up.sql") || h.includes("src/app.js"))).toEqual([]);
    expect(json.decision.outcome).toBe("needs-signoff");
    // The sample policy names only SQL; the built-in floor gates the critical namespace deletion beside it.
    const rules = json.decision.rules.map((r: { name: string; findings: { rule: string }[] }) => [r.name, r.findings.map((f) => f.rule)]);
    expect(rules[0][0]).toBe("Destructive database change");
    expect(rules[1]).toEqual(["High-severity changes", expect.arrayContaining(["sql/drop-table", "sql/delete-all-rows", "k8s/delete-namespace"])]);
  });

  it("colours the text report on a terminal unless NO_COLOR is set", async () => {
    expect((await run(["scan", "--repo", repo.dir], { tty: true })).stdout).toContain("\u001b[");
    expect((await run(["scan", "--repo", repo.dir], { tty: true, env: { NO_COLOR: "1" } })).stdout).not.toContain("\u001b[");
  });
});
