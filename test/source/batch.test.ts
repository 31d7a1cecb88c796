import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
import { GitSource, parseRawDiff } from "../../src/source/git.js";
import { SourceError } from "../../src/source/source.js";
import { TestRepo } from "./git-repo.js";

const repos: TestRepo[] = [];
const sources: GitSource[] = [];
function repo(): TestRepo {
  const r = new TestRepo();
  repos.push(r);
  return r;
}
async function open(r: TestRepo, options: Partial<Parameters<typeof GitSource.open>[0]> = {}): Promise<GitSource> {
  const source = await GitSource.open({ repo: r.dir, base: "main", head: "feature", ...options });
  sources.push(source);
  return source;
}
afterEach(async () => {
  for (const s of sources.splice(0)) await s.close();
  for (const r of repos.splice(0)) r.remove();
});

const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString("utf8"));

/** A history whose feature branch adds `count` migrations to a base of `count` others. */
function history(count: number): TestRepo {
  const r = repo();
  const base: Record<string, string> = {};
  for (let i = 0; i < count; i++) base[`db/migrations/${String(i).padStart(5, "0")}_base.sql`] = `CREATE TABLE t${i} (id int);\n`;
  r.commit(base);
  r.git("checkout", "--quiet", "-b", "feature");
  const head: Record<string, string> = {};
  for (let i = 0; i < count; i++) head[`db/migrations/${String(count + i).padStart(5, "0")}_head.sql`] = `DROP TABLE t${i};\n`;
  r.commit(head);
  return r;
}

describe("GitSource reads through one git cat-file --batch process", () => {
  it("runs the same number of git processes for 3 changed files as for 300, and one reader for all of them", async () => {
    const counts: { processes: number; readers: number; reads: number; findings: number }[] = [];
    for (const count of [3, 300]) {
      const source = await open(history(count));
      const result = await analyzeChangeSet(source);
      const stats = source.stats;
      counts.push({ processes: stats.processes, readers: stats.batch.processes, reads: stats.batch.requests, findings: result.findings.length });
    }
    const [small, large] = counts;
    expect(small!.findings).toBeGreaterThanOrEqual(3);
    expect(large!.findings).toBeGreaterThanOrEqual(300);
    // Listing and revisions (and the migration directory's tree at both sides, for the schema model) only: no process per file.
    expect(large!.processes).toBe(small!.processes);
    expect(large!.processes).toBeLessThanOrEqual(8);
    expect(small!.readers).toBe(1);
    expect(large!.readers).toBe(1);
    // Every added file is read once, at its head side, and every migration at base once for the model (plus the policy file at base).
    expect(large!.reads).toBeLessThanOrEqual(300 + 300 + 2);
  });

  it("resolves the tree, both revisions and their merge-base in one process, whatever git echoes", async () => {
    const source = await open(history(1));
    // rev-parse (the top, both commits and base...head): the step-by-step fallback is for errors only.
    expect(source.stats.processes).toBe(1);
  });

  it("takes the merge-base as git merge-base does: the fork point, the commit itself, or no common history", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    const fork = r.git("rev-parse", "HEAD").trim();
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "b.sql": "SELECT 2;\n" });
    r.git("checkout", "--quiet", "main");
    r.commit({ "c.sql": "SELECT 3;\n" });
    const moved = await GitSource.open({ repo: r.dir, base: "main", head: "feature" });
    expect(moved.base).toBe(fork);
    expect(moved.baseRevision.label).toBe("merge-base of feature and main");
    const same = await GitSource.open({ repo: r.dir, base: "feature", head: "feature" });
    expect(same.base).toBe(same.head);
    r.git("checkout", "--quiet", "--orphan", "lone");
    r.commit({ "d.sql": "SELECT 4;\n" });
    await expect(GitSource.open({ repo: r.dir, base: "main", head: "lone" })).rejects.toThrow(/no common ancestor/);
  });

  it("answers many reads in flight at once, each with its own file", async () => {
    const source = await open(history(120));
    const paths = Array.from({ length: 120 }, (_, i) => `db/migrations/${String(120 + i).padStart(5, "0")}_head.sql`);
    const texts = await Promise.all(paths.map((path) => source.read("head", path)));
    expect(texts.map(text)).toEqual(paths.map((_, i) => `DROP TABLE t${i};\n`));
    expect(source.stats.batch.processes).toBe(1);
  });

  it("reads a symlink as git stores it (its target path), never what it points at", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    symlinkSync("/etc/passwd", join(r.dir, "db.sql"));
    symlinkSync("a.sql", join(r.dir, "inside.sql"));
    r.commit({});
    const source = await open(r);
    expect(text(await source.read("head", "db.sql"))).toBe("/etc/passwd");
    expect(text(await source.read("head", "inside.sql"))).toBe("a.sql");
  });

  it("refuses a blob over the size limit without buffering it, and goes on reading the next ones", async () => {
    const r = repo();
    r.commit({ "small.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "big.sql": "-- ".padEnd(5000, "x") + "\n", "after.sql": "SELECT 2;\n" });
    const source = await open(r, { maxBlobBytes: 1024 });
    const [big, after, small] = await Promise.allSettled([source.read("head", "big.sql"), source.read("head", "after.sql"), source.read("head", "small.sql")]);
    expect(big.status).toBe("rejected");
    expect((big as PromiseRejectedResult).reason).toBeInstanceOf(SourceError);
    expect(String((big as PromiseRejectedResult).reason.message)).toMatch(/big\.sql is larger than 1,024 bytes at the head side/);
    expect(text((after as PromiseFulfilledResult<Uint8Array | null>).value)).toBe("SELECT 2;\n");
    expect(text((small as PromiseFulfilledResult<Uint8Array | null>).value)).toBe("SELECT 1;\n");
  });

  it("reads nothing for paths that leave the repository, directories or submodules", async () => {
    const r = repo();
    const first = r.commit({ "db/a.sql": "SELECT 1;\n", "odd:name.sql": "SELECT 3;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.git("update-index", "--add", "--cacheinfo", `160000,${first},vendor/sub`);
    r.git("commit", "--quiet", "-m", "submodule");
    const source = await open(r);
    for (const path of ["../outside.sql", "./db/a.sql", "/etc/passwd", "db//a.sql", "db", "vendor/sub", ""]) {
      expect(await source.read("head", path)).toBeNull();
    }
    expect(text(await source.read("head", "odd:name.sql"))).toBe("SELECT 3;\n");
  });

  it("reads a path with a newline in it, which the batch protocol cannot carry", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "db/two\nlines.sql": "DROP TABLE x;\n" });
    const source = await open(r);
    const { files } = await source.changedFiles();
    expect(files).toEqual([{ path: "db/two\nlines.sql", status: "added" }]);
    expect(text(await source.read("head", "db/two\nlines.sql"))).toBe("DROP TABLE x;\n");
  });

  it("fails a listed file whose object git does not have, instead of reading it as absent", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "db/new.sql": "DROP TABLE precious;\n" });
    const source = await open(r);
    await source.changedFiles();
    // Damage the clone: the blob of the added file disappears.
    const blob = r.git("rev-parse", "feature:db/new.sql").trim();
    r.git("repack", "-a", "-d", "--quiet");
    const { rmSync, readdirSync } = await import("node:fs");
    const packs = join(r.dir, ".git", "objects", "pack");
    for (const file of readdirSync(packs)) rmSync(join(packs, file));
    rmSync(join(r.dir, ".git", "objects", blob.slice(0, 2), blob.slice(2)), { force: true });
    await expect(source.read("head", "db/new.sql")).rejects.toThrow(SourceError);
  });

  it("refuses reads after close, and lists the tree once per side however many directories are asked for", async () => {
    const source = await open(history(5));
    const before = source.stats.processes;
    await source.list("head", "db");
    await source.list("head", "db/migrations");
    await source.list("head", "");
    await source.list("base", "db");
    expect(source.stats.processes - before).toBe(2);
    expect(text(await source.read("head", "db/migrations/00000_base.sql"))).toBe("CREATE TABLE t0 (id int);\n");
    await source.close();
    // What was read stays readable (one read per side and path); anything else needs the process.
    expect(text(await source.read("head", "db/migrations/00000_base.sql"))).toBe("CREATE TABLE t0 (id int);\n");
    await expect(source.read("head", "db/migrations/00001_base.sql")).rejects.toThrow(SourceError);
  });
});

describe("parseRawDiff", () => {
  it("gives each side's object id, none where a file is absent, a submodule or a rename's old path at head", () => {
    const a = "a".repeat(40);
    const b = "b".repeat(40);
    const zero = "0".repeat(40);
    const out = [
      `:100644 100644 ${a} ${b} M`, "db/m.sql",
      `:000000 100644 ${zero} ${b} A`, "db/new.sql",
      `:100644 000000 ${a} ${zero} D`, "db/gone.sql",
      `:100644 100644 ${a} ${b} R087`, "db/old.sql", "db/renamed.sql",
      `:160000 160000 ${a} ${b} M`, "vendor/sub",
      "",
    ].join("\0");
    const { files, objects } = parseRawDiff(out);
    expect(files).toEqual([
      { path: "db/gone.sql", status: "deleted" },
      { path: "db/m.sql", status: "modified" },
      { path: "db/new.sql", status: "added" },
      { path: "db/renamed.sql", status: "renamed", previousPath: "db/old.sql" },
      { path: "vendor/sub", status: "modified" },
    ]);
    expect(objects).toEqual([
      { side: "base", path: "db/m.sql", oid: a },
      { side: "head", path: "db/m.sql", oid: b },
      { side: "base", path: "db/new.sql", oid: null },
      { side: "head", path: "db/new.sql", oid: b },
      { side: "base", path: "db/gone.sql", oid: a },
      { side: "head", path: "db/gone.sql", oid: null },
      { side: "base", path: "db/old.sql", oid: a },
      { side: "head", path: "db/renamed.sql", oid: b },
      { side: "head", path: "db/old.sql", oid: null },
      { side: "base", path: "vendor/sub", oid: null },
      { side: "head", path: "vendor/sub", oid: null },
    ]);
    expect(parseRawDiff("")).toEqual({ files: [], objects: [] });
    expect(() => parseRawDiff("garbage\0")).toThrow(SourceError);
  });
});
