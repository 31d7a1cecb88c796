import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blobSha, MemoryBlobCache, RedisBlobCache } from "../../src/github/blob-cache.js";
import { REDIS_BINARY, startRedisServer } from "../support/redis-server.js";

const REPO = "acme/shop";
const text = (s: string) => new TextEncoder().encode(s);
const MIGRATION = text("CREATE TABLE orders (id bigint PRIMARY KEY);\n");

describe("the blob cache in memory", () => {
  it("knows git's blob SHA", () => {
    // `git hash-object` of "hello\n".
    expect(blobSha(text("hello\n"))).toBe("ce013625030ba8dba906f756967f9e9ca394464a");
  });

  it("keeps blobs by repository and SHA and drops the least recently used beyond its size", async () => {
    const cache = new MemoryBlobCache(40);
    const [a, b, c] = ["a".repeat(10), "b".repeat(10), "c".repeat(25)].map(text);
    await cache.set(REPO, blobSha(a!), a!);
    await cache.set(REPO, blobSha(b!), b!);
    expect(await cache.get("other/repo", blobSha(a!))).toBeUndefined();
    expect(await cache.get(REPO, blobSha(a!))).toEqual(a);
    // Over a quarter of the cache: not kept.
    await cache.set(REPO, blobSha(c!), c!);
    expect(await cache.get(REPO, blobSha(c!))).toBeUndefined();
    await cache.set(REPO, "x".repeat(40), text("y".repeat(10)));
    await cache.set(REPO, "z".repeat(40), text("w".repeat(10)));
    await cache.set(REPO, "q".repeat(40), text("v".repeat(10)));
    // b was used least recently: it went first.
    expect(await cache.get(REPO, blobSha(b!))).toBeUndefined();
    expect(await cache.get(REPO, blobSha(a!))).toEqual(a);
  });
});

describe.skipIf(!REDIS_BINARY)("the blob cache on Redis (a real redis-server on loopback)", () => {
  let server: ChildProcess;
  let client: Redis;

  beforeAll(async () => {
    const started = await startRedisServer();
    server = started.child;
    const port = started.port;
    client = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000 });
    await new Promise<void>((resolve) => client.once("ready", () => resolve()));
  });

  afterAll(async () => {
    client?.disconnect();
    server?.kill();
  });

  it("shares blobs between processes (a fresh memory cache reads them from Redis)", async () => {
    const sha = blobSha(MIGRATION);
    await new RedisBlobCache(client, new MemoryBlobCache(), { prefix: "test:shared:" }).set(REPO, sha, MIGRATION);
    const other = new RedisBlobCache(client, new MemoryBlobCache(), { prefix: "test:shared:" });
    expect(await other.get(REPO, sha)).toEqual(MIGRATION);
    expect(await client.ttl(`test:shared:${REPO}@${sha}`)).toBeGreaterThan(86_400);
  });

  it("ignores an entry that is not the blob its SHA names", async () => {
    const sha = blobSha(MIGRATION);
    await client.set(`test:tampered:${REPO}@${sha}`, "DROP TABLE orders;\n");
    expect(await new RedisBlobCache(client, new MemoryBlobCache(), { prefix: "test:tampered:" }).get(REPO, sha)).toBeUndefined();
  });

  it("answers nothing, without throwing, when Redis is away", async () => {
    const away = new Redis("redis://127.0.0.1:1", { maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true, retryStrategy: () => null });
    away.on("error", () => undefined);
    const warnings: string[] = [];
    const cache = new RedisBlobCache(away, new MemoryBlobCache(), { log: { warn: (_obj, msg) => warnings.push(String(msg)) } });
    expect(await cache.get(REPO, blobSha(MIGRATION))).toBeUndefined();
    await cache.set(REPO, blobSha(MIGRATION), MIGRATION);
    expect(warnings.length).toBeGreaterThan(0);
    // The memory cache in front of it still holds what was set.
    expect(await cache.get(REPO, blobSha(MIGRATION))).toEqual(MIGRATION);
    away.disconnect();
  });
});
