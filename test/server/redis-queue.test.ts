/**
 * The head queue on a real Redis (two coordinations = two replicas): a delivery for a held head
 * is left to the holder and answered by its next batch; a holder that dies leaves its queue to
 * whoever is waiting, once its lease runs out; a holder that loses its lease cannot pass anything
 * and what it did not drop is evaluated again. Driven by drains the test controls; skips only
 * when no redis-server binary can be found.
 */
import type { ChildProcess } from "node:child_process";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PendingEvaluation } from "../../src/gate/coalesce.js";
import type { DrainResult } from "../../src/github/head-lock.js";
import { leaseLost } from "../../src/server/coordination.js";
import { RedisCoordination } from "../../src/server/redis.js";
import { REDIS_BINARY, startRedisServer } from "../support/redis-server.js";

let server: ChildProcess | undefined;
let url = "";
const open: RedisCoordination[] = [];

beforeAll(async () => {
  if (!REDIS_BINARY) return;
  const started = await startRedisServer();
  server = started.child;
  url = started.url;
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  server?.kill("SIGKILL");
});

async function replica(options: ConstructorParameters<typeof RedisCoordination>[1] = {}): Promise<RedisCoordination> {
  const c = new RedisCoordination(url, { pollMs: 50, ...options });
  open.push(c);
  await c.connect();
  return c;
}

let n = 0;
function entry(delivery: string): PendingEvaluation {
  n++;
  return { token: `t${n}-${delivery}`, delivery, at: n, owner: "acme", repo: "shop", pullNumber: 1, trigger: { kind: "review", action: "submitted" } };
}

async function until(probe: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

/** A drain the test lets finish batch by batch; records each batch's deliveries and whether it held its lease. */
function controlledDrain() {
  const batches: string[][] = [];
  const gates: (() => void)[] = [];
  const drain = async (batch: readonly PendingEvaluation[]): Promise<DrainResult> => {
    batches.push(batch.map((b) => b.delivery));
    await new Promise<void>((resolve) => gates.push(resolve));
    return { settled: new Map(batch.map((b) => [b.token, { ok: true, value: b.delivery }])), later: [] };
  };
  return { drain, batches, running: () => until(() => gates.length > 0, "a batch running"), finish: () => gates.shift()!() };
}

describe.skipIf(!REDIS_BINARY)("the head queue on Redis", () => {
  it("a burst on a held head: every other replica's delivery is left to the holder and answered by one more batch", async () => {
    const [a, b] = [await replica(), await replica()];
    const d = controlledDrain();
    const key = `acme/shop@burst`;
    const first = a.lock.submit!(key, entry("opened"), d.drain);
    await d.running();
    // Acknowledged at once: nothing waits on the lock.
    const queued = [];
    for (const [i, id] of ["r1", "r2", "r3"].entries()) queued.push(await (i % 2 ? a : b).lock.submit!(key, entry(id), d.drain));
    expect(queued.map((q) => q.held)).toEqual([false, false, false]);
    d.finish();
    await d.running();
    d.finish();
    expect(await first).toEqual({ held: true, settled: { ok: true, value: "opened" } });
    expect(d.batches).toEqual([["opened"], ["r1", "r2", "r3"]]);
  });

  it("a holder that died: the waiting delivery takes the head over once the lease runs out", async () => {
    const c = await replica({ leaseMs: 2_000 });
    const key = `acme/shop@dead`;
    const raw = new Redis(url);
    // A holder that took the head and then died: its lease is all that is left of it.
    await raw.set(`changegate:lock:${key}`, "a dead holder", "PX", 300);
    const d = controlledDrain();
    expect((await c.lock.submit!(key, entry("review"), d.drain)).held).toBe(false);
    await d.running();
    d.finish();
    await until(async () => Number(await raw.get(`changegate:done:${key}`)) >= 1, "the delivery answered");
    expect(d.batches).toEqual([["review"]]);
    expect(await raw.get(`changegate:lock:${key}`)).toBeNull();
    raw.disconnect();
  });

  it("a holder whose lease is lost cannot pass, drops nothing, and what it held is evaluated again by the next holder", async () => {
    const c = await replica({ leaseMs: 1_500 });
    const key = `acme/shop@lost`;
    const raw = new Redis(url);
    const seen: { batch: string[]; lost: boolean }[] = [];
    let steal = true;
    const drain = async (batch: readonly PendingEvaluation[]): Promise<DrainResult> => {
      if (steal) {
        steal = false;
        // The lease is gone (expired, or Redis lost it): the renewal finds out and marks it lost.
        await raw.del(`changegate:lock:${key}`);
        await until(() => leaseLost(), "the lease marked lost");
      }
      seen.push({ batch: batch.map((b) => b.delivery), lost: leaseLost() });
      return { settled: new Map(batch.map((b) => [b.token, { ok: true, value: b.delivery }])), later: [] };
    };
    await c.lock.submit!(key, entry("press"), drain);
    await until(async () => Number(await raw.get(`changegate:done:${key}`)) >= 1, "the delivery answered by a holder that kept its lease");
    expect(seen).toEqual([
      { batch: ["press"], lost: true },
      { batch: ["press"], lost: false },
    ]);
    raw.disconnect();
  });
});
