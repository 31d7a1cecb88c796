/**
 * Coordination across replicas on Redis (ioredis, the client Probot's cluster throttling uses).
 *
 * - Deliveries: `SET changegate:delivery:<id> NX EX 86400`; the first replica to set it runs the
 *   event, every other one (and any redelivery of a delivery that succeeded) skips it.
 * - Head lock: `SET changegate:lock:<key> <token> NX PX <lease>`, renewed every third of the lease
 *   while the evaluation runs, released by a script that deletes the key only if it still holds
 *   this holder's token (never another holder's lock). A crashed holder stops renewing; its lease
 *   expires and the next evaluation proceeds.
 * - Losing Redis fails closed: when the lease cannot be renewed the evaluation is marked as having
 *   lost its lock, and the check-run guard (src/server/guard.ts) refuses to write a passing
 *   conclusion from it; the gate then records a failure with a re-run button instead.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { leaseContext, type Coordination, type HeadLock, type LeaseState } from "./coordination.js";

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

export interface RedisOptions {
  /** How long a lock is held without renewal. */
  leaseMs?: number;
  /** How long an evaluation waits for another replica's lock on the same head before giving up. */
  waitMs?: number;
  /** How long a delivery id is remembered. */
  deliveryTtlSeconds?: number;
  prefix?: string;
  log?: { warn(obj: object, msg?: string): void; error(obj: object, msg?: string): void };
}

export class RedisCoordination implements Coordination {
  readonly kind = "redis" as const;
  readonly lock: HeadLock;
  private readonly redis: Redis;
  private readonly leaseMs: number;
  private readonly waitMs: number;
  private readonly ttl: number;
  private readonly prefix: string;

  constructor(url: string, private readonly options: RedisOptions = {}) {
    // Commands fail fast rather than queue while Redis is away: an evaluation must not hang on it.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, connectTimeout: 2_000, lazyConnect: false });
    this.redis.on("error", (error: Error) => options.log?.warn({ event: "redis", error: error.message }, "changegate cannot reach Redis"));
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 120_000;
    this.ttl = options.deliveryTtlSeconds ?? 86_400;
    this.prefix = options.prefix ?? "changegate:";
    this.lock = { run: (key, task) => this.withLock(key, task) };
  }

  /** The connection, for the blob cache (src/github/blob-cache.ts) to share. */
  get client(): Redis {
    return this.redis;
  }

  /** Resolves once connected (or rejects after the connect timeout). */
  async connect(): Promise<void> {
    if (this.redis.status === "ready") return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("Redis did not answer within 5 s")), 5_000);
      this.redis.once("ready", () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async claim(deliveryId: string): Promise<boolean> {
    const answer = await this.redis.set(`${this.prefix}delivery:${deliveryId}`, String(Date.now()), "EX", this.ttl, "NX");
    return answer === "OK";
  }

  async release(deliveryId: string): Promise<void> {
    await this.redis.del(`${this.prefix}delivery:${deliveryId}`);
  }

  async healthy(): Promise<boolean> {
    try {
      return (await this.redis.ping()) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    this.redis.disconnect();
  }

  private async withLock<T>(key: string, task: () => Promise<T>): Promise<T> {
    const name = `${this.prefix}lock:${key}`;
    const token = randomUUID();
    const deadline = Date.now() + this.waitMs;
    let delay = 25;
    for (;;) {
      const acquiredAt = Date.now();
      if ((await this.redis.set(name, token, "PX", this.leaseMs, "NX")) === "OK") {
        const lease: LeaseState = { key, lost: false, validUntil: acquiredAt + this.leaseMs - 1_000 };
        const renew = setInterval(() => void this.renew(name, token, lease), Math.max(100, Math.floor(this.leaseMs / 3)));
        try {
          return await leaseContext.run(lease, task);
        } finally {
          clearInterval(renew);
          await this.redis.eval(RELEASE, 1, name, token).catch((error: Error) => this.options.log?.warn({ event: "redis", key, error: error.message }, "changegate could not release a lock (its lease will expire)"));
        }
      }
      if (Date.now() > deadline) throw new Error(`changegate: another replica held the lock for ${key} for over ${Math.round(this.waitMs / 1000)} s`);
      await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
      delay = Math.min(delay * 2, 500);
    }
  }

  private async renew(name: string, token: string, lease: LeaseState): Promise<void> {
    if (lease.lost) return;
    const at = Date.now();
    try {
      const renewed = await this.redis.eval(RENEW, 1, name, token, String(this.leaseMs));
      if (renewed === 1) lease.validUntil = at + this.leaseMs - 1_000;
      else lease.lost = true;
    } catch (error) {
      lease.lost = true;
      this.options.log?.error({ event: "redis", key: lease.key, error: (error as Error).message }, "changegate lost its lock: this evaluation cannot pass anything");
    }
  }
}
