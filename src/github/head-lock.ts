/**
 * Evaluations of the same head run one after another: duplicate deliveries, a review arriving
 * while a push is evaluated, a press during a re-run. This is the seam a cross-process lock
 * (Redis, for several app replicas) plugs into; the in-process one serialises within one process.
 */
export interface HeadLock {
  /** Runs `task` once every earlier task for `key` has settled; resolves or rejects as `task` does. */
  run<T>(key: string, task: () => Promise<T>): Promise<T>;
}

/** One promise chain per key, dropped when it drains. */
export class InProcessHeadLock implements HeadLock {
  private readonly tails = new Map<string, Promise<unknown>>();

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
}

/** The key of one head of one repository. */
export function headKey(owner: string, repo: string, headSha: string): string {
  return `${owner.toLowerCase()}/${repo.toLowerCase()}@${headSha}`;
}
