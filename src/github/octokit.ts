import type { ProbotOctokit } from "probot";

/** The installation client Probot hands to handlers (retry and throttling plugins included). */
export type Octokit = InstanceType<typeof ProbotOctokit>;

export interface RepoRef {
  owner: string;
  repo: string;
}

/** The HTTP status of an Octokit error, if any. */
export function statusOf(error: unknown): number | undefined {
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    return typeof status === "number" ? status : undefined;
  }
  return undefined;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Runs `task` over `items` with at most `limit` in flight, keeping order in the result. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(Math.max(1, limit), items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Memoises an async lookup for one delivery: the same question is asked of GitHub once. */
export function memo<A extends string, R>(fn: (arg: A) => Promise<R>): (arg: A) => Promise<R> {
  const cache = new Map<string, Promise<R>>();
  return (arg: A) => {
    let hit = cache.get(arg);
    if (!hit) {
      hit = fn(arg);
      cache.set(arg, hit);
    }
    return hit;
  };
}
