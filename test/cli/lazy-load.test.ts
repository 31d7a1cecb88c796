/**
 * Start-up cost as users meet it: the built CLI (bin/changegate.js over dist/, as installed) is run
 * as a child process under a module loader hook that records every module it resolves (ESM
 * imports) and every CommonJS module in require's cache at exit. A parser is "loaded" when any
 * file of its package shows up. The control cases (a TypeScript migration loads TypeScript, a
 * MySQL one node-sql-parser) show the hook sees them, so the other cases can fail.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestRepo } from "../source/git-repo.js";

const ROOT = join(import.meta.dirname, "..", "..");
const BIN = join(ROOT, "bin", "changegate.js");
const PARSERS = ["libpg-query", "node-sql-parser", "typescript", "@ruby/prism", "@lezer/python", "hcl2-parser", "saxes"] as const;

let dir: string;
let register: string;
const repos: TestRepo[] = [];

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "changegate-modules-"));
  register = join(dir, "register.mjs");
  writeFileSync(
    join(dir, "hooks.mjs"),
    `import { appendFileSync } from "node:fs";
let out;
export function initialize(data) { out = data.out; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(out, result.url + "\\n");
  return result;
}
`,
  );
  writeFileSync(
    register,
    `import { appendFileSync } from "node:fs";
import { createRequire, register } from "node:module";
const out = process.env.CHANGEGATE_MODULES_OUT;
register(new URL("./hooks.mjs", import.meta.url), { data: { out } });
process.on("exit", () => appendFileSync(out, Object.keys(createRequire(import.meta.url).cache).join("\\n") + "\\n"));
`,
  );
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  for (const r of repos.splice(0)) r.remove();
});

/** Runs the CLI; returns its exit code and the packages of the modules it loaded. */
function modulesOf(args: string[], cwd = ROOT): { code: number | null; stdout: string; stderr: string; packages: Set<string>; bundled: Set<string> } {
  const out = join(dir, `modules-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(out, "");
  const run = spawnSync(process.execPath, ["--import", register, BIN, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, CHANGEGATE_MODULES_OUT: out, NO_COLOR: "1" },
  });
  const packages = new Set<string>();
  // Packages bundled into dist/cli (zod, yaml, picomatch): esbuild marks each module it copies in.
  const bundled = new Set<string>();
  for (const line of readFileSync(out, "utf8").split("\n")) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(line);
    if (match) packages.add(match[1]!);
    if (line.startsWith("file://") && line.includes("/dist/cli/")) {
      for (const copied of readFileSync(new URL(line), "utf8").matchAll(/^\/\/ node_modules\/((?:@[^/]+\/)?[^/]+)\//gm)) bundled.add(copied[1]!);
    }
  }
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, packages, bundled };
}

function loadedParsers(packages: Set<string>): string[] {
  return PARSERS.filter((name) => packages.has(name));
}

/** A repository whose feature branch adds the given files. */
function change(files: Record<string, string>): TestRepo {
  const r = new TestRepo();
  repos.push(r);
  r.commit({ "README.md": "# app\n" });
  r.git("checkout", "--quiet", "-b", "feature");
  r.commit(files);
  return r;
}

function scan(r: TestRepo) {
  return modulesOf(["scan", "--repo", r.dir, "--base", "main", "--format", "json"]);
}

describe("what the CLI loads", () => {
  it("--help and --version load no parser, no analyzer and no policy schema", () => {
    for (const args of [["--help"], ["--version"]]) {
      const run = modulesOf(args);
      expect(run.code).toBe(0);
      expect([...run.packages]).toEqual([]);
    }
  });

  it("explain and validate-config load no parser", () => {
    const explain = modulesOf(["explain", "sql/drop-table"]);
    expect(explain.code).toBe(0);
    expect(explain.stdout).toContain("sql/drop-table");
    expect(loadedParsers(explain.packages)).toEqual([]);

    const policy = join(dir, "changegate.yml");
    writeFileSync(policy, "version: 1\n");
    const validate = modulesOf(["validate-config", policy]);
    expect(validate.stderr).toBe("");
    expect(loadedParsers(validate.packages)).toEqual([]);
  });

  it("a scan of a change with no migration, manifest or module loads no parser", () => {
    const run = scan(change({ "README.md": "# app, now documented\n", "src/app.ts": "export const x = 1;\n" }));
    expect(run.code).toBe(0);
    expect(loadedParsers(run.packages)).toEqual([]);
  });

  it("a Prisma migration loads the PostgreSQL parser and nothing for other languages or dialects", () => {
    const run = scan(change({ "prisma/migrations/20260101000000_drop/migration.sql": "DROP TABLE users;\n" }));
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout).findings.map((f: { rule: string }) => f.rule)).toContain("sql/drop-table");
    expect(loadedParsers(run.packages)).toEqual(["libpg-query"]);
  });

  it("a scan whose base has no policy file never loads the policy schema (zod); one with a policy file does", () => {
    const without = scan(change({ "prisma/migrations/20260101000000_drop/migration.sql": "DROP TABLE users;\n" }));
    expect(without.code).toBe(1);
    expect([...without.bundled]).not.toContain("zod");
    // Nor the YAML parser: no policy, no manifest, no YAML changelog.
    expect([...without.bundled]).not.toContain("yaml");

    const r = new TestRepo();
    repos.push(r);
    r.commit({ ".github/changegate.yml": "version: 1\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "prisma/migrations/20260101000000_drop/migration.sql": "DROP TABLE users;\n" });
    const withPolicy = scan(r);
    expect(withPolicy.code).toBe(1);
    expect(JSON.parse(withPolicy.stdout).policy.source).toBe("file");
    expect([...withPolicy.bundled]).toContain("zod");
  });

  it("a manifest change loads the YAML parser (the hook sees bundled packages)", () => {
    const run = scan(change({ "k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n" }));
    expect(run.code).toBe(0);
    expect([...run.bundled]).toContain("yaml");
  });

  it("a TypeScript migration loads the TypeScript compiler; a MySQL one node-sql-parser (the hook sees them)", () => {
    const knex = scan(change({ "db/migrations/20260101_drop.ts": 'export async function up(knex) { await knex.schema.dropTable("users"); }\n' }));
    expect(knex.code).toBe(1);
    expect(loadedParsers(knex.packages)).toContain("typescript");
    expect(loadedParsers(knex.packages)).not.toContain("node-sql-parser");

    const mysql = scan(change({ "db/migrations/mysql/0002_drop.up.sql": "DROP TABLE users;\n" }));
    expect(mysql.code).toBe(1);
    expect(loadedParsers(mysql.packages)).toContain("node-sql-parser");
    expect(loadedParsers(mysql.packages)).not.toContain("typescript");
  });
});
