/**
 * The `Source` over the GitHub REST API: the pull request's files (paginated, GitHub's 3,000-file
 * cap reported as truncation), contents at the merge base and the head for the paths an analyzer
 * claims (raw media type, so files over 1 MB work too), and git trees for directory listings.
 * Once a side's tree is listed (an analyzer's scope: a migration directory read whole), files are
 * read as blobs by SHA through a cache (blob-cache.ts). Blobs the cache does not hold are asked for
 * in GraphQL batches (up to 100 object lookups in one query), so a history of 800 migrations costs
 * one tree request per side and, on a cold cache, 8 queries; a warm cache none. A blob GraphQL does
 * not give exactly (binary, truncated, other bytes than its SHA, an error) is read through the REST
 * blobs API. Every answer is memoised for the delivery; errors become `SourceError`s the engine
 * turns into `gate/incomplete-analysis` findings.
 */
import type { Side } from "../model/finding.js";
import { SourceError, type ChangedFile, type ChangeListing, type ChangeStatus, type Source } from "../source/source.js";
import { blobSha, MemoryBlobCache, type BlobCache } from "./blob-cache.js";
import { messageOf, statusOf, type Octokit, type RepoRef } from "./octokit.js";

/** GitHub lists at most this many files of a pull request. */
export const PR_FILE_CAP = 3000;

/** Blobs asked for in one GraphQL query, and their bytes together (GitHub ends queries that run long). */
export const GRAPHQL_BLOBS_PER_QUERY = 100;
const GRAPHQL_BYTES_PER_QUERY = 4 * 1024 * 1024;
/** Larger blobs are read through the REST API: GraphQL truncates large text. */
const GRAPHQL_BLOB_MAX_BYTES = 256 * 1024;
/** How long the first blob waits for others to share its query. */
const BATCH_WINDOW_MS = 5;

interface TreeEntry {
  /** "" for a blob listed without a SHA (never from GitHub): read through the contents API. */
  sha: string;
  size?: number;
}

interface PendingBlob {
  sha: string;
  size: number;
  path: string;
  ref: string;
  resolve(bytes: Uint8Array): void;
  reject(error: unknown): void;
}

/** A file's bytes at `ref` (raw media type, so files over 1 MB work too), or null when GitHub answers 404. */
export async function readContent(octokit: Octokit, repo: RepoRef, ref: string, path: string): Promise<Uint8Array | null> {
  try {
    const response = await octokit.rest.repos.getContent({ ...repo, path, ref, mediaType: { format: "raw" } });
    return toBytes(response.data as unknown);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** The names in a directory at `ref`, or null when GitHub answers 404. */
export async function listDirectory(octokit: Octokit, repo: RepoRef, ref: string, dir: string): Promise<string[] | null> {
  try {
    const { data } = await octokit.rest.repos.getContent({ ...repo, path: dir, ref });
    if (!Array.isArray(data)) throw new Error(`${dir} is not a directory at ${ref}`);
    if (data.length >= 1000) throw new Error(`${dir} at ${ref} has too many entries to list in full`);
    return data.map((entry) => entry.name);
  } catch (error) {
    if (statusOf(error) === 404) return null;
    throw error;
  }
}

/** The names at the root of the tree at `ref` (one level, not recursive). */
export async function listRoot(octokit: Octokit, repo: RepoRef, ref: string): Promise<string[]> {
  const { data } = await octokit.rest.git.getTree({ ...repo, tree_sha: ref });
  if (data.truncated) throw new Error(`the tree at ${ref} is too large to list`);
  return data.tree.map((entry) => entry.path ?? "");
}

export interface GitHubSourceOptions extends RepoRef {
  pullNumber: number;
  /** The merge base (three-dot diff), read for the base side. */
  base: string;
  head: string;
  /** `pull_request.changed_files`, when known: more than the listing returns means a truncated list. */
  changedFiles?: number;
  /** A listing already under way (started before the merge base was known). */
  listing?: Promise<ChangeListing>;
  /**
   * Content requests in flight at once (default 10: Probot's throttling lets 10 requests of a
   * process be in flight; GitHub allows 100). Reads beyond wait in a queue of their own, so the
   * engine can ask for every file at once and the analysis never delays the next request.
   */
  maxInFlight?: number;
  /** Decoded blobs by SHA, shared across deliveries (the process's, or Redis); by default this source's own. */
  blobCache?: BlobCache;
}

/** The pull request's changed files, paginated; GitHub's 3,000-file cap is reported as truncation. */
export async function listPullFiles(octokit: Octokit, options: RepoRef & { pullNumber: number; changedFiles?: number }): Promise<ChangeListing> {
  const { owner, repo, pullNumber } = options;
  let entries: { filename: string; status: string; previous_filename?: string }[];
  try {
    entries = await octokit.paginate(octokit.rest.pulls.listFiles, { owner, repo, pull_number: pullNumber, per_page: 100 });
  } catch (error) {
    throw new SourceError(`Could not list the pull request's files: ${messageOf(error)}`, undefined, retryable(error));
  }
  const files: ChangedFile[] = [];
  for (const entry of entries) {
    const status = mapStatus(entry.status);
    if (status === undefined) continue;
    if (status === "renamed" && entry.previous_filename) {
      files.push({ path: entry.filename, status, previousPath: entry.previous_filename });
    } else {
      files.push({ path: entry.filename, status: status === "renamed" ? "modified" : status });
    }
  }
  const total = options.changedFiles;
  if (entries.length >= PR_FILE_CAP || (total !== undefined && total > entries.length)) {
    const missing = total !== undefined && total > entries.length ? ` and ${(total - entries.length).toLocaleString("en")} were not listed` : "";
    const reason = `GitHub lists at most ${PR_FILE_CAP.toLocaleString("en")} files of a pull request; this one changes ${(total ?? entries.length).toLocaleString("en")}${missing}`;
    return { files, truncated: { reason } };
  }
  return { files };
}

export class GitHubSource implements Source {
  readonly base: string;
  readonly head: string;
  private listing?: Promise<ChangeListing>;
  private readonly reads = new Map<string, Promise<Uint8Array | null>>();
  /** Per commit: every blob's path → its SHA and size. */
  private readonly trees = new Map<string, Promise<Map<string, TreeEntry>>>();
  /** The trees that have arrived. */
  private readonly listed = new Map<string, Map<string, TreeEntry>>();
  private readonly blobs: BlobCache;
  /** What the reads cost: content requests, REST blob requests, GraphQL blob queries, blobs the cache answered. */
  readonly stats = { contents: 0, blobs: 0, blobQueries: 0, cached: 0 };
  /** Blob reads by SHA, for the delivery. */
  private readonly blobReads = new Map<string, Promise<Uint8Array>>();
  /** Blobs waiting to be asked for together. */
  private pendingBlobs: PendingBlob[] = [];
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly queue: (() => void)[] = [];
  private inFlight = 0;

  constructor(
    private readonly octokit: Octokit,
    private readonly options: GitHubSourceOptions,
  ) {
    this.base = options.base;
    this.head = options.head;
    this.blobs = options.blobCache ?? new MemoryBlobCache();
  }

  changedFiles(): Promise<ChangeListing> {
    this.listing ??= this.options.listing ?? listPullFiles(this.octokit, this.options);
    return this.listing;
  }

  read(side: Side, path: string): Promise<Uint8Array | null> {
    const key = `${side}\0${path}`;
    let hit = this.reads.get(key);
    if (!hit) {
      hit = this.readFile(side === "base" ? this.base : this.head, path);
      this.reads.set(key, hit);
    }
    return hit;
  }

  /** By blob SHA where the side's tree is listed (through the cache), else through the contents API. */
  private async readFile(ref: string, path: string): Promise<Uint8Array | null> {
    // Only a tree already listed: waiting for one would put a round trip before the read.
    const entry = this.listed.get(ref)?.get(path);
    if (!entry?.sha) return this.bounded(() => this.fetch(ref, path));
    // The same content at both sides, or under several paths, is one read.
    let read = this.blobReads.get(entry.sha);
    if (!read) {
      read = this.readBlob(entry, path, ref);
      this.blobReads.set(entry.sha, read);
    }
    return read;
  }

  private async readBlob({ sha, size }: TreeEntry, path: string, ref: string): Promise<Uint8Array> {
    const repo = `${this.options.owner}/${this.options.repo}`;
    const cached = await this.blobs.get(repo, sha).catch(() => undefined);
    if (cached) {
      this.stats.cached++;
      return cached;
    }
    const bytes =
      size !== undefined && size <= GRAPHQL_BLOB_MAX_BYTES
        ? await new Promise<Uint8Array>((resolve, reject) => this.queueBlob({ sha, size, path, ref, resolve, reject }))
        : await this.bounded(() => this.fetchBlob(sha, path, ref));
    await this.blobs.set(repo, sha, bytes).catch(() => undefined);
    return bytes;
  }

  /** A full batch is asked for at once; otherwise the first blob waits a moment for others. */
  private queueBlob(blob: PendingBlob): void {
    this.pendingBlobs.push(blob);
    if (this.pendingBlobs.length >= GRAPHQL_BLOBS_PER_QUERY) this.flushBlobs();
    else this.batchTimer ??= setTimeout(() => this.flushBlobs(), BATCH_WINDOW_MS);
  }

  private flushBlobs(): void {
    clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    const pending = this.pendingBlobs;
    this.pendingBlobs = [];
    let batch: PendingBlob[] = [];
    let bytes = 0;
    const send = () => {
      const blobs = batch;
      void this.readBlobBatch(blobs);
    };
    for (const blob of pending) {
      if (batch.length > 0 && (batch.length >= GRAPHQL_BLOBS_PER_QUERY || bytes + blob.size > GRAPHQL_BYTES_PER_QUERY)) {
        send();
        batch = [];
        bytes = 0;
      }
      batch.push(blob);
      bytes += blob.size;
    }
    if (batch.length > 0) send();
  }

  /**
   * One GraphQL query for a batch of blobs. Only text whose git hash is the blob's SHA counts as
   * the blob; anything else GraphQL answers (binary, truncated, missing, an error for the whole
   * query) is read through the REST blobs API, whose failures fail the read. The query and each
   * REST read take their own place in the in-flight bound, so a failed query does not send its
   * whole batch to the REST API at once.
   */
  private async readBlobBatch(batch: readonly PendingBlob[]): Promise<void> {
    const found = await this.bounded(() => this.queryBlobs(batch));
    await Promise.all(
      batch.map(async (blob) => {
        try {
          blob.resolve(found.get(blob.sha) ?? (await this.bounded(() => this.fetchBlob(blob.sha, blob.path, blob.ref))));
        } catch (error) {
          blob.reject(error);
        }
      }),
    );
  }

  /** The blobs GraphQL gave exactly; an error for the whole query gives none. */
  private async queryBlobs(batch: readonly PendingBlob[]): Promise<Map<string, Uint8Array>> {
    const { owner, repo } = this.options;
    const unique = [...new Set(batch.map((b) => b.sha))];
    const found = new Map<string, Uint8Array>();
    this.stats.blobQueries++;
    try {
      const variables = Object.fromEntries(unique.map((sha, i) => [`o${i}`, sha]));
      const lookups = unique.map((_, i) => `b${i}: object(oid: $o${i}) { ... on Blob { text isBinary isTruncated } }`).join(" ");
      const declared = unique.map((_, i) => `$o${i}: GitObjectID!`).join(", ");
      const query = `query changegateBlobs($owner: String!, $name: String!, ${declared}) { repository(owner: $owner, name: $name) { ${lookups} } }`;
      const data = await this.octokit.graphql<{ repository: Record<string, { text?: string | null; isBinary?: boolean; isTruncated?: boolean } | null> | null }>(query, { owner, name: repo, ...variables });
      unique.forEach((sha, i) => {
        const blob = data.repository?.[`b${i}`];
        if (!blob || blob.isBinary || blob.isTruncated || typeof blob.text !== "string") return;
        const bytes = new TextEncoder().encode(blob.text);
        if (blobSha(bytes) === sha) found.set(sha, bytes);
      });
    } catch {
      // The whole batch is read through the REST API.
    }
    return found;
  }

  private async fetchBlob(sha: string, path: string, ref: string): Promise<Uint8Array> {
    const { owner, repo } = this.options;
    this.stats.blobs++;
    let bytes: Uint8Array;
    try {
      const { data } = await this.octokit.rest.git.getBlob({ owner, repo, file_sha: sha });
      bytes = data.encoding === "base64" ? new Uint8Array(Buffer.from(data.content, "base64")) : new TextEncoder().encode(data.content);
    } catch (error) {
      const status = statusOf(error);
      throw new SourceError(`GitHub answered ${status ?? "with an error"} reading ${path} (blob ${sha.slice(0, 12)}) at ${ref.slice(0, 12)}: ${messageOf(error)}`, path, retryable(error));
    }
    // The tree named this blob: anything else is not the file.
    if (blobSha(bytes) !== sha) throw new SourceError(`GitHub returned other content than blob ${sha.slice(0, 12)} for ${path}`, path, true);
    return bytes;
  }

  private async bounded<T>(task: () => Promise<T>): Promise<T> {
    if (this.inFlight >= (this.options.maxInFlight ?? 10)) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.inFlight++;
    try {
      return await task();
    } finally {
      this.inFlight--;
      // The next request goes out before the caller's analysis of this one runs.
      this.queue.shift()?.();
    }
  }

  /**
   * Only files the listing names (or a tree lists) are read, so a 404 is never "absent": the file
   * is there and GitHub did not serve it. It fails closed, as any other failed read does.
   */
  private async fetch(ref: string, path: string): Promise<Uint8Array> {
    const { owner, repo } = this.options;
    let bytes: Uint8Array | null;
    this.stats.contents++;
    try {
      bytes = await readContent(this.octokit, { owner, repo }, ref, path);
    } catch (error) {
      if (error instanceof SourceError) throw error;
      const status = statusOf(error);
      throw new SourceError(`GitHub answered ${status ?? "with an error"} reading ${path} at ${ref.slice(0, 12)}: ${messageOf(error)}`, path, retryable(error));
    }
    if (bytes === null) throw new SourceError(`GitHub answered 404 reading ${path} at ${ref.slice(0, 12)}, though the pull request lists it`, path, true);
    return bytes;
  }

  /** One recursive tree per side answers every listing: fetch both now. */
  warm(dirs: readonly string[]): void {
    if (dirs.length === 0) return;
    for (const sha of [this.base, this.head]) this.tree(sha).catch(() => undefined);
  }

  private tree(sha: string): Promise<Map<string, TreeEntry>> {
    let tree = this.trees.get(sha);
    if (!tree) {
      tree = this.fetchTree(sha).then((entries) => {
        this.listed.set(sha, entries);
        return entries;
      });
      this.trees.set(sha, tree);
    }
    return tree;
  }

  list(side: Side, dir: string): Promise<string[]> {
    const sha = side === "base" ? this.base : this.head;
    const tree = this.tree(sha);
    const prefix = dir === "" || dir.endsWith("/") ? dir : `${dir}/`;
    return tree.then((entries) => [...entries.keys()].filter((p) => p.startsWith(prefix)).sort());
  }

  private async fetchTree(sha: string): Promise<Map<string, TreeEntry>> {
    const { owner, repo } = this.options;
    try {
      const { data } = await this.octokit.rest.git.getTree({ owner, repo, tree_sha: sha, recursive: "1" });
      if (data.truncated) throw new SourceError(`The git tree at ${sha.slice(0, 12)} is too large for GitHub to list in full`, undefined, false);
      const entries = new Map<string, TreeEntry>();
      // A blob without a SHA (never from GitHub) is still listed; it is read through the contents API.
      for (const e of data.tree) {
        if (e.type !== "blob" || typeof e.path !== "string") continue;
        const sha = typeof e.sha === "string" && /^[0-9a-f]{40}$/.test(e.sha) ? e.sha : "";
        entries.set(e.path, typeof e.size === "number" ? { sha, size: e.size } : { sha });
      }
      return entries;
    } catch (error) {
      if (error instanceof SourceError) throw error;
      throw new SourceError(`Could not list the tree at ${sha.slice(0, 12)}: ${messageOf(error)}`, undefined, retryable(error));
    }
  }
}

function mapStatus(status: string): ChangeStatus | undefined {
  switch (status) {
    case "added":
    case "copied":
      return "added";
    case "removed":
      return "deleted";
    case "renamed":
      return "renamed";
    case "modified":
    case "changed":
      return "modified";
    default:
      return undefined; // "unchanged"
  }
}

/** Server errors, rate limits and network failures may pass on a re-run; 4xx answers will not. */
function retryable(error: unknown): boolean {
  const status = statusOf(error);
  return status === undefined || status >= 500 || status === 429 || status === 403;
}

function toBytes(data: unknown): Uint8Array {
  if (typeof data === "string") return new TextEncoder().encode(data);
  if (data instanceof Uint8Array) return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (typeof data === "object" && data !== null && "content" in data && typeof (data as { content: unknown }).content === "string") {
    return Buffer.from((data as { content: string }).content, "base64");
  }
  throw new SourceError("GitHub returned a directory or an unexpected body where a file was expected");
}
