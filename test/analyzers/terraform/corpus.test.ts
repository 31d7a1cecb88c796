/**
 * The shared corpus: three real destructive commits judged as their EXPECTED.md says, every plan
 * with the findings it should produce, and the parse rate over real modules. Skips without the corpus.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseTerraformFile } from "../../../src/analyzers/terraform/hcl.js";
import { scanHcl } from "../../../src/analyzers/terraform/scan.js";
import { brief, CORPUS, readTree, scanPlan, scanTrees } from "./helpers.js";

const commits = CORPUS ? join(CORPUS, "terraform-commits") : "";
const plans = CORPUS ? join(CORPUS, "terraform-plans") : "";

async function commit(name: string) {
  const dir = join(commits, name);
  const findings = await scanTrees(readTree(join(dir, "base")), readTree(join(dir, "head")));
  return findings.filter((f) => f.rule.startsWith("tf/"));
}

// Whole real modules through HashiCorp's parser compiled to JavaScript: seconds each when the
// machine is quiet, over the default 30 s when a 2-core machine runs the suite and more.
const REAL_MODULES = { timeout: 120_000 };

describe.skipIf(!CORPUS)("real destructive commits (terraform-commits/)", REAL_MODULES, () => {
  it("terraform-aws-eks 165d7c8c: deletion_protection removed from the EKS module call, HIGH", async () => {
    const found = await commit("terraform-aws-eks-165d7c8c-drop-deletion-protection");
    expect(found.map(brief)).toEqual(["tf/protection-removed high examples/eks-auto-mode/main.tf:38 module.eks"]);
    expect(found[0]!.side).toBe("base");
    expect(found[0]!.message).toContain("deletion_protection");
  });

  it("terraform-aws-rds 3aa04ac: deletion_protection true → false in five examples, hidden in a 0.11 → 0.12 migration, HIGH", async () => {
    const found = await commit("terraform-aws-rds-3aa04ac-deletion-protection-false");
    expect(found.map((f) => `${f.rule} ${f.severity} ${f.file} ${f.object}`)).toEqual(
      ["complete-mssql", "complete-mysql", "complete-oracle", "complete-postgres", "enhanced-monitoring"].map(
        (example) => `tf/protection-removed high examples/${example}/main.tf module.db`,
      ),
    );
    for (const f of found) expect(f.message).toMatch(/deletion_protection.*true → false/);
  });

  it("terraform-google-sql-db 5e1ae20: failover replica deleted and replicas re-keyed count → for_each, CRITICAL", async () => {
    const found = await commit("terraform-google-sql-db-5e1ae20-replicas-count-to-for-each");
    expect(found.map(brief)).toEqual([
      "tf/destroy critical modules/mysql/failover_replica.tf:26 google_sql_database_instance.failover-replica",
      "tf/count-shrink critical modules/mysql/read_replica.tf:24 google_sql_database_instance.replicas",
      "tf/count-shrink critical modules/postgresql/read_replica.tf:24 google_sql_database_instance.replicas",
    ]);
  });
});

/** What each corpus plan should produce (rule severity object). */
const EXPECTED_PLANS: Record<string, string[]> = {
  "eq-fully-populated-complex-destroy.plan.json": ["tf/destroy high tfcoremock_complex_resource.complex"],
  "eq-local-provider-delete.plan.json": ["tf/destroy high local_file.local_file"],
  "eq-moved-simple.plan.json": [],
  "eq-simple-object-replace.plan.json": ["tf/replace high tfcoremock_object.object"],
  "tf-show-json-basic-delete.json": ["tf/destroy high test_instance.test-delete"],
  "tf-show-json-drift.json": [],
  "tf-show-json-modules.json": [],
  "tf-show-json-moved.json": [],
  "tf-show-json-requires-replace.json": ["tf/replace high test_instance.test"],
  "tfjson-action-reason-tainted.plan.json": ["tf/replace high null_resource.example"],
  "text/eq-drift-simple.plan.txt": [],
  "text/eq-fully-populated-complex-destroy.plan.txt": ["tf/destroy high tfcoremock_complex_resource.complex"],
  "text/eq-local-provider-delete.plan.txt": ["tf/destroy high local_file.local_file"],
  "text/eq-moved-simple.plan.txt": [],
  "text/eq-null-provider-delete.plan.txt": ["tf/destroy high null_resource.null_resource"],
  "text/eq-replace-within-list.plan.txt": ["tf/replace high tfcoremock_list.list"],
  "text/eq-simple-object-replace.plan.txt": ["tf/replace high tfcoremock_object.object"],
};

describe.skipIf(!CORPUS)("corpus plans (terraform-plans/)", () => {
  it("covers every plan of the corpus", () => {
    const files = [...readdirSync(plans).filter((n) => n.endsWith(".json")), ...readdirSync(join(plans, "text")).map((n) => `text/${n}`)];
    expect(files.sort()).toEqual(Object.keys(EXPECTED_PLANS).sort());
  });
  for (const [name, expected] of Object.entries(EXPECTED_PLANS)) {
    it(name, async () => {
      const found = await scanPlan(readFileSync(join(plans, name)), name);
      expect(found.map((f) => `${f.rule} ${f.severity} ${f.object}`)).toEqual(expected);
      for (const f of found) expect(f.file).toBe(name);
    });
  }
  it("names the reason and the forcing attribute of a replacement", async () => {
    const [f] = await scanPlan(readFileSync(join(plans, "tf-show-json-requires-replace.json")));
    expect(f!.message).toMatch(/replace_because_cannot_update.*forced by ami/);
  });
  it("says a reasonless delete may be a destroy-mode plan", async () => {
    const [f] = await scanPlan(readFileSync(join(plans, "eq-fully-populated-complex-destroy.plan.json")));
    expect(f!.message).toMatch(/destroy-mode/);
  });
});

describe.skipIf(!CORPUS)("parse rate over real modules (terraform-modules/ and terraform-commits/)", REAL_MODULES, () => {
  it("parses every file, or says why not", () => {
    // Each file with the path a scan reads it by: a commit's files relative to its base or head
    // (`<commit>/base/main.tf` as `main.tf`), so that a text the commits' scans above parsed is
    // answered from the parse cache instead of through HashiCorp's parser again.
    const files: { file: string; path: string }[] = [];
    for (const root of ["terraform-modules", "terraform-commits"]) {
      const tree = readTree(join(CORPUS!, root));
      for (const path of Object.keys(tree)) {
        if (!/\.(tf|tofu)(\.json)?$/.test(path)) continue;
        files.push({ file: join(CORPUS!, root, path), path: root === "terraform-commits" ? path.split("/").slice(2).join("/") : path });
      }
    }
    let parsed = 0;
    const failures: string[] = [];
    for (const { file, path } of files) {
      const result = parseTerraformFile(path, readFileSync(file, "utf8"));
      if (result.error) {
        expect(result.error.reason.length).toBeGreaterThan(0);
        failures.push(`${file}: ${result.error.reason}`);
      } else parsed++;
      // Lines come from the scanner: it must follow every file the parser accepts.
      const scanned = scanHcl(readFileSync(file, "utf8"));
      if (scanned.error) failures.push(`${file}: the scanner stopped at line ${scanned.error.line}: ${scanned.error.reason}`);
    }
    console.log(`Terraform parse rate: ${parsed}/${files.length} files (${((100 * parsed) / files.length).toFixed(1)}%)${failures.length ? `\n${failures.join("\n")}` : ""}`);
    expect(files.length).toBeGreaterThan(300);
    expect(failures).toEqual([]);
  }, 120_000);
});
