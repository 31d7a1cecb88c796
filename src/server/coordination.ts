/**
 * What replicas must agree on, behind one interface: which deliveries were already taken (GitHub
 * delivers at least once, and a redelivery carries the same X-GitHub-Delivery id) and which
 * pull-request head is being evaluated (one evaluation per head at a time). One process keeps
 * both in memory; several share them through Redis (src/server/redis.ts).
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { InProcessHeadLock, type HeadLock } from "../github/head-lock.js";

export type { HeadLock };

export interface Coordination {
  readonly kind: "memory" | "redis";
  /** Claims a delivery id: false when it was already claimed (a duplicate delivery). */
  claim(deliveryId: string): Promise<boolean>;
  /** Gives a claim back after a failed evaluation, so that a redelivery runs again. */
  release(deliveryId: string): Promise<void>;
  readonly lock: HeadLock;
  /** Whether the shared state can be reached (readiness). */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/** The state of the lock held by the evaluation running in this async context. */
export interface LeaseState {
  key: string;
  /** Set once the lease could not be renewed: this evaluation may no longer be the only one. */
  lost: boolean;
  /** Until when the lease is known to be held (ms since the epoch). */
  validUntil: number;
}

export const leaseContext = new AsyncLocalStorage<LeaseState>();

/** Whether the evaluation running here has lost its lock (it must not pass anything). */
export function leaseLost(now = Date.now()): boolean {
  const lease = leaseContext.getStore();
  return lease !== undefined && (lease.lost || now > lease.validUntil);
}

/** In one process: the gate's own in-process head lock, and a bounded memory of delivery ids. */
export class MemoryCoordination implements Coordination {
  readonly kind = "memory" as const;
  private readonly seen = new Map<string, number>();

  constructor(private readonly maxDeliveries = 10_000) {}

  async claim(deliveryId: string): Promise<boolean> {
    if (this.seen.has(deliveryId)) return false;
    this.seen.set(deliveryId, Date.now());
    if (this.seen.size > this.maxDeliveries) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }

  async release(deliveryId: string): Promise<void> {
    this.seen.delete(deliveryId);
  }

  readonly lock: HeadLock = new InProcessHeadLock();


  async healthy(): Promise<boolean> {
    return true;
  }

  async close(): Promise<void> {}
}
