/**
 * The app keeps its memory in its own check runs (only the app that created a run can change it):
 * a hidden, machine-readable block at the end of `output.text`. It holds the evaluation sequence
 * (so an older evaluation never overwrites a newer one), the findings digest per head SHA, the
 * button sign-offs, and what was already written for this head (annotations, review requests).
 */
import type { SignOffEvent } from "../policy/types.js";

export const STATE_VERSION = 1;
const OPEN = "<!-- changegate:state ";
const CLOSE = " -->";
/** Digests kept per run: enough for any realistic PR history, small enough for the text cap. */
const MAX_DIGESTS = 100;
const MAX_SIGNOFFS = 100;

export interface ButtonSignOff {
  user: string;
  userType: string;
  headSha: string;
  digest?: string;
  at: string;
}

export interface GateState {
  v: number;
  /** Evaluation sequence: the time the evaluation started, in ms. Larger is newer. */
  seq: number;
  pr: number;
  head: string;
  /** Digest of the gating findings at `head`; empty when the evaluation could not decide. */
  digest: string;
  /** Digest per head SHA, carried forward from earlier runs of the same pull request. */
  digests: Record<string, string>;
  /** Button sign-offs, carried forward. Reviews are read from GitHub each time. */
  signoffs: ButtonSignOff[];
  /** Hash of the annotations already appended to this run (annotations append, so never send twice). */
  annotated?: string;
  /** Set once reviewers were requested for this head. */
  requested?: boolean;
}

export function encodeState(state: GateState): string {
  const trimmed: GateState = {
    ...state,
    digests: Object.fromEntries(Object.entries(state.digests).slice(-MAX_DIGESTS)),
    signoffs: state.signoffs.slice(-MAX_SIGNOFFS),
  };
  return `${OPEN}${Buffer.from(JSON.stringify(trimmed), "utf8").toString("base64")}${CLOSE}`;
}

/** Reads the block from a run's `output.text`; anything malformed is ignored (never trusted). */
export function decodeState(text: string | null | undefined): GateState | undefined {
  if (!text) return undefined;
  const start = text.lastIndexOf(OPEN);
  if (start < 0) return undefined;
  const end = text.indexOf(CLOSE, start + OPEN.length);
  if (end < 0) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(text.slice(start + OPEN.length, end), "base64").toString("utf8"));
    return isState(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isState(value: unknown): value is GateState {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Partial<GateState>;
  return (
    v.v === STATE_VERSION &&
    typeof v.seq === "number" &&
    typeof v.pr === "number" &&
    typeof v.head === "string" &&
    typeof v.digest === "string" &&
    typeof v.digests === "object" &&
    v.digests !== null &&
    Array.isArray(v.signoffs) &&
    v.signoffs.every(
      (s) => typeof s === "object" && s !== null && typeof s.user === "string" && typeof s.headSha === "string" && typeof s.at === "string",
    )
  );
}

/** Merges what several earlier runs remember: digests by SHA, button sign-offs once per (user, SHA, time). */
export function mergeStates(states: readonly GateState[]): { digests: Record<string, string>; signoffs: ButtonSignOff[] } {
  const ordered = [...states].sort((a, b) => a.seq - b.seq);
  const digests: Record<string, string> = {};
  const seen = new Map<string, ButtonSignOff>();
  for (const state of ordered) {
    Object.assign(digests, state.digests);
    if (state.digest) digests[state.head] = state.digest;
    for (const s of state.signoffs) seen.set(`${s.user.toLowerCase()}\0${s.headSha}\0${s.at}`, s);
  }
  const signoffs = [...seen.values()].sort((a, b) => a.at.localeCompare(b.at));
  return { digests, signoffs };
}

export function buttonEvent(s: ButtonSignOff): SignOffEvent {
  const event: SignOffEvent = { user: s.user, userType: s.userType, via: "button", state: "approved", headSha: s.headSha, at: s.at };
  if (s.digest) event.digest = s.digest;
  return event;
}
