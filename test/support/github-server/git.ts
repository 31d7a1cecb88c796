/**
 * The repository behind the local GitHub API server: a real git repository in a temporary
 * directory, written through the git CLI. Commits are made with fixed identities and dates so
 * that a scenario yields the same SHAs on every machine; answers about a commit SHA never change
 * and are cached.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

export interface Identity {
  name: string;
  email: string;
}

export interface CommitInput {
  branch: string;
  /** Where a new branch starts (a branch or SHA); default: the default branch. */
  from?: string;
  /** Path → new text, or null to delete the file. */
  files: Record<string, string | Uint8Array | null>;
  message: string;
  author: Identity;
  committer?: Identity;
  /** ISO date for author and committer; default: a clock that advances a minute per commit. */
  date?: string;
}

export interface DiffEntry {
  status: "added" | "removed" | "modified" | "renamed";
  filename: string;
  previous_filename?: string;
  additions: number;
  deletions: number;
}

export interface CommitInfo {
  sha: string;
  tree: string;
  parents: string[];
  author: Identity & { date: string };
  committer: Identity & { date: string };
  message: string;
}

const SHA = /^[0-9a-f]{40}$/;

export class GitRepo {
  private readonly cache = new Map<string, unknown>();
  /**
   * Refs resolved since the last write. Every answer naming a pull request resolves its branches,
   * and a check run's answer resolves every open pull request's head: without this each is a
   * synchronous `git rev-parse` that holds up every other request (under load, past the app's
   * request timeout). Refs change only through commit, setBranch and merge, which clear it.
   */
  private readonly refs = new Map<string, string | undefined>();
  private clock = Date.parse("2026-01-05T10:00:00Z");

  private constructor(
    readonly dir: string,
    readonly defaultBranch: string,
  ) {}

  static create(defaultBranch = "main"): GitRepo {
    const dir = mkdtempSync(join(tmpdir(), "changegate-github-"));
    const repo = new GitRepo(dir, defaultBranch);
    repo.git("init", "--quiet");
    repo.git("symbolic-ref", "HEAD", `refs/heads/${defaultBranch}`);
    return repo;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  git(...args: string[]): string {
    return this.run(args, {});
  }

  private run(args: string[], extraEnv: Record<string, string>, input?: string): string {
    return execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", "-c", "core.quotePath=false", ...args], {
      cwd: this.dir,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: this.dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", LANG: "C", ...extraEnv },
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
      stdio: ["pipe", "pipe", "pipe"],
      ...(input !== undefined ? { input } : {}),
    });
  }

  private once<T>(key: string, compute: () => T): T {
    if (this.cache.has(key)) return this.cache.get(key) as T;
    const value = compute();
    this.cache.set(key, value);
    return value;
  }

  /** The SHA a branch, tag or SHA names; undefined when it names nothing. */
  resolve(ref: string): string | undefined {
    if (SHA.test(ref) && this.cache.has(`commit:${ref}`)) return ref;
    if (this.refs.has(ref)) return this.refs.get(ref);
    let sha: string | undefined;
    try {
      sha = this.git("rev-parse", "--verify", "--quiet", `${ref}^{commit}`).trim() || undefined;
    } catch {
      sha = undefined;
    }
    this.refs.set(ref, sha);
    return sha;
  }

  branchExists(branch: string): boolean {
    try {
      this.git("show-ref", "--verify", "--quiet", `refs/heads/${branch}`);
      return true;
    } catch {
      return false;
    }
  }

  /** Commits `files` on top of `branch` (created from `from` if new) and returns the new SHA. */
  commit(input: CommitInput): string {
    this.refs.clear();
    const exists = this.branchExists(input.branch);
    const hasCommits = this.resolve("HEAD") !== undefined;
    if (exists) this.git("checkout", "--quiet", "--force", input.branch);
    else if (hasCommits) this.git("checkout", "--quiet", "--force", "-B", input.branch, input.from ?? this.defaultBranch);
    else this.git("checkout", "--quiet", "--orphan", input.branch);
    for (const [path, content] of Object.entries(input.files)) {
      const file = join(this.dir, path);
      if (content === null) {
        rmSync(file, { force: true });
      } else {
        mkdirSync(dirname(file), { recursive: true });
        writeFileSync(file, content);
      }
    }
    this.git("add", "--all");
    const date = input.date ?? new Date((this.clock += 60_000)).toISOString();
    const committer = input.committer ?? input.author;
    this.run(["commit", "--quiet", "--allow-empty", "-F", "-"], {
      GIT_AUTHOR_NAME: input.author.name,
      GIT_AUTHOR_EMAIL: input.author.email,
      GIT_AUTHOR_DATE: date,
      GIT_COMMITTER_NAME: committer.name,
      GIT_COMMITTER_EMAIL: committer.email,
      GIT_COMMITTER_DATE: date,
    }, input.message);
    this.refs.clear();
    return this.resolve("HEAD")!;
  }

  /** Points a branch at a commit (a force-push). */
  setBranch(branch: string, sha: string): void {
    this.refs.clear();
    this.git("update-ref", `refs/heads/${branch}`, sha);
  }

  /** A merge commit of `head` into `base` on a new ref (a merge queue's group), without touching `base`. */
  merge(base: string, head: string, message: string, who: Identity, ref: string): string {
    this.refs.clear();
    const baseSha = this.resolve(base)!;
    this.git("checkout", "--quiet", "--force", "--detach", baseSha);
    this.run(["merge", "--quiet", "--no-ff", "--no-edit", "-m", message, head], {
      GIT_AUTHOR_NAME: who.name,
      GIT_AUTHOR_EMAIL: who.email,
      GIT_COMMITTER_NAME: who.name,
      GIT_COMMITTER_EMAIL: who.email,
      GIT_AUTHOR_DATE: new Date((this.clock += 60_000)).toISOString(),
      GIT_COMMITTER_DATE: new Date(this.clock).toISOString(),
    });
    const sha = this.resolve("HEAD")!;
    this.git("update-ref", ref, sha);
    this.refs.clear();
    return sha;
  }

  commitInfo(sha: string): CommitInfo {
    return this.once(`commit:${sha}`, () => {
      const raw = this.git("cat-file", "commit", sha);
      const [header, ...rest] = raw.split("\n\n");
      const info: CommitInfo = { sha, tree: "", parents: [], author: { name: "", email: "", date: "" }, committer: { name: "", email: "", date: "" }, message: rest.join("\n\n").replace(/\n$/, "") };
      for (const line of header!.split("\n")) {
        const [key, ...words] = line.split(" ");
        const value = words.join(" ");
        if (key === "tree") info.tree = value;
        else if (key === "parent") info.parents.push(value);
        else if (key === "author" || key === "committer") {
          const m = /^(.*) <([^>]*)> (\d+) ([+-]\d{4})$/.exec(value);
          if (m) info[key] = { name: m[1]!, email: m[2]!, date: new Date(Number(m[3]) * 1000).toISOString().replace(/\.000Z$/, "Z") };
        }
      }
      return info;
    });
  }

  mergeBase(a: string, b: string): string | undefined {
    return this.once(`mb:${a}:${b}`, () => {
      try {
        return this.git("merge-base", a, b).trim();
      } catch {
        return undefined;
      }
    });
  }

  /** Commits reachable from `head` and not from `base`, oldest first. */
  commitsBetween(base: string, head: string): string[] {
    return this.once(`between:${base}:${head}`, () => this.git("rev-list", "--reverse", "--topo-order", `${base}..${head}`).split("\n").filter(Boolean));
  }

  /** The three-dot diff's files, as GitHub lists them (renames detected). */
  diff(base: string, head: string): DiffEntry[] {
    return this.once(`diff:${base}:${head}`, () => {
      const numstat = new Map<string, { additions: number; deletions: number }>();
      const out: DiffEntry[] = [];
      const fields = this.git("diff", "--name-status", "-M", "-z", base, head).split("\0").filter((f) => f !== "");
      for (let i = 0; i < fields.length; ) {
        const code = fields[i++]!;
        if (code.startsWith("R")) {
          const previous = fields[i++]!;
          const filename = fields[i++]!;
          out.push({ status: "renamed", filename, previous_filename: previous, additions: 0, deletions: 0 });
        } else {
          const filename = fields[i++]!;
          const status = code === "A" ? "added" : code === "D" ? "removed" : "modified";
          out.push({ status, filename, additions: 0, deletions: 0 });
        }
      }
      for (const line of this.git("diff", "--numstat", "-M", base, head).split("\n")) {
        const m = /^(\d+|-)\t(\d+|-)\t(.*)$/.exec(line);
        if (m) numstat.set(m[3]!.replace(/^.*=> /, "").replace(/[{}]/g, ""), { additions: Number(m[1]) || 0, deletions: Number(m[2]) || 0 });
      }
      for (const entry of out) Object.assign(entry, numstat.get(entry.filename) ?? {});
      return out;
    });
  }

  /** The bytes of `path` at commit `sha`, or undefined when absent (or a directory). */
  read(sha: string, path: string): Buffer | undefined {
    return this.once(`read:${sha}:${path}`, () => {
      const entry = this.treeOf(sha).find((e) => e.path === path);
      if (!entry || entry.type !== "blob") return undefined;
      return execFileSync("git", ["cat-file", "blob", entry.sha], { cwd: this.dir, maxBuffer: 256 * 1024 * 1024 });
    });
  }

  /** A blob's bytes by its SHA, or undefined when the repository has no such blob. */
  blob(sha: string): Buffer | undefined {
    return this.once(`blob:${sha}`, () => {
      try {
        return execFileSync("git", ["cat-file", "blob", sha], { cwd: this.dir, maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] });
      } catch {
        return undefined;
      }
    });
  }

  /** Every entry of the tree at commit `sha`, recursively (directories included). */
  treeOf(sha: string): { path: string; mode: string; type: "blob" | "tree"; sha: string; size?: number }[] {
    return this.once(`tree:${sha}`, () =>
      this.git("ls-tree", "-r", "-t", "-l", "-z", "--full-tree", sha)
        .split("\0")
        .filter(Boolean)
        .map((line) => {
          const [meta, path] = line.split("\t") as [string, string];
          const [mode, type, object, size] = meta.split(/\s+/) as [string, string, string, string];
          return { path, mode, type: type as "blob" | "tree", sha: object, ...(type === "blob" ? { size: Number(size) } : {}) };
        }),
    );
  }
}
