import { execFile } from "node:child_process";
import { lstat, readFile, readlink, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Side } from "../model/finding.js";
import { SourceError, type ChangedFile, type ChangeListing, type Source } from "./source.js";

/** Larger blobs are refused by the source rather than buffered without bound. */
const MAX_BLOB_BYTES = 256 * 1024 * 1024;

export interface GitSourceOptions {
  /** A directory inside the working tree (or a bare repository). Default: the current directory. */
  repo?: string;
  /** The base revision. Default: the merge-base of `head` with the default branch. */
  base?: string;
  /** The head revision. Default: `HEAD`. */
  head?: string;
  /**
   * Use the working tree as the head side instead of a commit: uncommitted changes and untracked
   * (not ignored) files count, so an agent sees the verdict before it commits. Excludes `head`.
   */
  workingTree?: boolean;
}

/** The `head` value reported when the head side is the working tree. */
export const WORKING_TREE = "working-tree";

/** How the base revision was chosen, for people reading the output. */
export interface RevisionLabel {
  /** What the user asked for, or how it was derived: `HEAD`, `main`, `merge-base of HEAD and origin/main`. */
  label: string;
  sha: string;
  /** The branch this side stands for, when known (`main` for the merge-base with origin/main): what policy `base_branches` match. */
  branch?: string;
}

/**
 * The change between two commits of a local repository, read with the `git` binary. Every call
 * passes an argument array to `execFile` (never a shell), and revisions are resolved to commit
 * SHAs once, when the source is opened, so the reads cannot drift.
 */
export class GitSource implements Source {
  private constructor(
    /** The top of the working tree (or the git directory of a bare repository). */
    readonly root: string,
    readonly baseRevision: RevisionLabel,
    readonly headRevision: RevisionLabel,
    /** The head side is the working tree (files on disk), not a commit. */
    readonly workingTree = false,
  ) {}

  get base(): string {
    return this.baseRevision.sha;
  }

  get head(): string {
    return this.headRevision.sha;
  }

  /** Resolves the repository and both revisions; throws `SourceError` with a sentence a person can act on. */
  static async open(options: GitSourceOptions = {}): Promise<GitSource> {
    const dir = resolve(options.repo ?? ".");
    const info = await stat(dir).catch(() => null);
    if (!info) throw new SourceError(`${dir} does not exist.`);
    if (!info.isDirectory()) throw new SourceError(`${dir} is not a directory.`);
    const root = await findRoot(dir);
    if (options.workingTree && options.head !== undefined) throw new SourceError("Pass either a head revision or the working tree, not both.");
    const headName = options.head ?? "HEAD";
    const headSha = await resolveCommit(root, headName);
    const head: RevisionLabel = options.workingTree ? { label: "files on disk", sha: WORKING_TREE } : { label: headName, sha: headSha };
    let base: RevisionLabel;
    if (options.base !== undefined) {
      // Like a pull request into `base`: compare with the merge-base, so commits that landed on the
      // base branch after the head branched off do not show up as reverted by the head.
      const baseSha = await resolveCommit(root, options.base);
      const fork = await mergeBase(root, baseSha, headSha, headName, options.base);
      base = { label: fork === baseSha ? options.base : `merge-base of ${headName} and ${options.base}`, sha: fork, branch: branchName(options.base) };
    } else {
      const branch = await defaultBranch(root);
      base = {
        label: `merge-base of ${headName} and ${branch}`,
        sha: await mergeBase(root, branch, headSha, headName),
        branch: branchName(branch),
      };
    }
    if (options.workingTree) {
      const bare = (await git(root, ["rev-parse", "--is-bare-repository"])).toString("utf8").trim() === "true";
      if (bare) throw new SourceError(`${root} is a bare repository: it has no working tree to scan.`);
    }
    return new GitSource(root, base, head, options.workingTree ?? false);
  }

  async changedFiles(): Promise<ChangeListing> {
    if (this.workingTree) return this.workingTreeChanges();
    const out = await git(this.root, [
      "diff",
      "--name-status",
      "-z",
      "-M",
      "--no-ext-diff",
      "--no-textconv",
      "--no-color",
      "--ignore-submodules=none",
      this.base,
      this.head,
      "--",
    ]);
    return { files: parseNameStatus(out.toString("utf8")) };
  }

  async read(side: Side, path: string): Promise<Uint8Array | null> {
    if (side === "head" && this.workingTree) return this.readWorkingTree(path);
    const rev = side === "base" ? this.base : this.head;
    try {
      // `rev:path` with a leading `./`-free, repository-relative path; `cat-file blob` prints raw bytes.
      return await git(this.root, ["cat-file", "blob", `${rev}:${path}`], { maxBuffer: MAX_BLOB_BYTES });
    } catch (error) {
      if (error instanceof GitError && isMissingObject(error.stderr)) return null;
      if (error instanceof GitError && error.tooLarge) {
        throw new SourceError(`${path} is larger than ${MAX_BLOB_BYTES / 1024 / 1024} MiB at the ${side} side`, path);
      }
      throw new SourceError(`Could not read ${path} at ${rev.slice(0, 12)}: ${describe(error)}`, path);
    }
  }

  async list(side: Side, dir: string): Promise<string[]> {
    const rev = side === "base" ? this.base : this.head;
    const prefix = dir === "" || dir === "." ? "" : dir.replace(/\/+$/, "") + "/";
    if (side === "head" && this.workingTree) {
      // Tracked files still on disk, plus untracked files that are not ignored.
      const args = ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"];
      if (prefix !== "") args.push("--", prefix);
      const [listed, deleted] = await Promise.all([git(this.root, args), git(this.root, ["ls-files", "-z", "--deleted", "--full-name"])]);
      const gone = new Set(splitZ(deleted.toString("utf8")));
      return [...new Set(splitZ(listed.toString("utf8")))].filter((p) => p.startsWith(prefix) && !gone.has(p)).sort();
    }
    const args = ["ls-tree", "-r", "--name-only", "-z", "--full-tree", rev];
    if (prefix !== "") args.push("--", prefix);
    const out = await git(this.root, args).catch((error: unknown) => {
      throw new SourceError(`Could not list ${dir || "the tree"} at ${rev.slice(0, 12)}: ${describe(error)}`, dir);
    });
    return splitZ(out.toString("utf8"))
      .filter((p) => p.startsWith(prefix))
      .sort();
  }

  private async workingTreeChanges(): Promise<ChangeListing> {
    // `git diff <base>` compares with the files on disk (tracked files); untracked ones are added.
    const [tracked, untracked] = await Promise.all([
      git(this.root, ["diff", "--name-status", "-z", "-M", "--no-ext-diff", "--no-textconv", "--no-color", this.base, "--"]),
      git(this.root, ["ls-files", "-z", "--others", "--exclude-standard", "--full-name"]),
    ]);
    const files = parseNameStatus(tracked.toString("utf8"));
    const seen = new Set(files.map((f) => f.path));
    for (const path of splitZ(untracked.toString("utf8"))) {
      if (!seen.has(path)) files.push({ path, status: "added" });
    }
    return { files: files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
  }

  private async readWorkingTree(path: string): Promise<Uint8Array | null> {
    if (path.split("/").some((part) => part === ".." || part === "") || path.startsWith("/")) return null;
    const full = join(this.root, path);
    try {
      const info = await lstat(full);
      // A symlink is its target path, as git stores it: never follow it out of the repository.
      if (info.isSymbolicLink()) return Buffer.from(await readlink(full), "utf8");
      if (!info.isFile()) return null;
      if (info.size > MAX_BLOB_BYTES) throw new SourceError(`${path} is larger than ${MAX_BLOB_BYTES / 1024 / 1024} MiB in the working tree`, path);
      return await readFile(full);
    } catch (error) {
      if (error instanceof SourceError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      throw new SourceError(`Could not read ${path} in the working tree: ${describe(error)}`, path);
    }
  }
}

/** Parses `git diff --name-status -z -M`: `STATUS\0path\0` or, for renames and copies, `R090\0old\0new\0`. */
export function parseNameStatus(output: string): ChangedFile[] {
  const parts = splitZ(output);
  const files: ChangedFile[] = [];
  for (let i = 0; i < parts.length; ) {
    const status = parts[i++]!;
    const kind = status[0];
    if (kind === "R" || kind === "C") {
      const from = parts[i++]!;
      const to = parts[i++]!;
      // A copy leaves its source in place: for the analysis it is a new file.
      files.push(kind === "R" ? { path: to, status: "renamed", previousPath: from } : { path: to, status: "added" });
      continue;
    }
    const path = parts[i++]!;
    if (kind === "A") files.push({ path, status: "added" });
    else if (kind === "D") files.push({ path, status: "deleted" });
    // M (modified), T (type changed, e.g. file ↔ symlink), U (unmerged), X: the content at both sides may differ.
    else files.push({ path, status: "modified" });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** `origin/main` → `main`, `refs/heads/release/1` → `release/1`. */
function branchName(rev: string): string {
  return rev.replace(/^refs\/(heads|remotes)\//, "").replace(/^origin\//, "");
}

function splitZ(text: string): string[] {
  const parts = text.split("\0");
  if (parts.at(-1) === "") parts.pop();
  return parts;
}

async function findRoot(dir: string): Promise<string> {
  try {
    const top = (await git(dir, ["rev-parse", "--show-toplevel"])).toString("utf8").trim();
    if (top !== "") return top;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    // A bare repository has no working tree; it is still a repository.
    const bare = await git(dir, ["rev-parse", "--is-bare-repository"]).catch(() => null);
    if (bare?.toString("utf8").trim() === "true") return dir;
    throw new SourceError(`${dir} is not a git repository (or any of its parents). Pass --repo with the path of a checkout.`);
  }
  return dir;
}

async function resolveCommit(root: string, rev: string): Promise<string> {
  if (rev.startsWith("-") || rev.includes("\0")) throw new SourceError(`"${rev}" is not a revision.`);
  try {
    const out = await git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", `${rev}^{commit}`]);
    return out.toString("utf8").trim();
  } catch (error) {
    if (error instanceof SourceError) throw error;
    if (rev === "HEAD") throw new SourceError(`${root} has no commits yet: HEAD does not point at a commit.`);
    throw new SourceError(`Unknown revision "${rev}" in ${root}: no commit has that name.`);
  }
}

/** The default branch: what `origin/HEAD` points at, else `main`, else `master` (local, then on origin). */
async function defaultBranch(root: string): Promise<string> {
  const originHead = await git(root, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]).catch(() => null);
  if (originHead) {
    const ref = originHead.toString("utf8").trim();
    if (await refExists(root, ref)) return ref.replace(/^refs\/remotes\//, "");
  }
  for (const ref of ["refs/heads/main", "refs/heads/master", "refs/remotes/origin/main", "refs/remotes/origin/master"]) {
    if (await refExists(root, ref)) return ref.replace(/^refs\/(heads|remotes)\//, "");
  }
  throw new SourceError(
    `Cannot tell the default branch of ${root}: there is no origin/HEAD, main or master. Pass --base REV (for example --base origin/develop).`,
  );
}

async function refExists(root: string, ref: string): Promise<boolean> {
  try {
    await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return true;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    return false;
  }
}

async function mergeBase(root: string, branch: string, headSha: string, headName: string, branchLabel = branch): Promise<string> {
  try {
    return (await git(root, ["merge-base", branch, headSha])).toString("utf8").trim();
  } catch (error) {
    if (error instanceof SourceError) throw error;
    const shallow = (await git(root, ["rev-parse", "--is-shallow-repository"]).catch(() => null))?.toString("utf8").trim() === "true";
    const hint = shallow
      ? " The clone is shallow: fetch more history (git fetch --unshallow, or fetch-depth: 0 in actions/checkout)."
      : " Pass --base with a revision that shares history with the head.";
    throw new SourceError(`${headName} and ${branchLabel} have no common ancestor in ${root}.${hint}`);
  }
}

class GitError extends Error {
  constructor(
    message: string,
    readonly stderr: string,
    readonly tooLarge = false,
  ) {
    super(message);
    this.name = "GitError";
  }
}

function isMissingObject(stderr: string): boolean {
  // With a resolved commit SHA, "not a valid object name" means the path is absent at that commit;
  // "bad file" means it names a tree (a directory) or a submodule, which is not a file either.
  return /not a valid object name|does not exist|bad file|exists on disk, but not in/i.test(stderr);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs git with an argument array in `cwd`; resolves stdout as bytes. A missing `git` binary is a `SourceError`. */
function git(cwd: string, args: readonly string[], options: { maxBuffer?: number } = {}): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "git",
      ["-c", "core.quotepath=off", "-c", "color.ui=false", ...args],
      {
        cwd,
        encoding: "buffer",
        maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
        env: { ...process.env, LC_ALL: "C", LANG: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" },
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) {
          resolvePromise(stdout);
          return;
        }
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") {
          reject(new SourceError("The git binary was not found on PATH; changegate scan needs git to read the repository."));
          return;
        }
        const text = Buffer.isBuffer(stderr) ? stderr.toString("utf8") : String(stderr ?? "");
        const tooLarge = code === "ERR_CHILD_PROCESS_STDIO_MAXBUFFER";
        const firstLine = text.trim().split("\n")[0] ?? "";
        reject(new GitError(firstLine || error.message, text, tooLarge));
      },
    );
  });
}
