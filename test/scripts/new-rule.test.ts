/**
 * `npm run new-rule` in a copy of the repository: for a rule of every area, what it writes
 * compiles under the project's strict settings, its test file runs, and the only tests that fail
 * are the ones waiting for the detector and the real texts (the scaffold's TODOs).
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newRule } from "../../scripts/new-rule.js";

const ROOT = join(import.meta.dirname, "..", "..");
// A compiler and a test run in child processes: minutes on a busy 2-core machine, not seconds.
const SLOW = 300_000;
const NEW = ["sql/drop-trigger", "tf/state-removed", "k8s/hpa-removed", "gate/secret-added"];
let copy: string;

interface VitestReport {
  testResults: { name: string; assertionResults: { fullName: string; status: string }[] }[];
}

function scaffold(id: string, ...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", join(copy, "scripts", "new-rule.ts"), id, "--root", copy, ...args], { cwd: copy, encoding: "utf8" });
}

describe("npm run new-rule", () => {
  beforeAll(() => {
    copy = mkdtempSync(join(tmpdir(), "changegate-new-rule-"));
    for (const part of ["rules", "src", "scripts", "docs", "test", "package.json", "tsconfig.json"]) cpSync(join(ROOT, part), join(copy, part), { recursive: true });
    symlinkSync(join(ROOT, "node_modules"), join(copy, "node_modules"), "dir");
    // One rule through the command a contributor types, the others through the same function in-process.
    const [first, ...rest] = NEW;
    const run = scaffold(first!);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain(`test/rules/${first}.test.ts`);
    for (const id of rest) expect(newRule(copy, id)).toContain(`test/rules/${id}.test.ts`);
  }, SLOW);

  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it("registers each rule once: the area index, the pinned ids and the docs", () => {
    for (const id of NEW) {
      const [area, name] = id.split("/") as [string, string];
      expect(readFileSync(join(copy, "rules", area, "index.ts"), "utf8").match(new RegExp(`from "\\./${name}\\.js"`, "g"))).toHaveLength(1);
      expect(readFileSync(join(copy, "test", "rules", "catalogue.test.ts"), "utf8")).toContain(`  "${id}",\n`);
      expect(readFileSync(join(copy, "docs", "rules.md"), "utf8")).toContain(`<a id="${id.replace("/", "-")}"></a>`);
    }
  });

  it("writes code that compiles", () => {
    const files = NEW.flatMap((id) => [`rules/${id}.ts`, `test/rules/${id}.test.ts`]);
    writeFileSync(join(copy, "tsconfig.new-rule.json"), JSON.stringify({ extends: "./tsconfig.json", include: [...files, "rules/index.ts", "test/rules/catalogue.test.ts"] }));
    const tsc = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript-7", "bin", "tsc"), "--noEmit", "-p", "tsconfig.new-rule.json"], { cwd: copy, encoding: "utf8" });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.status).toBe(0);
  }, SLOW);

  it("writes tests that run, and fail only where the detector and the texts are still to be written", () => {
    // One worker thread for the five files, sharing one module graph: a fresh process per file
    // compiled the engine five times, more than half of this file's CPU.
    writeFileSync(join(copy, "vitest.config.mjs"), 'export default { test: { include: ["test/rules/**/*.test.ts"], pool: "threads", isolate: false, maxWorkers: 1 } };\n');
    const report = join(copy, "report.json");
    const files = [...NEW.map((id) => `test/rules/${id}.test.ts`), "test/rules/catalogue.test.ts"];
    // The catalogue's own cases for the new rules and its file checks; the examples of the existing
    // rules are the main suite's business.
    const catalogueCases = ["pins the full list", "keeps each rule in a file", "keeps no scaffold placeholder", `runs the examples of (${NEW.join("|")})$`].join("|");
    const filter = `^(?!.*rule catalogue )|rule catalogue (${catalogueCases})`;
    spawnSync(process.execPath, [join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run", "--config", "vitest.config.mjs", "--reporter=json", `--outputFile=${report}`, "-t", filter, ...files], { cwd: copy, encoding: "utf8" });
    const results = (JSON.parse(readFileSync(report, "utf8")) as VitestReport).testResults;
    const failed = results.flatMap((r) => r.assertionResults.filter((a) => a.status === "failed").map((a) => a.fullName)).sort();
    expect(failed).toEqual(
      [
        "gate/secret-added TODO: fires on the plainest change it reports",
        "k8s/hpa-removed fires: TODO: the plainest change it reports",
        "rule catalogue keeps no scaffold placeholder in a record",
        "rule catalogue runs the examples of k8s/hpa-removed",
        "rule catalogue runs the examples of sql/drop-trigger",
        "rule catalogue runs the examples of tf/state-removed",
        "sql/drop-trigger fires: TODO: a realistic migration, with the statement among others",
        "sql/drop-trigger fires: TODO: the plainest statement it reports",
        "tf/state-removed fires: TODO: the plainest change it reports",
      ].sort(),
    );
    // Everything else ran and passed: the passing cases, the catalogue's pins and file checks.
    const passed = results.flatMap((r) => r.assertionResults.filter((a) => a.status === "passed").map((a) => a.fullName));
    expect(results.flatMap((r) => r.assertionResults.filter((a) => a.fullName.startsWith("rule catalogue runs the examples of ") && a.status !== "skipped").map((a) => a.fullName)).sort()).toEqual(
      NEW.map((id) => `rule catalogue runs the examples of ${id}`).sort(),
    );
    expect(passed).toContain("rule catalogue pins the full list of rule ids");
    expect(passed).toContain("rule catalogue keeps each rule in a file whose path mirrors its id, with a test file of its own that names it");
    expect(passed.filter((name) => NEW.some((id) => name.startsWith(`${id} `)))).toHaveLength(7);
  }, SLOW);

  it("refuses an id that is malformed, in an unknown area or taken", () => {
    for (const [id, message] of [
      ["DropTrigger", /area\/kebab-name/],
      ["db/drop-trigger", /unknown area "db"/],
      ["sql/drop-table", /exists already/],
      ["sql/drop-trigger", /exists already/],
    ] as const) {
      expect(() => newRule(copy, id), id).toThrow(message);
    }
    expect(() => newRule(copy, "sql/other", { severity: "huge" })).toThrow(/--severity is one of/);
    // The command says so on stderr and exits 2, without a stack trace.
    const run = scaffold("sql/other", "--severity", "huge");
    expect(run.status).toBe(2);
    expect(run.stderr).toBe("new-rule: --severity is one of low, medium, high, critical\n");
  }, SLOW);
});
