import { execFile } from "node:child_process";
import { lstat, readFile, readlink, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Side } from "../model/finding.js";
import { CatFileBatch, type BatchStats } from "./cat-file.js";
import { SourceError, type ChangedFile, type ChangeListing, type Source } from "./source.js";
import { compareText } from "../util/compare.js";

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
  /** Blobs larger than this are refused, never buffered (default 256 MiB). */
  maxBlobBytes?: number;
}

/** The source `changegate scan` reads: `--repo` relative to `cwd`, and the revisions as given. */
export function openScanSource(args: { repo?: string; base?: string; head?: string; workingTree?: boolean }, cwd: string): Promise<GitSource> {
  return GitSource.open({
    repo: resolve(cwd, args.repo ?? "."),
    ...(args.base !== undefined ? { base: args.base } : {}),
    ...(args.head !== undefined ? { head: args.head } : {}),
    ...(args.workingTree ? { workingTree: true } : {}),
  });
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

/** What a scan asked of git, for tests that count work rather than time it. */
export interface GitStats {
  /** `git` processes run for listings and revisions (the batch reader's are counted in `batch`). */
  processes: number;
  batch: BatchStats;
}

/**
 * The change between two commits of a local repository, read with the `git` binary. Every call
 * passes an argument array to `execFile` or `spawn` (never a shell), and revisions are resolved to
 * commit SHAs once, when the source is opened, so the reads cannot drift. File contents come from
 * one long-lived `git cat-file --batch` process (started on the first read, ended by `close()`),
 * and each side's tree is listed once, by the first `list()` of that side.
 */
export class GitSource implements Source {
  private readonly batch: CatFileBatch;
  private readonly trees = new Map<Side, Promise<string[]>>();
  private readonly reads = new Map<string, Promise<Uint8Array | null>>();
  private listing: Promise<ChangeListing> | undefined;
  /**
   * The object id of each path the diff or a tree listing named, per side (null: no file there, or
   * a submodule). A read by id goes straight to the object, without walking the trees again, and
   * git answering "missing" for one is a damaged clone, never an absent file.
   */
  private readonly objects = { base: new Map<string, string | null>(), head: new Map<string, string | null>() };
  private readonly counter: { processes: number };

  private constructor(
    /** The top of the working tree (or the git directory of a bare repository). */
    readonly root: string,
    readonly baseRevision: RevisionLabel,
    readonly headRevision: RevisionLabel,
    /** The head side is the working tree (files on disk), not a commit. */
    readonly workingTree = false,
    counter: { processes: number } = { processes: 0 },
    private readonly maxBlobBytes = MAX_BLOB_BYTES,
  ) {
    this.counter = counter;
    this.batch = new CatFileBatch(root, maxBlobBytes, gitEnv(), GIT_CONFIG_ARGS);
  }

  /** Processes and reads so far. */
  get stats(): GitStats {
    return { processes: this.counter.processes, batch: { ...this.batch.stats } };
  }

  /** Ends the batch reader. Reads after it fail; listings still work. */
  async close(): Promise<void> {
    await this.batch.close();
  }

  get base(): string {
    return this.baseRevision.sha;
  }

  get head(): string {
    return this.headRevision.sha;
  }

  /** Resolves the repository and both revisions; throws `SourceError` with a sentence a person can act on. */
  static async open(options: GitSourceOptions = {}): Promise<GitSource> {
    const counter = { processes: 0 };
    const git = (cwd: string, args: readonly string[], gitOptions?: { maxBuffer?: number }) => {
      counter.processes++;
      return runGit(cwd, args, gitOptions);
    };
    const dir = resolve(options.repo ?? ".");
    const info = await stat(dir).catch(() => null);
    if (!info) throw new SourceError(`${dir} does not exist.`);
    if (!info.isDirectory()) throw new SourceError(`${dir} is not a directory.`);
    if (options.workingTree && options.head !== undefined) throw new SourceError("Pass either a head revision or the working tree, not both.");
    const headName = options.head ?? "HEAD";
    // One process for the top of the tree and both revisions; where it fails, one step at a time
    // again, for the sentence that says which part is wrong.
    const quick = await resolveAtOnce(git, dir, options.base === undefined ? [headName] : [headName, options.base]);
    const root = quick?.root ?? (await findRoot(git, dir));
    const headSha = quick?.shas[0] ?? (await resolveCommit(git, root, headName));
    const head: RevisionLabel = options.workingTree ? { label: "files on disk", sha: WORKING_TREE } : { label: headName, sha: headSha };
    let base: RevisionLabel;
    if (options.base !== undefined) {
      // Like a pull request into `base`: compare with the merge-base, so commits that landed on the
      // base branch after the head branched off do not show up as reverted by the head.
      const baseSha = quick?.shas[1] ?? (await resolveCommit(git, root, options.base));
      const fork = quick?.mergeBase ?? (await mergeBase(git, root, baseSha, headSha, headName, options.base));
      base = { label: fork === baseSha ? options.base : `merge-base of ${headName} and ${options.base}`, sha: fork, branch: branchName(options.base) };
    } else {
      const branch = await defaultBranch(git, root);
      base = {
        label: `merge-base of ${headName} and ${branch}`,
        sha: await mergeBase(git, root, branch, headSha, headName),
        branch: branchName(branch),
      };
    }
    if (options.workingTree) {
      const bare = (await git(root, ["rev-parse", "--is-bare-repository"])).toString("utf8").trim() === "true";
      if (bare) throw new SourceError(`${root} is a bare repository: it has no working tree to scan.`);
    }
    return new GitSource(root, base, head, options.workingTree ?? false, counter, options.maxBlobBytes ?? MAX_BLOB_BYTES);
  }

  private git(args: readonly string[], options?: { maxBuffer?: number }): Promise<Buffer> {
    this.counter.processes++;
    return runGit(this.root, args, options);
  }

  /**
   * Starts what every scan needs next, while the caller reads the policy: the reader process and
   * the change listing. Optional; errors surface where the results are used.
   */
  prefetch(): void {
    this.batch.start();
    this.changedFiles().catch(() => undefined);
  }

  /** The changed files (listed once per source). */
  changedFiles(): Promise<ChangeListing> {
    this.listing ??= this.listChanges();
    return this.listing;
  }

  private async listChanges(): Promise<ChangeListing> {
    if (this.workingTree) return this.workingTreeChanges();
    const out = await this.git([
      "diff",
      "--raw",
      "--no-abbrev",
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
    const { files, objects } = parseRawDiff(out.toString("utf8"));
    this.remember(objects, true);
    return { files };
  }

  private remember(objects: readonly DiffObject[], head: boolean): void {
    for (const { side, path, oid } of objects) if (side === "base" || head) this.objects[side].set(path, oid);
  }

  /**
   * A file's bytes at one side. Each side of a path is read once per scan: the report's quoted
   * lines come from the same read as the analysis (the engine holds those bytes anyway).
   */
  read(side: Side, path: string): Promise<Uint8Array | null> {
    const key = `${side}\0${path}`;
    let read = this.reads.get(key);
    if (!read) {
      read = this.readOnce(side, path);
      // A failure is not kept: a later read tries again.
      read.catch(() => this.reads.delete(key));
      this.reads.set(key, read);
    }
    return read;
  }

  private async readOnce(side: Side, path: string): Promise<Uint8Array | null> {
    if (side === "head" && this.workingTree) return this.readWorkingTree(path);
    const rev = side === "base" ? this.base : this.head;
    // Paths are repository-relative: `rev:./x` and `rev:../x` would be read relative to the process's directory.
    if (!isRepositoryPath(path)) return null;
    const oid = this.objects[side].get(path);
    if (oid === null) return null;
    if (oid === undefined && /[\n\r]/.test(path)) return this.readOne(rev, side, path);
    let object;
    try {
      // By id when the diff or a listing named the blob; else `<commit>:<path>`. Either names the
      // blob as stored: a symlink is its target path, never followed.
      object = await this.batch.read(oid ?? `${rev}:${path}`);
    } catch (error) {
      throw new SourceError(`Could not read ${path} at ${rev.slice(0, 12)}: ${describe(error)}`, path);
    }
    if (object.kind === "too-large") throw new SourceError(`${path} is larger than ${formatMiB(this.maxBlobBytes)} at the ${side} side`, path);
    if (object.kind === "missing" && oid !== undefined) {
      // Listed as present, yet git has no object for it (a damaged or partial clone).
      throw new SourceError(`Could not read ${path} at ${rev.slice(0, 12)}: git has no object ${oid.slice(0, 12)} for it in ${this.root}`, path);
    }
    // Missing, a directory (tree) or a submodule (a commit): not a file at this side.
    return object.kind === "blob" ? object.bytes : null;
  }

  /** A path git's batch protocol cannot carry (a newline in it): its own process, as before. */
  private async readOne(rev: string, side: Side, path: string): Promise<Uint8Array | null> {
    try {
      return await this.git(["cat-file", "blob", `${rev}:${path}`], { maxBuffer: this.maxBlobBytes });
    } catch (error) {
      if (error instanceof GitError && isMissingObject(error.stderr)) return null;
      if (error instanceof GitError && error.tooLarge) {
        throw new SourceError(`${path} is larger than ${formatMiB(this.maxBlobBytes)} at the ${side} side`, path);
      }
      throw new SourceError(`Could not read ${path} at ${rev.slice(0, 12)}: ${describe(error)}`, path);
    }
  }

  async list(side: Side, dir: string): Promise<string[]> {
    const prefix = dir === "" || dir === "." ? "" : dir.replace(/(?<!\/)\/+$/, "") + "/";
    const all = await this.tree(side).catch((error: unknown) => {
      throw new SourceError(`Could not list ${dir || "the tree"} at ${side === "base" ? this.base.slice(0, 12) : this.head.slice(0, 12)}: ${describe(error)}`, dir);
    });
    return prefix === "" ? [...all] : all.filter((p) => p.startsWith(prefix));
  }

  /** Every file of one side, sorted: one listing call per side and scan, whatever the directories asked for. */
  private tree(side: Side): Promise<string[]> {
    let listed = this.trees.get(side);
    if (!listed) {
      listed = side === "head" && this.workingTree ? this.workingTreeFiles() : this.listTree(side);
      // A failed listing is not remembered: the next call tries again.
      listed.catch(() => this.trees.delete(side));
      this.trees.set(side, listed);
    }
    return listed;
  }

  /** `ls-tree -r` of one side: its paths, and the object id of each for the reads that follow. */
  private async listTree(side: Side): Promise<string[]> {
    const out = await this.git(["ls-tree", "-r", "-z", "--full-tree", side === "base" ? this.base : this.head]);
    const paths: string[] = [];
    for (const entry of splitZ(out.toString("utf8"))) {
      // `<mode> SP <type> SP <object> TAB <path>`
      const tab = entry.indexOf("\t");
      const [mode, type, oid] = entry.slice(0, tab).split(" ");
      const path = entry.slice(tab + 1);
      paths.push(path);
      if (!this.objects[side].has(path)) this.objects[side].set(path, type === "blob" && mode !== "160000" && oid ? oid : null);
    }
    return paths.sort();
  }

  /** Tracked files still on disk, plus untracked files that are not ignored. */
  private async workingTreeFiles(): Promise<string[]> {
    const [listed, deleted] = await Promise.all([
      this.git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name"]),
      this.git(["ls-files", "-z", "--deleted", "--full-name"]),
    ]);
    const gone = new Set(splitZ(deleted.toString("utf8")));
    return [...new Set(splitZ(listed.toString("utf8")))].filter((p) => !gone.has(p)).sort();
  }

  private async workingTreeChanges(): Promise<ChangeListing> {
    // `git diff <base>` compares with the files on disk (tracked files); untracked ones are added.
    const [tracked, untracked] = await Promise.all([
      this.git(["diff", "--raw", "--no-abbrev", "-z", "-M", "--no-ext-diff", "--no-textconv", "--no-color", this.base, "--"]),
      this.git(["ls-files", "-z", "--others", "--exclude-standard", "--full-name"]),
    ]);
    const { files, objects } = parseRawDiff(tracked.toString("utf8"));
    // Base objects only: the head side is read from disk.
    this.remember(objects, false);
    const seen = new Set(files.map((f) => f.path));
    for (const path of splitZ(untracked.toString("utf8"))) {
      if (!seen.has(path)) files.push({ path, status: "added" });
    }
    return { files: files.sort((a, b) => compareText(a.path, b.path)) };
  }

  private async readWorkingTree(path: string): Promise<Uint8Array | null> {
    if (path.split("/").some((part) => part === ".." || part === "") || path.startsWith("/")) return null;
    const full = join(this.root, path);
    try {
      const info = await lstat(full);
      // A symlink is its target path, as git stores it: never follow it out of the repository.
      if (info.isSymbolicLink()) return Buffer.from(await readlink(full), "utf8");
      if (!info.isFile()) return null;
      if (info.size > this.maxBlobBytes) throw new SourceError(`${path} is larger than ${formatMiB(this.maxBlobBytes)} in the working tree`, path);
      return await readFile(full);
    } catch (error) {
      if (error instanceof SourceError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return null;
      throw new SourceError(`Could not read ${path} in the working tree: ${describe(error)}`, path);
    }
  }
}

/** One side's object of a path in the diff; null where the path is no file at that side. */
export interface DiffObject {
  side: Side;
  path: string;
  oid: string | null;
}

const NO_OBJECT = /^0+$/;

/**
 * Parses `git diff --raw -z -M --no-abbrev`: `:<mode> <mode> <oid> <oid> <status>\0path\0`, or for
 * renames and copies `…R090\0old\0new\0`. Statuses as `parseNameStatus`; the object ids say what
 * to read at each side (a zero id: no file there; a submodule, mode 160000: not a file either).
 */
export function parseRawDiff(output: string): { files: ChangedFile[]; objects: DiffObject[] } {
  const parts = splitZ(output);
  const nameStatus: string[] = [];
  const objects: DiffObject[] = [];
  const object = (side: Side, path: string, mode: string, oid: string) => {
    objects.push({ side, path, oid: NO_OBJECT.test(oid) || mode === "160000" ? null : oid });
  };
  for (let i = 0; i < parts.length; ) {
    const [srcMode, dstMode, srcOid, dstOid, status] = parts[i++]!.replace(/^:/, "").split(" ");
    if (srcMode === undefined || dstMode === undefined || srcOid === undefined || dstOid === undefined || status === undefined) {
      throw new SourceError(`git diff printed a line changegate cannot read: ${JSON.stringify(parts[i - 1]!.slice(0, 200))}`);
    }
    nameStatus.push(status);
    const kind = status[0];
    if (kind === "R" || kind === "C") {
      const from = parts[i++]!;
      const to = parts[i++]!;
      nameStatus.push(from, to);
      object("base", from, srcMode, srcOid);
      object("head", to, dstMode, dstOid);
      // A rename's old path is gone at head; a copy's source is unchanged (and not in the diff).
      if (kind === "R") objects.push({ side: "head", path: from, oid: null });
      continue;
    }
    const path = parts[i++]!;
    nameStatus.push(path);
    object("base", path, srcMode, srcOid);
    object("head", path, dstMode, dstOid);
  }
  return { files: parseNameStatus(nameStatus.map((p) => `${p}\0`).join("")), objects };
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
  return files.sort((a, b) => compareText(a.path, b.path));
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

type Git = (cwd: string, args: readonly string[], options?: { maxBuffer?: number }) => Promise<Buffer>;

/** No empty, `.` or `..` component and no leading slash: a path git can store. */
function isRepositoryPath(path: string): boolean {
  return path !== "" && !path.startsWith("/") && !path.split("/").some((part) => part === "" || part === "." || part === "..");
}

/**
 * `rev-parse --show-toplevel` and each name's commit in one process; null when any part fails. With
 * a head and a base, also their merge-base, from the symmetric difference `base...head` (which
 * rev-parse prints as both commits and `^` each merge-base): a `git merge-base` process fewer.
 * `mergeBase` is left out unless there is exactly one (none, or a criss-cross history, is
 * `git merge-base`'s to answer, with its own message or choice).
 */
async function resolveAtOnce(git: Git, dir: string, names: readonly string[]): Promise<{ root: string; shas: string[]; mergeBase?: string } | null> {
  if (names.some((name) => name.startsWith("-") || name.includes("\0") || name === "")) return null;
  const commits = names.map((name) => `${name}^{commit}`);
  // A name that is itself a range would make the symmetric difference mean something else.
  const symmetric = names.length === 2 && !names.some((name) => name.includes("..")) ? [`${commits[1]}...${commits[0]}`] : [];
  try {
    const out = await git(dir, ["rev-parse", "--show-toplevel", "--end-of-options", ...commits, ...symmetric]);
    // Some git versions (2.39, for one) echo `--end-of-options` itself, after the top of the tree.
    const lines = out
      .toString("utf8")
      .split("\n")
      .filter((line, index) => line !== "" && !(index === 1 && line === "--end-of-options"));
    const sha = /^[0-9a-f]{40,64}$/;
    const shas = lines.slice(1, names.length + 1);
    if (lines.length < names.length + 1 || !shas.every((line) => sha.test(line))) return null;
    if (symmetric.length === 0) return lines.length === names.length + 1 ? { root: lines[0]!, shas } : null;
    const difference = lines.slice(names.length + 1);
    const ends = difference.filter((line) => !line.startsWith("^"));
    const bases = difference.filter((line) => line.startsWith("^")).map((line) => line.slice(1));
    // Both commits, then the merge-bases: anything else is not what was asked.
    if (ends.length !== 2 || !shas.every((commit) => ends.includes(commit)) || !bases.every((base) => sha.test(base))) return null;
    return { root: lines[0]!, shas, ...(bases.length === 1 ? { mergeBase: bases[0]! } : {}) };
  } catch {
    return null;
  }
}

async function findRoot(git: Git, dir: string): Promise<string> {
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

async function resolveCommit(git: Git, root: string, rev: string): Promise<string> {
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
async function defaultBranch(git: Git, root: string): Promise<string> {
  const originHead = await git(root, ["symbolic-ref", "--quiet", "refs/remotes/origin/HEAD"]).catch(() => null);
  if (originHead) {
    const ref = originHead.toString("utf8").trim();
    if (await refExists(git, root, ref)) return ref.replace(/^refs\/remotes\//, "");
  }
  for (const ref of ["refs/heads/main", "refs/heads/master", "refs/remotes/origin/main", "refs/remotes/origin/master"]) {
    if (await refExists(git, root, ref)) return ref.replace(/^refs\/(heads|remotes)\//, "");
  }
  throw new SourceError(
    `Cannot tell the default branch of ${root}: there is no origin/HEAD, main or master. Pass --base REV (for example --base origin/develop).`,
  );
}

async function refExists(git: Git, root: string, ref: string): Promise<boolean> {
  try {
    await git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return true;
  } catch (error) {
    if (error instanceof SourceError) throw error;
    return false;
  }
}

async function mergeBase(git: Git, root: string, branch: string, headSha: string, headName: string, branchLabel = branch): Promise<string> {
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

function formatMiB(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / 1024 / 1024)} MiB` : `${bytes.toLocaleString("en")} bytes`;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const GIT_CONFIG_ARGS = ["-c", "core.quotepath=off", "-c", "color.ui=false"] as const;
function gitEnv(): NodeJS.ProcessEnv {
  return { ...process.env, LC_ALL: "C", LANG: "C", GIT_TERMINAL_PROMPT: "0", GIT_OPTIONAL_LOCKS: "0" };
}

/** Runs git with an argument array in `cwd`; resolves stdout as bytes. A missing `git` binary is a `SourceError`. */
function runGit(cwd: string, args: readonly string[], options: { maxBuffer?: number } = {}): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "git",
      [...GIT_CONFIG_ARGS, ...args],
      {
        cwd,
        encoding: "buffer",
        maxBuffer: options.maxBuffer ?? 64 * 1024 * 1024,
        env: gitEnv(),
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
