/**
 * Coordination across replicas on Redis (ioredis, the client Probot's cluster throttling uses).
 *
 * - Deliveries: `SET changegate:delivery:<id> NX EX 86400`; the first replica to set it runs the
 *   event, every other one (and any redelivery of a delivery that succeeded) skips it.
 * - Head lock: `SET changegate:lock:<key> <token> NX PX <lease>`, renewed every third of the lease
 *   while the evaluation runs, released by a script that deletes the key only if it still holds
 *   this holder's token (never another holder's lock). A crashed holder stops renewing; its lease
 *   expires and the next evaluation proceeds.
 * - Head queue (`submit`): a delivery whose head is held is appended to
 *   `changegate:pending:<key>` (numbered by `changegate:seq:<key>`) in the same script that tries
 *   the lock, so an entry is either taken by the holder or its submitter becomes the holder. The
 *   holder drains the list, drops what it evaluated (recording the last number answered in
 *   `changegate:done:<key>`) and lets the lock go in one script that refuses while entries wait.
 *   A submitter that did not get the lock watches its number: answered, or the lock free (its
 *   holder died and the lease ran out), in which case it takes the head over and drains it.
 * - Losing Redis fails closed: when the lease cannot be renewed the evaluation is marked as having
 *   lost its lock, and the check-run guard (src/server/guard.ts) refuses to write a passing
 *   conclusion from it; the gate then records a failure with a re-run button instead.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import type { PendingEvaluation } from "../gate/coalesce.js";
import { drainHead, type Drain, type Holding, type Settled, type Submitted } from "../github/head-lock.js";
import { leaseContext, type Coordination, type HeadLock, type LeaseState } from "./coordination.js";

const RENEW = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;
/** KEYS: lock, pending, seq. ARGV: entry, token, lease ms, ttl ms. Returns {number, 1 if the caller now holds the head}. */
const SUBMIT = `local n = redis.call("incr", KEYS[3])
redis.call("pexpire", KEYS[3], ARGV[4])
redis.call("rpush", KEYS[2], n .. "|" .. ARGV[1])
redis.call("pexpire", KEYS[2], ARGV[4])
if redis.call("set", KEYS[1], ARGV[2], "NX", "PX", ARGV[3]) then return {n, 1} end
return {n, 0}`;
/** KEYS: lock, pending, done. ARGV: token, count, last number, ttl ms. Only the lock's holder drops entries. */
const DONE = `if redis.call("get", KEYS[1]) ~= ARGV[1] then return 0 end
redis.call("ltrim", KEYS[2], ARGV[2], -1)
local d = tonumber(redis.call("get", KEYS[3]) or "0")
if tonumber(ARGV[3]) > d then redis.call("set", KEYS[3], ARGV[3], "PX", ARGV[4]) end
return 1`;
/** KEYS: lock, pending. ARGV: token. 0: entries wait (still held); 1: let go; 2: no longer this holder's. */
const LET_GO = `if redis.call("get", KEYS[1]) ~= ARGV[1] then return 2 end
if redis.call("llen", KEYS[2]) > 0 then return 0 end
redis.call("del", KEYS[1])
return 1`;

export interface RedisOptions {
  /** How long a lock is held without renewal. */
  leaseMs?: number;
  /** How long an evaluation waits for another replica's lock on the same head before giving up. */
  waitMs?: number;
  /** How long a queued delivery watches for its holder to answer it before giving up (it stays queued for the next holder). */
  queueWaitMs?: number;
  /** How often a queued delivery looks whether it was answered, or its holder died. */
  pollMs?: number;
  /** How long a delivery id is remembered. */
  deliveryTtlSeconds?: number;
  prefix?: string;
  /** Counts work that runs outside a request (a queued delivery watching for its answer, a take-over) as in flight: readiness and shutdown see it. */
  track?: <T>(work: Promise<T>) => Promise<T>;
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
  private readonly queueWaitMs: number;
  private readonly pollMs: number;
  private closed = false;

  constructor(url: string, private readonly options: RedisOptions = {}) {
    // Commands fail fast rather than queue while Redis is away: an evaluation must not hang on it.
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, commandTimeout: 2_000, connectTimeout: 2_000, lazyConnect: false });
    this.redis.on("error", (error: Error) => options.log?.warn({ event: "redis", error: error.message }, "changegate cannot reach Redis"));
    this.leaseMs = options.leaseMs ?? 30_000;
    this.waitMs = options.waitMs ?? 120_000;
    this.ttl = options.deliveryTtlSeconds ?? 86_400;
    this.prefix = options.prefix ?? "changegate:";
    this.queueWaitMs = options.queueWaitMs ?? 30 * 60_000;
    this.pollMs = options.pollMs ?? Math.max(100, Math.min(1_000, Math.floor(this.leaseMs / 3)));
    this.lock = { run: (key, task) => this.withLock(key, task), submit: (key, entry, drain) => this.submit(key, entry, drain) };
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
    this.closed = true;
    this.redis.disconnect();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    return this.options.track ? this.options.track(work) : work;
  }

  private keys(key: string) {
    return { lock: `${this.prefix}lock:${key}`, pending: `${this.prefix}pending:${key}`, seq: `${this.prefix}seq:${key}`, done: `${this.prefix}done:${key}` };
  }

  /** See HeadQueue: the caller holds and drains the head, or leaves its entry to the holder and watches it. */
  private async submit(key: string, entry: PendingEvaluation, drain: Drain): Promise<Submitted> {
    const k = this.keys(key);
    const token = randomUUID();
    const ttl = String(this.ttl * 1000);
    const acquiredAt = Date.now();
    const [n, acquired] = (await this.redis.eval(SUBMIT, 3, k.lock, k.pending, k.seq, JSON.stringify(entry), token, String(this.leaseMs), ttl)) as [number, number];
    if (acquired !== 1) {
      // Answered by the holder; watched in the background (the webhook was acknowledged already).
      void this.track(this.watch(key, entry, n, drain));
      return { held: false };
    }
    let mine: Settled | undefined;
    const settle = (t: string, outcome: Settled | Promise<unknown>) => {
      if (t !== entry.token) return;
      if (outcome instanceof Promise) void outcome.catch(() => undefined);
      else mine = outcome;
    };
    await this.hold(key, token, acquiredAt, drain, settle);
    // The lease was lost before this entry was dropped: it waits for the next holder, and is watched.
    if (mine === undefined) void this.track(this.watch(key, entry, n, drain));
    return { held: true, ...(mine ? { settled: mine } : {}) };
  }

  /** Holds the head under a renewed lease and drains its queue until it can be let go. */
  private async hold(key: string, token: string, acquiredAt: number, drain: Drain, settle: (token: string, outcome: Settled | Promise<unknown>) => void): Promise<void> {
    const k = this.keys(key);
    const ttl = String(this.ttl * 1000);
    const lease: LeaseState = { key, lost: false, validUntil: acquiredAt + this.leaseMs - 1_000 };
    const renew = setInterval(() => void this.renew(k.lock, token, lease), Math.max(100, Math.floor(this.leaseMs / 3)));
    let taken: { n: number; entry: PendingEvaluation }[] = [];
    const holding: Holding = {
      take: async () => {
        const raw = await this.redis.lrange(k.pending, 0, -1);
        taken = raw.flatMap((line) => {
          const bar = line.indexOf("|");
          try {
            return [{ n: Number(line.slice(0, bar)), entry: JSON.parse(line.slice(bar + 1)) as PendingEvaluation }];
          } catch {
            return [];
          }
        });
        // A line that does not parse is dropped with the batch (only this app writes the list).
        return taken.map((t) => t.entry);
      },
      done: async (count) => {
        const last = taken.length > 0 ? taken[taken.length - 1]!.n : 0;
        return (await this.redis.eval(DONE, 3, k.lock, k.pending, k.done, token, String(count), String(last), ttl)) === 1;
      },
      release: async () => (await this.redis.eval(LET_GO, 2, k.lock, k.pending, token)) !== 0,
    };
    try {
      await leaseContext.run(lease, () => drainHead(holding, drain, settle));
    } catch (error) {
      // Redis failed under the holder: what it did not drop stays queued; the lease runs out.
      lease.lost = true;
      this.options.log?.error({ event: "redis", key, error: (error as Error).message }, "changegate lost Redis while draining a head; what is queued waits for the next holder");
    } finally {
      clearInterval(renew);
    }
  }

  /**
   * Until entry `n` is answered: takes the head over when nobody holds it (a holder that died, or
   * one that lost its lease). Taking over, it puts the entry back when the queue no longer has it
   * unanswered (Redis restarted without persistence and forgot it).
   */
  private async watch(key: string, entry: PendingEvaluation, n: number, drain: Drain): Promise<void> {
    const k = this.keys(key);
    const until = Date.now() + this.queueWaitMs;
    try {
      while (!this.closed && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, this.pollMs / 2 + Math.random() * this.pollMs).unref());
        if (this.closed) return;
        if (Number((await this.redis.get(k.done)) ?? 0) >= n) return;
        const token = randomUUID();
        const at = Date.now();
        if ((await this.redis.set(k.lock, token, "PX", this.leaseMs, "NX")) !== "OK") continue;
        const queued = await this.redis.lrange(k.pending, 0, -1);
        // Answered between the look and the take-over: an evaluation twice is harmless, but needless.
        if (!queued.some((line) => line.startsWith(`${n}|`)) && Number((await this.redis.get(k.done)) ?? 0) < n) {
          n = await this.redis.incr(k.seq);
          await this.redis.rpush(k.pending, `${n}|${JSON.stringify(entry)}`);
          await this.redis.pexpire(k.pending, this.ttl * 1000);
        }
        await this.hold(key, token, at, drain, () => undefined);
      }
      if (!this.closed) this.options.log?.error({ event: "queue-wait", key, n }, "changegate gave up watching a queued evaluation; it stays queued for the head's next evaluation");
    } catch (error) {
      this.options.log?.error({ event: "redis", key, error: (error as Error).message }, "changegate lost Redis while a delivery was queued; it is evaluated with the head's next event, if Redis kept it");
    }
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
