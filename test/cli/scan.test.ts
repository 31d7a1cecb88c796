import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TestRepo } from "../source/git-repo.js";
import { run } from "./io.js";

const repos: TestRepo[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const SCHEMA = {
  "db/migrations/000001_create.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\nCREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n",
  "README.md": "# app\n",
};

/** main with a schema, then a `feature` branch (checked out) with `change` committed on top. */
function branch(change: Record<string, string | null>, base: Record<string, string> = {}): TestRepo {
  const r = new TestRepo();
  repos.push(r);
  r.commit({ ...SCHEMA, ...base }, "schema");
  r.git("checkout", "--quiet", "-b", "feature");
  r.commit(change, "feature");
  return r;
}

const DROP = { "db/migrations/000002_drop_orders.up.sql": "-- nothing reads orders any more\nDROP TABLE orders;\n" };
const INDEX = { "db/migrations/000002_index.up.sql": "CREATE INDEX users_email_idx ON users (email);\n" };

describe("changegate scan", () => {
  it("exits 1 with the findings and the decision when a sign-off is needed", async () => {
    const r = branch(DROP);
    const result = await run(["scan", "--repo", r.dir]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("db/migrations/000002_drop_orders.up.sql");
    expect(result.stdout).toMatch(/CRITICAL\s+sql\/drop-table\s+line 2\s+orders/);
    expect(result.stdout).toContain("2 │ DROP TABLE orders;");
    expect(result.stdout).toContain("Decision: NEEDS SIGN-OFF");
    expect(result.stdout).toContain("merge-base of HEAD and main");
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("exits 0 when nothing gates", async () => {
    const r = branch({ "README.md": "# app\n\nMore words.\n", "src/app.ts": "export const x = 1;\n" });
    const result = await run(["scan", "--repo", r.dir]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("No destructive changes found.");
    expect(result.stdout).toContain("Decision: PASS");
  });

  it("runs from the working directory by default", async () => {
    const r = branch(DROP);
    expect((await run(["scan"], { cwd: r.dir })).code).toBe(1);
    expect((await run(["scan", "--repo", "."], { cwd: r.dir })).code).toBe(1);
  });

  it("prints the stable JSON contract with --format json", async () => {
    const r = branch(DROP);
    const result = await run(["scan", "--repo", r.dir, "--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.base).toBe(r.sha("main"));
    expect(json.head).toBe(r.sha("feature"));
    const drop = json.findings.find((f: { rule: string }) => f.rule === "sql/drop-table");
    expect(drop).toEqual(
      expect.objectContaining({
        rule: "sql/drop-table",
        severity: "critical",
        category: "data-loss",
        file: "db/migrations/000002_drop_orders.up.sql",
        line: 2,
        endLine: null,
        object: expect.stringMatching(/orders/),
        message: expect.any(String),
      }),
    );
    for (const f of json.findings) {
      for (const key of ["rule", "severity", "category", "file", "line", "endLine", "object", "message"]) expect(f).toHaveProperty(key);
    }
    expect(json.decision.outcome).toBe("needs-signoff");
    expect(json.decision.rules.length).toBeGreaterThan(0);
  });

  it("gates medium findings on agent-authored changes (--author agent)", async () => {
    const r = branch(INDEX);
    const human = await run(["scan", "--repo", r.dir, "--format", "json"]);
    const agent = await run(["scan", "--repo", r.dir, "--format", "json", "--author", "agent"]);
    expect(JSON.parse(human.stdout).findings.map((f: { rule: string }) => f.rule)).toContain("sql/blocking-index");
    expect(human.code).toBe(0);
    expect(JSON.parse(human.stdout).decision.outcome).toBe("pass");
    expect(agent.code).toBe(1);
    expect(JSON.parse(agent.stdout).decision.outcome).toBe("needs-signoff");
  });

  it("renders markdown and SARIF", async () => {
    const r = branch(DROP);
    const md = await run(["scan", "--repo", r.dir, "--format", "markdown"]);
    expect(md.code).toBe(1);
    expect(md.stdout).toContain("changegate: Needs sign-off");
    expect(md.stdout).toContain("`sql/drop-table`");
    const sarif = await run(["scan", "--repo", r.dir, "--format", "sarif"]);
    expect(sarif.code).toBe(1);
    const log = JSON.parse(sarif.stdout);
    expect(log.version).toBe("2.1.0");
    expect(log.runs[0].results.some((x: { ruleId: string }) => x.ruleId === "sql/drop-table")).toBe(true);
  });

  it("takes --base and --head", async () => {
    const r = branch(DROP);
    const dropped = r.sha("feature");
    r.commit({ "README.md": "# app\n\nv2\n" }, "docs only");
    // HEAD~1..HEAD holds only the README change.
    expect((await run(["scan", "--repo", r.dir, "--base", "HEAD~1"])).code).toBe(0);
    expect((await run(["scan", "--repo", r.dir, "--base", "main", "--head", dropped])).code).toBe(1);
  });
});

describe("changegate scan --working-tree", () => {
  it("sees uncommitted and untracked migrations before they are committed", async () => {
    const r = branch({ "README.md": "# app\n\nv2\n" });
    expect((await run(["scan", "--repo", r.dir])).code).toBe(0);
    writeFileSync(join(r.dir, "db/migrations/000003_drop.up.sql"), "DROP TABLE users;\n");
    const result = await run(["scan", "--repo", r.dir, "--working-tree", "--format", "json"]);
    expect(result.code).toBe(1);
    const json = JSON.parse(result.stdout);
    expect(json.head).toBe("working-tree");
    expect(json.findings.map((f: { rule: string; file: string }) => `${f.rule} ${f.file}`)).toContain("sql/drop-table db/migrations/000003_drop.up.sql");
    const both = await run(["scan", "--repo", r.dir, "--working-tree", "--head", "HEAD"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("--working-tree and --head exclude each other");
  });
});

describe("changegate scan: policy", () => {
  it("reads the policy from the base revision, never from the head", async () => {
    // The base allows everything (report-only); the branch's own policy change does not count.
    const relaxed = branch(DROP, { ".github/changegate.yml": "version: 1\nmode: report-only\n" });
    const a = await run(["scan", "--repo", relaxed.dir, "--format", "json"]);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.stdout).decision.mode).toBe("report-only");

    const sneaky = branch({ ...DROP, ".github/changegate.yml": "version: 1\nmode: report-only\n" });
    const b = await run(["scan", "--repo", sneaky.dir, "--format", "json"]);
    expect(b.code).toBe(1);
    const json = JSON.parse(b.stdout);
    expect(json.decision.mode).toBe("enforce");
    expect(json.findings.map((f: { rule: string }) => f.rule)).toContain("gate/config-change");
  });

  it("matches base_branches against the default branch's name, not the merge-base SHA", async () => {
    const policy = (branches: string) =>
      `version: 1\nrules:\n  - name: Indexes\n    when: { findings: ["sql/blocking-index"], base_branches: [${branches}] }\n    require: { approvals: 1 }\n`;
    const onMain = branch(INDEX, { ".github/changegate.yml": policy('"main"') });
    expect((await run(["scan", "--repo", onMain.dir])).code).toBe(1);
    expect((await run(["scan", "--repo", onMain.dir, "--base", "main"])).code).toBe(1);
    const onRelease = branch(INDEX, { ".github/changegate.yml": policy('"release/*"') });
    expect((await run(["scan", "--repo", onRelease.dir])).code).toBe(0);
  });

  it("uses --config FILE from disk instead, and rejects an invalid one with exit 2", async () => {
    const r = branch(DROP);
    const dir = mkdtempSync(join(tmpdir(), "changegate-config-"));
    dirs.push(dir);
    writeFileSync(join(dir, "relaxed.yml"), "version: 1\nmode: report-only\n");
    writeFileSync(join(dir, "broken.yml"), "version: 1\nmode: whenever\n");
    expect((await run(["scan", "--repo", r.dir, "--config", "relaxed.yml"], { cwd: dir })).code).toBe(0);
    const broken = await run(["scan", "--repo", r.dir, "--config", join(dir, "broken.yml")]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/is invalid/);
    expect(broken.stderr).toMatch(/broken\.yml:2:\d+/);
    const missing = await run(["scan", "--repo", r.dir, "--config", join(dir, "nope.yml")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("no such file");
  });

  it("fails closed (exit 1, blocked) on an invalid policy at the base revision and shows its errors", async () => {
    const r = branch(DROP, { ".github/changegate.yml": "version: 1\nmode: whenever\n" });
    const text = await run(["scan", "--repo", r.dir]);
    expect(text.code).toBe(1);
    expect(text.stdout).toContain("The policy .github/changegate.yml is invalid");
    expect(text.stdout).toContain("Decision: BLOCKED");
    const json = await run(["scan", "--repo", r.dir, "--format", "json"]);
    expect(JSON.parse(json.stdout).decision.outcome).toBe("blocked");
  });
});

describe("changegate scan: operational errors", () => {
  it("exits 2 with a clear message outside a git repository", async () => {
    const dir = mkdtempSync(join(tmpdir(), "changegate-norepo-"));
    dirs.push(dir);
    const result = await run(["scan", "--repo", dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("is not a git repository");
    expect(result.stdout).toBe("");
    const missing = await run(["scan", "--repo", join(dir, "nope")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("does not exist");
  });

  it("exits 2 on an unknown revision", async () => {
    const r = branch(DROP);
    const result = await run(["scan", "--repo", r.dir, "--base", "no-such-rev"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Unknown revision "no-such-rev"');
  });
});

describe("changegate scan --terraform-plan", () => {
  const plan = (address: string, type: string, actions: string[]) =>
    JSON.stringify({ format_version: "1.2", resource_changes: [{ address, mode: "managed", type, name: address.split(".").pop(), change: { actions } }] });

  it("analyses each plan and reports it under its own path", async () => {
    const r = branch({ "README.md": "# app\n\nwords\n" });
    const dir = mkdtempSync(join(tmpdir(), "changegate-plans-"));
    dirs.push(dir);
    writeFileSync(join(dir, "prod.json"), plan("aws_db_instance.main", "aws_db_instance", ["delete"]));
    writeFileSync(join(dir, "staging.json"), plan("aws_instance.web", "aws_instance", ["delete", "create"]));
    const result = await run(["scan", "--repo", r.dir, "--format", "json", "--terraform-plan", "prod.json", "--terraform-plan", "staging.json"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(1);
    const findings = JSON.parse(result.stdout).findings.map((f: { rule: string; severity: string; file: string; object: string }) => `${f.rule} ${f.severity} ${f.file} ${f.object}`);
    expect(findings).toEqual(["tf/destroy critical prod.json aws_db_instance.main", "tf/replace high staging.json aws_instance.web"]);
  });

  it("passes a plan with nothing destructive", async () => {
    const r = branch({ "README.md": "# app\n\nwords\n" });
    writeFileSync(join(r.dir, "plan.json"), plan("aws_instance.web", "aws_instance", ["create"]));
    const result = await run(["scan", "--repo", r.dir, "--terraform-plan", join(r.dir, "plan.json")]);
    expect(result.code).toBe(0);
  });

  it("reports a deleted resource block of the change beside the plan", async () => {
    const r = branch({ "infra/main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n' }, { "infra/main.tf": 'resource "aws_s3_bucket" "logs" {\n  bucket = "logs"\n}\n\nresource "aws_db_instance" "main" {\n  engine = "postgres"\n}\n' });
    const result = await run(["scan", "--repo", r.dir, "--format", "json"]);
    expect(result.code).toBe(1);
    const [f] = JSON.parse(result.stdout).findings;
    expect(f).toEqual(expect.objectContaining({ rule: "tf/destroy", severity: "critical", file: "infra/main.tf", line: 5, object: "aws_db_instance.main", side: "base" }));
  });
});

describe("changegate scan: --fail-on and --exit-zero", () => {
  function config(text: string): string {
    const dir = mkdtempSync(join(tmpdir(), "changegate-fail-on-"));
    dirs.push(dir);
    writeFileSync(join(dir, "changegate.yml"), text);
    return join(dir, "changegate.yml");
  }

  it("--exit-zero writes the whole SARIF report and exits 0 on a change that needs a sign-off", async () => {
    const r = branch(DROP);
    const result = await run(["scan", "--repo", r.dir, "--format", "sarif", "--exit-zero"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const sarif = JSON.parse(result.stdout);
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toContain("sql/drop-table");
    expect(sarif.runs[0].properties.outcome).toBe("needs-signoff");
    // The same scan without it fails: the verdict is unchanged, only the exit code.
    expect((await run(["scan", "--repo", r.dir, "--format", "sarif"])).code).toBe(1);
  });

  it("--exit-zero never hides a scan that could not run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "changegate-not-a-repo-"));
    dirs.push(dir);
    expect((await run(["scan", "--repo", dir, "--exit-zero"])).code).toBe(2);
  });

  it.each([
    ["needs-signoff", 0],
    ["low", 1],
    ["medium", 1],
    ["high", 0],
    ["critical", 0],
  ])("--fail-on %s on a person's blocking index (medium, no sign-off needed) exits %i", async (level, code) => {
    const r = branch(INDEX);
    const result = await run(["scan", "--repo", r.dir, "--fail-on", level]);
    expect(result.stdout).toContain("Decision: PASS");
    expect(result.code).toBe(code);
  });

  it("--fail-on high on a DROP TABLE exits 1, and not when the policy ignores it", async () => {
    const r = branch(DROP);
    expect((await run(["scan", "--repo", r.dir, "--fail-on", "high"])).code).toBe(1);
    const ignoring = config('version: 1\nignore:\n  - findings: ["sql/drop-table"]\n    reason: test\n');
    const result = await run(["scan", "--repo", r.dir, "--config", ignoring, "--fail-on", "low", "--format", "json"]);
    expect(JSON.parse(result.stdout).decision.ignored.map((f: { rule: string }) => f.rule)).toEqual(["sql/drop-table"]);
    expect(result.code).toBe(0);
  });

  it("the report says whether the built-in rules apply beside the policy file's", async () => {
    const r = branch(DROP);
    const floor = await run(["scan", "--repo", r.dir, "--config", config("version: 1\n")]);
    expect(floor.stdout).toMatch(/policy: \S+changegate\.yml \(from disk\), plus the built-in rules\n/);
    const off = await run(["scan", "--repo", r.dir, "--config", config("version: 1\ndefaults: false\n")]);
    expect(off.stdout).toMatch(/policy: \S+changegate\.yml \(from disk\) \(defaults: false, no built-in rules\)\n/);
    expect(off.code).toBe(0);
    expect(floor.code).toBe(1);
  });

  it("--fail-on a severity still fails a change a rule blocks, below that severity", async () => {
    const r = branch(INDEX);
    const blocking = config('version: 1\nrules:\n  - name: No blocking indexes\n    when: { findings: ["sql/blocking-index"] }\n    block: "Build it CONCURRENTLY."\n');
    const result = await run(["scan", "--repo", r.dir, "--config", blocking, "--fail-on", "critical"]);
    expect(result.stdout).toContain("Build it CONCURRENTLY.");
    expect(result.code).toBe(1);
  });
});
