/**
 * Evaluations of the same head run one after another: duplicate deliveries, a review arriving
 * while a push is evaluated, a press during a re-run. This is the seam a cross-process lock
 * (Redis, for several app replicas) plugs into; the in-process one serialises within one process.
 *
 * Deliveries for a head that is being evaluated do not each wait for the lock: they are recorded
 * in the head's queue (`submit`), and the evaluation holding the head drains that queue before it
 * lets go (src/gate/coalesce.ts says how a batch becomes evaluations). Under a burst on one head
 * that is one evaluation after the current one instead of one per delivery, and no request or
 * worker sits on the lock while the holder waits for its writes (one a second per installation).
 */
import type { PendingEvaluation } from "../gate/coalesce.js";

export interface HeadLock {
  /** Runs `task` once every earlier task for `key` has settled; resolves or rejects as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
  /** The head's queue, where the lock has one (without, every delivery runs its own evaluation under `run`). */
  submit?: HeadQueue["submit"];
}

/** How a batch ended, per entry token: its evaluation's result, or the error it failed with. */
export type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface DrainResult {
  settled: Map<string, Settled>;
  /** Entries to submit again once the head is let go (their pull request has moved to another head). */
  later: { token: string; run: () => Promise<unknown> }[];
}

/** Evaluates a batch taken from the head's queue (oldest first), as the head's holder. */
export type Drain = (batch: readonly PendingEvaluation[]) => Promise<DrainResult>;

export interface Submitted {
  /** The caller held the head and drained it; or another holder has its entry (`queued`). */
  held: boolean;
  /** The outcome of the caller's own entry, where known in this process. */
  settled?: Settled;
}

export interface HeadQueue {
  /**
   * Records `entry` in the head's queue and sees that it is evaluated: a caller that finds the head
   * free holds it and runs `drain` on batches until the queue is empty, then lets go. Any other
   * caller resolves once its entry is recorded for the holder (across replicas), or once its entry
   * was evaluated (in process, where the answer to the webhook waits for the evaluation).
   */
  submit(key: string, entry: PendingEvaluation, drain: Drain): Promise<Submitted>;
}

/** What a holder of one head can do; the loop below is the same in process and on Redis. */
export interface Holding {
  /** The entries waiting, oldest first. */
  take(): Promise<PendingEvaluation[]>;
  /**
   * Drops the first `n` entries, answered. False (nothing dropped) once the head is no longer this
   * holder's: its lease ran out, so what it evaluated may have been failed closed and is evaluated
   * again by the next holder.
   */
  done(n: number): Promise<boolean>;
  /** Lets the head go unless entries arrived meanwhile: false while some wait (drain again). */
  release(): Promise<boolean>;
}

/**
 * The holder's loop: take what waits, evaluate it, drop it, and let go only when nothing waits (an
 * entry recorded between the last take and the release keeps the head held, so none is stranded).
 * An entry is dropped only after its evaluation completed: a holder that dies mid-batch leaves it
 * for the next holder, and evaluating an entry twice is harmless (a press is judged once, by its
 * delivery id, in the run's state).
 */
export async function drainHead(holding: Holding, drain: Drain, settle: (token: string, outcome: Settled | Promise<unknown>) => void): Promise<void> {
  const later: DrainResult["later"] = [];
  try {
    for (;;) {
      const batch = await holding.take();
      if (batch.length > 0) {
        const result = await drain(batch);
        later.push(...result.later);
        if (!(await holding.done(batch.length))) return;
        for (const [token, outcome] of result.settled) settle(token, outcome);
      }
      if (await holding.release()) break;
    }
  } finally {
    // Started once the head is let go, so that moving back and forth between heads cannot wait in a circle.
    for (const l of later) settle(l.token, l.run());
  }
}

/** In one process: one promise chain per key (dropped when it drains), and each head's queue. */
export class InProcessHeadLock implements HeadLock, HeadQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly queues = new Map<string, PendingEvaluation[]>();
  private readonly waiting = new Map<string, (outcome: Settled) => void>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const next = previous.then(task, task);
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  submit(key: string, entry: PendingEvaluation, drain: Drain): Promise<Submitted> {
    const mine = new Promise<Settled>((resolve) => this.waiting.set(entry.token, resolve));
    const queue = this.queues.get(key);
    if (queue) {
      // A holder is draining this head: it takes this entry before it lets go.
      queue.push(entry);
      return mine.then((settled) => ({ held: false, settled }));
    }
    const entries = [entry];
    this.queues.set(key, entries);
    const holding: Holding = {
      take: async () => entries.slice(),
      done: async (n) => (entries.splice(0, n), true),
      release: async () => {
        if (entries.length > 0) return false;
        this.queues.delete(key);
        return true;
      },
    };
    const settle = (token: string, outcome: Settled | Promise<unknown>) => {
      const resolve = this.waiting.get(token);
      if (!resolve) return;
      this.waiting.delete(token);
      if (outcome instanceof Promise) outcome.then((value) => resolve({ ok: true, value }), (error: unknown) => resolve({ ok: false, error }));
      else resolve(outcome);
    };
    // Under `run`, so that anything else holding the head (a failure written for it) is waited for.
    void this.run(key, () => drainHead(holding, drain, settle)).catch((error: unknown) => {
      // The loop itself failed (not an evaluation: those settle one by one): nothing it held is left waiting.
      this.queues.delete(key);
      for (const e of entries) settle(e.token, { ok: false, error });
      settle(entry.token, { ok: false, error });
    });
    return mine.then((settled) => ({ held: true, settled }));
  }
}

/** The key of one head of one repository. */
export function headKey(owner: string, repo: string, headSha: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}@${headSha}`;
}
