/**
 * Coalescing the deliveries that wait for one head (pure). Every evaluation re-reads all facts
 * from GitHub (the pull request, reviews, commits, the policy, the run's state), so deliveries
 * that only say "look again" (opened, reopened, ready_for_review, a review, a re-run) are all
 * answered by one evaluation that starts after they arrived. A delivery that carries a fact of its
 * own is never folded into another: a "Sign off" press (the press itself: who, on which run, when,
 * its delivery id) and a push's pusher and previous head each get an evaluation with their own
 * trigger, in arrival order; such an evaluation re-reads everything too, so it also answers the
 * plain deliveries of its pull request that were waiting with it.
 *
 * A delivery counts as evaluated once an evaluation that started after it arrived completed
 * (whether it wrote a verdict, found a newer one already written, or failed closed).
 */
import type { Trigger } from "./evaluate.js";

/** A delivery waiting for its head; JSON, so that it can wait in Redis for another replica. */
export interface PendingEvaluation {
  /** Unique per submission (two submissions may share a delivery id: a redelivery). */
  token: string;
  /** The webhook's X-GitHub-Delivery id. */
  delivery: string;
  /** When it arrived (ms, the receiving replica's clock): for the record only. */
  at: number;
  owner: string;
  repo: string;
  pullNumber: number;
  hintHead?: string;
  trigger: Trigger;
}

/** One evaluation to run, and the deliveries it answers. */
export interface PlannedEvaluation {
  pullNumber: number;
  trigger: Trigger;
  /** The submissions it answers, its own first. */
  covers: PendingEvaluation[];
}

/** Whether the trigger carries something an evaluation under another trigger would not know. */
export function carriesFacts(trigger: Trigger): boolean {
  if (trigger.kind === "button") return true;
  return trigger.kind === "pull_request" && (trigger.pusher !== undefined || trigger.before !== undefined);
}

/** The same fact twice (a redelivery keeps its delivery id, and its payload): one evaluation. */
function sameFacts(a: PendingEvaluation, b: PendingEvaluation): boolean {
  return a.delivery === b.delivery && JSON.stringify(a.trigger) === JSON.stringify(b.trigger);
}

/**
 * The evaluations for a batch taken from a head's queue, oldest first: per pull request (pull
 * requests can share a head), one per fact-carrying delivery in arrival order, the first of them
 * also answering the plain ones; with none, one evaluation under the newest plain trigger.
 */
export function planEvaluations(batch: readonly PendingEvaluation[]): PlannedEvaluation[] {
  const byPull = new Map<number, PendingEvaluation[]>();
  for (const entry of batch) {
    const list = byPull.get(entry.pullNumber) ?? [];
    list.push(entry);
    byPull.set(entry.pullNumber, list);
  }
  const planned: PlannedEvaluation[] = [];
  for (const [pullNumber, entries] of byPull) {
    const steps: PlannedEvaluation[] = [];
    const plain: PendingEvaluation[] = [];
    for (const entry of entries) {
      if (!carriesFacts(entry.trigger)) {
        plain.push(entry);
        continue;
      }
      const same = steps.find((s) => sameFacts(s.covers[0]!, entry));
      if (same) same.covers.push(entry);
      else steps.push({ pullNumber, trigger: entry.trigger, covers: [entry] });
    }
    if (plain.length > 0) {
      if (steps.length > 0) steps[0]!.covers.push(...plain);
      else steps.push({ pullNumber, trigger: plain[plain.length - 1]!.trigger, covers: [plain[plain.length - 1]!, ...plain.slice(0, -1)] });
    }
    planned.push(...steps);
  }
  return planned;
}
