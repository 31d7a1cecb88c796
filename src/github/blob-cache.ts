/**
 * Decoded file contents by git blob SHA. A blob is immutable, so an answer never goes stale: the
 * migration history a pull request's schema model replays is read from GitHub once per process (or
 * once per deployment, with Redis), not once per push. Every entry is checked against its SHA when
 * it comes back (git's own hash of the content), so a cache that returns something else (a full or
 * tampered Redis) costs a request, never a wrong reading. The cache is best effort: its failures
 * fall back to GitHub.
 */
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

export interface BlobCache {
  get(repo: string, sha: string): Promise<Uint8Array | undefined>;
  set(repo: string, sha: string, bytes: Uint8Array): Promise<void>;
}

/** git's SHA-1 of a blob: `blob <size>\0<content>`. */
export function blobSha(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.byteLength}\0`).update(bytes).digest("hex");
}

/** The process's cache: least recently used blobs go first once `maxBytes` is reached. */
export class MemoryBlobCache implements BlobCache {
  private readonly entries = new Map<string, Uint8Array>();
  private bytes = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  async get(repo: string, sha: string): Promise<Uint8Array | undefined> {
    const key = `${repo}@${sha}`;
    const found = this.entries.get(key);
    if (found === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(key);
    this.entries.set(key, found);
    return found;
  }

  async set(repo: string, sha: string, bytes: Uint8Array): Promise<void> {
    // One blob larger than a quarter of the cache would push out everything else.
    if (bytes.byteLength > this.maxBytes / 4) return;
    const key = `${repo}@${sha}`;
    const old = this.entries.get(key);
    if (old) {
      this.bytes -= old.byteLength;
      this.entries.delete(key);
    }
    this.entries.set(key, bytes);
    this.bytes += bytes.byteLength;
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= value.byteLength;
    }
  }
}

export interface RedisBlobCacheOptions {
  /** How long a blob stays in Redis (default 14 days). */
  ttlSeconds?: number;
  prefix?: string;
  /** Blobs larger than this are not stored (default 1 MiB: migrations are small, Redis memory is not free). */
  maxBlobBytes?: number;
  log?: { warn(obj: object, msg?: string): void };
}

/** The memory cache in front of Redis, shared by every replica of the deployment. */
export class RedisBlobCache implements BlobCache {
  private readonly ttl: number;
  private readonly prefix: string;
  private readonly maxBlobBytes: number;

  constructor(
    private readonly redis: Redis,
    private readonly memory: BlobCache = new MemoryBlobCache(),
    private readonly options: RedisBlobCacheOptions = {},
  ) {
    this.ttl = options.ttlSeconds ?? 14 * 86_400;
    this.prefix = options.prefix ?? "changegate:blob:";
    this.maxBlobBytes = options.maxBlobBytes ?? 1024 * 1024;
  }

  async get(repo: string, sha: string): Promise<Uint8Array | undefined> {
    const local = await this.memory.get(repo, sha);
    if (local) return local;
    let stored: Buffer | null;
    try {
      stored = await this.redis.getBuffer(this.key(repo, sha));
    } catch (error) {
      this.options.log?.warn({ event: "blob-cache", error: error instanceof Error ? error.message : String(error) }, "changegate could not read the blob cache");
      return undefined;
    }
    if (stored === null) return undefined;
    const bytes = new Uint8Array(stored);
    // Only the content whose hash is the SHA is that blob.
    if (blobSha(bytes) !== sha) return undefined;
    await this.memory.set(repo, sha, bytes);
    return bytes;
  }

  async set(repo: string, sha: string, bytes: Uint8Array): Promise<void> {
    await this.memory.set(repo, sha, bytes);
    if (bytes.byteLength > this.maxBlobBytes) return;
    try {
      await this.redis.set(this.key(repo, sha), Buffer.from(bytes), "EX", this.ttl);
    } catch (error) {
      this.options.log?.warn({ event: "blob-cache", error: error instanceof Error ? error.message : String(error) }, "changegate could not write the blob cache");
    }
  }

  private key(repo: string, sha: string): string {
    return `${this.prefix}${repo}@${sha}`;
  }
}
