/**
 * Bounded glob matching (src/util/glob.ts): the same answers as picomatch on the globs people
 * write, completion on the hostile globs and paths that made picomatch's single regex backtrack
 * for seconds to minutes, and refusals, with a reason, of globs that cannot be bounded. A hostile
 * case that regressed would hang its test until the test timeout.
 */
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
import { BUILT_IN_GLOBS, NEVER } from "../../src/analyzers/migrations/layouts.js";
import { parsePolicy } from "../../src/policy/load.js";
import { MemorySource } from "../../src/source/memory.js";
import { globComplexityProblem, globMatcher, pathProblem } from "../../src/util/glob.js";

const GLOBS = [
  "**/*.sql",
  "db/migrate/*.rb",
  "**/migrations/*.py",
  "**/migrations/**/*.sql",
  "**/db/**/migrations/**/*.sql",
  "infra/**",
  "infra/**/*.tf",
  "*.md",
  "docs/**/*.{md,mdx}",
  "{apps,clusters}/**/kustomization.{yaml,yml}",
  "{db/migrate,src/migrations}/*.{rb,ts}",
  "migrations/[0-9][0-9]*_*.sql",
  "migrations/V?__*.sql",
  ".github/workflows/**",
  "!vendor/**",
  "a/**/b/**",
  "**",
  "*",
  "**/.env*",
  "sql/[!_]*.sql",
];
const PATHS = [
  "schema.sql",
  "db/schema.sql",
  "db/migrate/20240101_drop_users.rb",
  "db/migrate/nested/x.rb",
  "app/migrations/0001_initial.py",
  "app/migrations/sub/0001.py",
  "services/db/pg/migrations/v1/001.sql",
  "db/migrations/001.sql",
  "infra",
  "infra/main.tf",
  "infra/modules/rds/main.tf",
  "README.md",
  "docs/a/b.mdx",
  "apps/shop/kustomization.yaml",
  "clusters/kustomization.yml",
  "src/migrations/a/b.ts",
  "src/migrations/b.ts",
  "migrations/01_init.sql",
  "migrations/V1__init.sql",
  ".github/workflows/ci.yml",
  "vendor/lib/a.go",
  "a/x/b/y",
  "a/b",
  ".env.production",
  "config/.env",
  "sql/_private.sql",
  "sql/public.sql",
  ".hidden/migrations/1.sql",
];

describe("bounded glob matching", () => {
  it.for([true, false])("answers as picomatch does on the globs people write (dot: %s)", (dot) => {
    for (const glob of GLOBS) {
      const ours = globMatcher([glob], { dot });
      const theirs = picomatch(glob, { dot, strictBrackets: true });
      for (const path of PATHS) expect(ours(path), `${glob} on ${path}`).toBe(theirs(path));
    }
  });

  it("matches a list when any glob matches, and nothing with no globs", () => {
    const match = globMatcher(["**/*.sql", "db/migrate/*.rb"], { dot: true });
    expect(PATHS.filter(match)).toEqual(PATHS.filter((p) => p.endsWith(".sql") || /^db\/migrate\/[^/]+\.rb$/.test(p)));
    expect(globMatcher([])("anything")).toBe(false);
  });

  it("answers as picomatch does for every built-in migration glob, case-insensitively", () => {
    const paths = [...PATHS, "db/migrate/20240101_X.RB", "migrations/000002_x.up.SQL", "prisma/migrations/20240101/migration.sql", "alembic/versions/abc_drop.py"];
    for (const glob of [...NEVER, ...Object.values(BUILT_IN_GLOBS).flat()]) {
      expect(globComplexityProblem(glob), glob).toBeNull();
      const ours = globMatcher([glob], { dot: true, nocase: true });
      const theirs = picomatch(glob, { dot: true, nocase: true, strictBrackets: true });
      for (const path of paths) expect(ours(path), `${glob} on ${path}`).toBe(theirs(path));
    }
  });

  it("finishes on the globs and paths that made picomatch backtrack for seconds", () => {
    const deep = (n: number, segment: string) => Array<string>(n).fill(segment).join("/");
    const cases: [string, string][] = [
      ["*a*b", "a".repeat(255)],
      ["*a*b", "a".repeat(100_000)],
      ["**/*a*a/**/*a*a/**/*a*b", deep(64, "a".repeat(15))],
      ["**/*a*a/**/*a*a/**/*a*b", deep(2, "a".repeat(4000))],
      ["{**/a,**/*a*}/**/{*a*,a}/**/*a*b", deep(32, "a".repeat(31))],
      ["**/a/**/a/**/a/**/a/**/b", deep(2000, "a")],
      ["**/a?*?*/**/?*a*?/**/?b", deep(512, "a")],
    ];
    for (const [glob, path] of cases) expect(globMatcher([glob], { dot: true })(path), glob).toBe(false);
  });

  it("refuses, with a reason, globs that cannot be matched in bounded time", () => {
    expect(globComplexityProblem("*a*a*b")).toMatch(/has 3 "\*"; at most 2 per segment/);
    expect(globComplexityProblem("src/+(a|aa)+(a|aa)c")).toMatch(/extglobs/);
    expect(globComplexityProblem("a".repeat(600))).toMatch(/over the 512-character limit/);
    expect(globComplexityProblem("{a/x,b/x}{c/x,d/x}{e/x,f/x}{g/x,h/x}{i/x,j/x}{k/x,l/x}{m/x,n/x}")).toMatch(/more than 64 globs/);
    expect(globComplexityProblem("[*][*][*]x*y")).toBeNull();
    expect(() => globMatcher(["*a*a*a*b"])).toThrow(/at most 2 per segment/);
  });

  it("makes a policy with such a glob invalid, saying which glob and why", () => {
    const result = parsePolicy(`version: 1\npaths:\n  exclude:\n    - "docs/*a*a*a*a*a*a*a*a*a*b"\n`);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.message).join("\n")).toMatch(/docs\/\*a\*a.*at most 2 per segment/);
  });

  it("takes an ApplicationSet directory pattern it cannot bound as matching: the removed chart is still reported", async () => {
    const appSet = (path: string) =>
      `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: charts\n  namespace: argocd\nspec:\n  generators:\n    - git:\n        repoURL: https://github.com/example/deploy.git\n        revision: HEAD\n        directories:\n          - path: '${path}'\n  template:\n    metadata:\n      name: '{{path.basename}}'\n    spec:\n      project: default\n      source:\n        repoURL: https://github.com/example/deploy.git\n        path: '{{path}}'\n      destination:\n        server: https://kubernetes.default.svc\n        namespace: '{{path.basename}}'\n`;
    const chart = "apiVersion: v2\nname: billing\nversion: 1.0.0\n";
    const name = `${"a".repeat(200)}c`;
    const scan = async (pattern: string) => {
      const base = { "apps/appset.yaml": appSet(pattern), [`apps/charts/${name}/Chart.yaml`]: chart, [`apps/charts/${name}/values.yaml`]: "replicas: 1\n" };
      const head = { "apps/appset.yaml": appSet(pattern) };
      const { findings } = await analyzeChangeSet(new MemorySource(base, head));
      return findings.filter((f) => f.rule === "k8s/cascade-delete").map((f) => f.message);
    };
    expect(await scan("apps/charts/*")).toEqual([expect.stringMatching(/ApplicationSet charts .*generates an Application from it/)]);
    expect(await scan("apps/charts/*a*a*a*a*a*a*a*a*a*a*b")).toEqual([expect.stringMatching(/generates an Application from it/)]);
    expect(await scan("apps/other/*")).toEqual([]);
  });
});

describe("paths no file system checks out", () => {
  it("are reported for a person to read, not matched against globs", async () => {
    const long = `db/migrations/${"x".repeat(300)}.sql`;
    const { findings } = await analyzeChangeSet(new MemorySource({}, { [long]: "DROP TABLE users;", "db/migrations/002.sql": "DROP TABLE orders;" }));
    expect(findings.map((f) => `${f.rule} ${f.file === long ? "long" : f.file}`).sort()).toEqual(["gate/incomplete-analysis long", "sql/drop-table db/migrations/002.sql"]);
    expect(findings.find((f) => f.file === long)!.message).toMatch(/a name in the path is 304 characters long, over the 255/);
  });

  it("are told apart from ordinary long paths", () => {
    expect(pathProblem(`${"a/".repeat(1000)}b.sql`)).toBeNull();
    expect(pathProblem(`a/${"b".repeat(256)}`)).toMatch(/256 characters/);
  });
});
