/**
 * A check run belongs to a commit, not to a pull request or a base branch: other open pull
 * requests with the same head, and this pull request evaluated against another base at this same
 * head, share the run, and the run shows the strictest of their verdicts. Pure; which pull
 * requests are still open at this head is looked up by the caller.
 */
import type { Conclusion } from "../policy/types.js";
import { fit, OUTPUT_LIMIT, type CheckRunPlan } from "../report/check-run.js";
import type { GateState } from "./state.js";

/** Passing conclusions rank lowest; anything unknown ranks as a failure. */
const STRICTNESS: Readonly<Record<string, number>> = { success: 0, skipped: 1, neutral: 1, action_required: 2, failure: 3 };

export function strictness(conclusion: string): number {
  return STRICTNESS[conclusion] ?? 3;
}

/** `"3"` another pull request, `"2@main"` this pull request against another base branch. */
export function parseOther(key: string): { number: number; base?: string } | undefined {
  const m = /^(\d{1,9})(?:@(.+))?$/.exec(key);
  if (!m) return undefined;
  return m[2] !== undefined ? { number: Number(m[1]), base: m[2] } : { number: Number(m[1]) };
}

function describeOther(key: string): string {
  const other = parseOther(key);
  if (!other) return key;
  return other.base !== undefined ? `#${other.number} against \`${other.base}\`` : `#${other.number} (same head commit)`;
}

/** The verdicts the head's run remembers besides this pull request against this base. */
export function rememberedOthers(pullNumber: number, base: string | undefined, existing: { state?: GateState; conclusion: string | null } | undefined): Record<string, string> {
  const remembered: Record<string, string> = {};
  for (const [key, conclusion] of Object.entries(existing?.state?.others ?? {})) if (parseOther(key)) remembered[key] = conclusion;
  const state = existing?.state;
  const theirs = state ? (state.conclusion ?? existing?.conclusion ?? "failure") : undefined;
  if (state && theirs !== undefined) {
    if (state.pr !== pullNumber) remembered[String(state.pr)] = theirs;
    else if (state.base !== undefined && base !== undefined && state.base !== base) remembered[`${state.pr}@${state.base}`] = theirs;
  }
  delete remembered[String(pullNumber)];
  if (base !== undefined) delete remembered[`${pullNumber}@${base}`];
  return remembered;
}

/** Other pull requests' numbers among the remembered verdicts (to check live whether they still share the head). */
export function otherPullNumbers(pullNumber: number, remembered: Readonly<Record<string, string>>): number[] {
  return [...new Set(Object.keys(remembered).map((key) => parseOther(key)!.number))].filter((n) => n !== pullNumber);
}

/** Keeps this pull request's other bases and the other pull requests still open at this head (`live`). */
export function keepLive(pullNumber: number, remembered: Readonly<Record<string, string>>, live: ReadonlyMap<number, boolean>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, conclusion] of Object.entries(remembered)) {
    const other = parseOther(key)!;
    if (other.number === pullNumber || live.get(other.number) !== false) kept[key] = conclusion;
  }
  return kept;
}

/** The plan, made as strict as the strictest other verdict that shares this commit. */
export function holdForOthers(plan: CheckRunPlan, others: Readonly<Record<string, string>>): CheckRunPlan {
  // Only verdicts that hold a merge matter: a neutral next to a success passes either way.
  const stricter = Object.entries(others).filter(([, c]) => strictness(c) >= 2 && strictness(c) > strictness(plan.conclusion));
  if (stricter.length === 0) return plan;
  const worst = Math.max(...stricter.map(([, c]) => strictness(c)));
  const conclusion: Conclusion = worst >= 3 ? "failure" : "action_required";
  const names = stricter.map(([key]) => describeOther(key));
  const note =
    `> [!IMPORTANT]\n> This commit is held by ${names.join(", ")}: ${stricter.map(([key, c]) => `${describeOther(key)} is ${c}`).join(", ")}. ` +
    `A check run belongs to a commit, not to a pull request or a base branch, so it shows the strictest verdict. ` +
    `Sign off there, close the other pull request, or push a new commit.`;
  return {
    ...plan,
    conclusion,
    title: `Held by ${names.join(", ")} — ${plan.title}`.slice(0, 250),
    summary: fit([note, "", ...plan.summary.split("\n")], OUTPUT_LIMIT),
    actions: plan.actions.filter((a) => conclusion === "action_required" || a.identifier !== "signoff"),
  };
}
