// Git repositories of the shared corpus (../shared/corpus), for benchmarks that run the real
// `changegate scan` process as a user does. Built once into bench/.repos/ (gitignored) with fixed
// author, committer and dates, so the same corpus gives the same commits on every machine.
//
// Each case is a repository with two commits: `base` and `head` (a branch each), scanned as
// `changegate scan --repo DIR --base base --head head`. Its objects are packed, as in a clone
// (CI's checkout, a developer's copy): a repository whose every object is a loose file, as two
// fresh commits leave it, costs git one file per object and is not what a user scans.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
export const CORPUS = join(ROOT, "..", "shared", "corpus");
export const REPOS = join(ROOT, "bench", ".repos");
export const BIN = join(ROOT, "bin", "changegate.js");
/** Bump when the way repositories are built changes: older copies are rebuilt. */
const LAYOUT_VERSION = "2";

export interface CorpusCase {
  name: string;
  /** What the head commit adds to (or changes in) the base commit. */
  describe: string;
  /** Files of each side: repository path → absolute path in the corpus. */
  base: Map<string, string>;
  head: Map<string, string>;
}

export function corpusPresent(): boolean {
  return existsSync(join(CORPUS, "sql-migrations"));
}

/** Every file below `dir`, as paths relative to it, sorted. */
export function walk(dir: string): string[] {
  const out: string[] = [];
  const visit = (at: string) => {
    for (const entry of readdirSync(at, { withFileTypes: true })) {
      const full = join(at, entry.name);
      if (entry.isDirectory()) visit(full);
      else if (entry.isFile()) out.push(relative(dir, full).split("\\").join("/"));
    }
  };
  visit(dir);
  return out.sort();
}

function tree(dir: string, prefix = ""): Map<string, string> {
  return new Map(walk(dir).map((path) => [prefix + path, join(dir, path)]));
}

/** A whole corpus set added in one pull request (base: an empty repository), under `prefix` in the repository. */
export function addedSet(category: string, set: string, prefix = ""): CorpusCase {
  const name = category === "" ? set : `${category}/${set}`;
  return { name, describe: `every file of ${name} added`, base: new Map(), head: tree(join(CORPUS, category, set), prefix) };
}

/** A real commit of the corpus: its base/ and head/ trees. */
export function corpusCommit(category: string, name: string): CorpusCase {
  const dir = join(CORPUS, category, name);
  return { name: `${category}/${name}`, describe: `the ${name} commit`, base: tree(join(dir, "base")), head: tree(join(dir, "head")) };
}

export const PRISMA = "prisma-postgres-trigger.dev";

/** Prisma migration directories of the trigger.dev history, in the order Prisma applies them. */
export function prismaMigrations(): string[] {
  const root = join(CORPUS, "sql-migrations", PRISMA);
  return walk(root).filter((path) => path.endsWith("/migration.sql"));
}

/** A pull request adding the newest migration to a history of the others (819 of them). */
export function oneMigrationCase(): CorpusCase {
  const root = join(CORPUS, "sql-migrations", PRISMA);
  const all = tree(root);
  const migrations = prismaMigrations();
  const newest = migrations.at(-1)!;
  const base = new Map([...all].filter(([path]) => path !== newest));
  return { name: "prisma-one-migration", describe: `${migrations.length - 1} migrations at base, the newest added`, base, head: all };
}

/** Every case whose findings the digest check compares. */
export function digestCases(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const category of ["sql-migrations", "kubernetes-sets", "terraform-modules"]) {
    for (const set of readdirSync(join(CORPUS, category)).sort()) {
      if (statSync(join(CORPUS, category, set)).isDirectory()) cases.push(addedSet(category, set));
    }
  }
  for (const category of ["kubernetes-commits", "terraform-commits"]) {
    for (const name of readdirSync(join(CORPUS, category)).sort()) {
      if (statSync(join(CORPUS, category, name)).isDirectory()) cases.push(corpusCommit(category, name));
    }
  }
  // Hand-written cases, where a migration tool would find them.
  cases.push(addedSet("", "sql-examples", "db/migrations/"));
  cases.push(oneMigrationCase());
  return cases;
}

function run(cwd: string, args: string[]): string {
  const env = {
    ...process.env,
    GIT_AUTHOR_NAME: "bench",
    GIT_AUTHOR_EMAIL: "bench@example.com",
    GIT_COMMITTER_NAME: "bench",
    GIT_COMMITTER_EMAIL: "bench@example.com",
    GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
    GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
  };
  const result = spawnSync("git", args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

function populate(dir: string, files: Map<string, string>): void {
  for (const entry of readdirSync(dir)) if (entry !== ".git") rmSync(join(dir, entry), { recursive: true, force: true });
  for (const [path, from] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    cpSync(from, join(dir, path));
  }
}

/** The repository of a case, built on first use: branches `base` and `head`. */
export function caseRepo(c: CorpusCase): string {
  const dir = join(REPOS, c.name.replace(/^\//, "").replaceAll("/", "__"));
  const stamp = join(dir, ".git", "changegate-bench");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === LAYOUT_VERSION) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  run(dir, ["init", "-q", "-b", "main"]);
  run(dir, ["config", "core.autocrlf", "false"]);
  populate(dir, c.base);
  run(dir, ["add", "-A"]);
  run(dir, ["commit", "-q", "--allow-empty", "-m", "base"]);
  run(dir, ["branch", "base"]);
  populate(dir, c.head);
  run(dir, ["add", "-A"]);
  run(dir, ["commit", "-q", "--allow-empty", "-m", "head"]);
  run(dir, ["branch", "head"]);
  run(dir, ["gc", "--quiet", "--prune=now"]);
  writeFileSync(stamp, LAYOUT_VERSION);
  return dir;
}

export function scanArgs(repo: string, format = "json"): string[] {
  return [BIN, "scan", "--repo", repo, "--base", "base", "--head", "head", "--format", format];
}
