import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { GitSource, parseNameStatus } from "../../src/source/git.js";
import { SourceError } from "../../src/source/source.js";
import { TestRepo } from "./git-repo.js";

const repos: TestRepo[] = [];
function repo(options?: ConstructorParameters<typeof TestRepo>[0]): TestRepo {
  const r = new TestRepo(options);
  repos.push(r);
  return r;
}
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
});

const BINARY = new Uint8Array([0, 1, 2, 255, 254, 0, 10, 13, 0x80]);
const LONG = Array.from({ length: 40 }, (_, i) => `-- line ${i} of a migration that stays recognisably the same\n`).join("");

/** main: a base commit; feature: a commit with every kind of change on top. */
function changedRepo(): { r: TestRepo; base: string; head: string } {
  const r = repo();
  const base = r.commit({
    "db/keep.sql": "SELECT 1;\n",
    "db/modify.sql": "CREATE TABLE a (id int);\n",
    "db/delete.sql": "DROP TABLE gone;\n",
    "db/old-name.sql": LONG,
    "assets/logo.bin": BINARY,
    "docs/readme.md": "hello\n",
  });
  r.git("checkout", "--quiet", "-b", "feature");
  const head = r.commit({
    "db/modify.sql": "CREATE TABLE a (id int);\nDROP TABLE a;\n",
    "db/delete.sql": null,
    "db/old-name.sql": null,
    "db/new-name.sql": LONG,
    "db/added.sql": "DELETE FROM users;\n",
    "dir with space/ünïcode.sql": "SELECT 2;\n",
  });
  return { r, base, head };
}

describe("GitSource", () => {
  it("lists added, modified, deleted and renamed files between base and head", async () => {
    const { r, base, head } = changedRepo();
    const source = await GitSource.open({ repo: r.dir, base: "main", head: "feature" });
    expect(source.base).toBe(base);
    expect(source.head).toBe(head);
    const { files, truncated } = await source.changedFiles();
    expect(truncated).toBeUndefined();
    expect(files).toEqual([
      { path: "db/added.sql", status: "added" },
      { path: "db/delete.sql", status: "deleted" },
      { path: "db/modify.sql", status: "modified" },
      { path: "db/new-name.sql", status: "renamed", previousPath: "db/old-name.sql" },
      { path: "dir with space/ünïcode.sql", status: "added" },
    ]);
  });

  it("reads both sides, byte for byte, and null where a path is absent", async () => {
    const { r } = changedRepo();
    const source = await GitSource.open({ repo: r.dir, base: "main", head: "feature" });
    const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString("utf8"));
    expect(text(await source.read("base", "db/modify.sql"))).toBe("CREATE TABLE a (id int);\n");
    expect(text(await source.read("head", "db/modify.sql"))).toBe("CREATE TABLE a (id int);\nDROP TABLE a;\n");
    expect(await source.read("head", "db/delete.sql")).toBeNull();
    expect(await source.read("base", "db/added.sql")).toBeNull();
    expect(text(await source.read("head", "dir with space/ünïcode.sql"))).toBe("SELECT 2;\n");
    expect(Buffer.from((await source.read("base", "assets/logo.bin"))!)).toEqual(Buffer.from(BINARY));
    expect(await source.read("head", "no/such/file.sql")).toBeNull();
    // A directory is not a file.
    expect(await source.read("head", "db")).toBeNull();
  });

  it("lists a directory recursively at either side, and the whole tree for an empty dir", async () => {
    const { r } = changedRepo();
    const source = await GitSource.open({ repo: r.dir, base: "main", head: "feature" });
    expect(await source.list("base", "db")).toEqual(["db/delete.sql", "db/keep.sql", "db/modify.sql", "db/old-name.sql"]);
    expect(await source.list("head", "db/")).toEqual(["db/added.sql", "db/keep.sql", "db/modify.sql", "db/new-name.sql"]);
    expect(await source.list("head", "nothing-here")).toEqual([]);
    expect(await source.list("head", "")).toContain("assets/logo.bin");
    expect(await source.list("head", "")).toContain("dir with space/ünïcode.sql");
  });

  it("works from a subdirectory of the working tree, with repository-relative paths", async () => {
    const { r } = changedRepo();
    const source = await GitSource.open({ repo: join(r.dir, "db"), base: "main", head: "feature" });
    expect((await source.changedFiles()).files.map((f) => f.path)).toContain("db/added.sql");
    expect(await source.list("head", "db")).toContain("db/added.sql");
    expect(await source.read("head", "db/keep.sql")).not.toBeNull();
  });

  it("defaults head to HEAD and base to the merge-base with main", async () => {
    const r = repo();
    const first = r.commit({ "a.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "b.sql": "SELECT 2;\n" });
    r.git("checkout", "--quiet", "main");
    r.commit({ "c.sql": "SELECT 3;\n" }, "main moves on");
    r.git("checkout", "--quiet", "feature");
    const source = await GitSource.open({ repo: r.dir });
    expect(source.base).toBe(first);
    expect(source.head).toBe(r.sha("feature"));
    expect(source.baseRevision.label).toBe("merge-base of HEAD and main");
    // Only the branch's own change: main's later commit is not part of it.
    expect((await source.changedFiles()).files).toEqual([{ path: "b.sql", status: "added" }]);
  });

  it("compares with the merge-base of an explicit --base, as a pull request would", async () => {
    const r = repo();
    const fork = r.commit({ "a.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "b.sql": "SELECT 2;\n" });
    r.git("checkout", "--quiet", "main");
    r.commit({ "c.sql": "SELECT 3;\n" }, "main moves on");
    const source = await GitSource.open({ repo: r.dir, base: "main", head: "feature" });
    expect(source.baseRevision).toEqual({ label: "merge-base of feature and main", sha: fork, branch: "main" });
    // main's later c.sql is not reported as deleted by the branch.
    expect((await source.changedFiles()).files).toEqual([{ path: "b.sql", status: "added" }]);

    const unrelated = repo();
    unrelated.commit({ "x.sql": "SELECT 1;\n" });
    unrelated.git("checkout", "--quiet", "--orphan", "other");
    unrelated.commit({ "y.sql": "SELECT 2;\n" });
    await expect(GitSource.open({ repo: unrelated.dir, base: "main" })).rejects.toThrow(/HEAD and main have no common ancestor/);
  });

  it("says so when the repository has no commits yet", async () => {
    const r = repo();
    await expect(GitSource.open({ repo: r.dir })).rejects.toThrow(/has no commits yet/);
  });

  it("prefers origin/HEAD, then main, then master", async () => {
    const r = repo({ branch: "master" });
    const first = r.commit({ "a.sql": "SELECT 1;\n" });
    r.git("checkout", "--quiet", "-b", "feature");
    r.commit({ "b.sql": "SELECT 2;\n" });
    expect((await GitSource.open({ repo: r.dir })).baseRevision).toEqual({ label: "merge-base of HEAD and master", sha: first, branch: "master" });

    r.git("checkout", "--quiet", "-b", "develop", "master");
    const developTip = r.commit({ "d.sql": "SELECT 4;\n" });
    r.git("update-ref", "refs/remotes/origin/develop", developTip);
    r.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop");
    r.git("checkout", "--quiet", "feature");
    const source = await GitSource.open({ repo: r.dir });
    expect(source.baseRevision).toEqual({ label: "merge-base of HEAD and origin/develop", sha: first, branch: "develop" });
  });

  it("says clearly when there is no default branch to compare with", async () => {
    const r = repo({ branch: "trunk" });
    r.commit({ "a.sql": "SELECT 1;\n" });
    const error = await GitSource.open({ repo: r.dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toMatch(/no origin\/HEAD, main or master.*--base/);
    // An explicit base works.
    await expect(GitSource.open({ repo: r.dir, base: "trunk" })).resolves.toBeInstanceOf(GitSource);
  });

  it("rejects an unknown revision, a non-repository and a missing directory with SourceErrors", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    await expect(GitSource.open({ repo: r.dir, base: "no-such-branch" })).rejects.toThrow(/Unknown revision "no-such-branch"/);
    await expect(GitSource.open({ repo: r.dir, head: "deadbeef" })).rejects.toBeInstanceOf(SourceError);
    await expect(GitSource.open({ repo: r.dir, base: "--output=/tmp/x" })).rejects.toThrow(/not a revision/);

    const plain = mkdtempSync(join(tmpdir(), "changegate-plain-"));
    try {
      await expect(GitSource.open({ repo: plain })).rejects.toThrow(/is not a git repository/);
      writeFileSync(join(plain, "file"), "x");
      await expect(GitSource.open({ repo: join(plain, "file") })).rejects.toThrow(/is not a directory/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
    await expect(GitSource.open({ repo: join(tmpdir(), "changegate-does-not-exist-4711") })).rejects.toThrow(/does not exist/);
  });

  it("reports an empty change when base and head are the same commit", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    const source = await GitSource.open({ repo: r.dir });
    expect(source.base).toBe(source.head);
    expect((await source.changedFiles()).files).toEqual([]);
  });
});

describe("GitSource over the working tree", () => {
  it("lists uncommitted, deleted and untracked (not ignored) files against the base, and reads them from disk", async () => {
    const { r } = changedRepo();
    writeFileSync(join(r.dir, ".gitignore"), "*.log\n");
    writeFileSync(join(r.dir, "db/modify.sql"), "DROP TABLE everything;\n");
    writeFileSync(join(r.dir, "db/untracked.sql"), "TRUNCATE t;\n");
    writeFileSync(join(r.dir, "debug.log"), "ignored\n");
    rmSync(join(r.dir, "db/keep.sql"));
    const source = await GitSource.open({ repo: r.dir, base: "main", workingTree: true });
    expect(source.head).toBe("working-tree");
    const files = (await source.changedFiles()).files;
    expect(files).toContainEqual({ path: "db/untracked.sql", status: "added" });
    expect(files).toContainEqual({ path: "db/keep.sql", status: "deleted" });
    expect(files).toContainEqual({ path: "db/modify.sql", status: "modified" });
    expect(files.map((f) => f.path)).not.toContain("debug.log");
    const text = (bytes: Uint8Array | null) => (bytes === null ? null : Buffer.from(bytes).toString("utf8"));
    expect(text(await source.read("head", "db/modify.sql"))).toBe("DROP TABLE everything;\n");
    expect(text(await source.read("base", "db/modify.sql"))).toBe("CREATE TABLE a (id int);\n");
    expect(await source.read("head", "db/keep.sql")).toBeNull();
    expect(await source.read("head", "../outside.sql")).toBeNull();
    const listed = await source.list("head", "db");
    expect(listed).toContain("db/untracked.sql");
    expect(listed).not.toContain("db/keep.sql");
  });

  it("refuses a head revision together with the working tree", async () => {
    const r = repo();
    r.commit({ "a.sql": "SELECT 1;\n" });
    await expect(GitSource.open({ repo: r.dir, head: "HEAD", workingTree: true })).rejects.toBeInstanceOf(SourceError);
  });
});

describe("parseNameStatus", () => {
  it("parses statuses, renames with scores, copies and type changes", () => {
    const out = ["M", "a.sql", "R087", "old.sql", "new.sql", "C100", "src.sql", "copy.sql", "T", "link.sql", "D", "gone.sql", "A", "x.sql", ""].join("\0");
    expect(parseNameStatus(out)).toEqual([
      { path: "a.sql", status: "modified" },
      { path: "copy.sql", status: "added" },
      { path: "gone.sql", status: "deleted" },
      { path: "link.sql", status: "modified" },
      { path: "new.sql", status: "renamed", previousPath: "old.sql" },
      { path: "x.sql", status: "added" },
    ]);
    expect(parseNameStatus("")).toEqual([]);
  });
});
