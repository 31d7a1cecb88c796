/**
 * The app keeps its memory in its own check runs (only the app that created a run can change it):
 * a hidden, machine-readable block at the end of `output.text`. It holds the evaluation sequence
 * (so an older evaluation never overwrites a newer one), the findings digest per head SHA, the
 * button sign-offs, and what was already written for this head (annotations, review requests).
 */
import type { SignOffEvent } from "../policy/types.js";
import { compareText } from "../util/compare.js";

export const STATE_VERSION = 1;
const OPEN = "<!-- changegate:state ";
const CLOSE = " -->";
/** Digests kept per run: enough for any realistic PR history, small enough for the text cap. */
const MAX_DIGESTS = 100;
const MAX_SIGNOFFS = 100;
const MAX_PUSHERS = 100;
const MAX_PRESSES = 200;

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
  /** The base branch this evaluation was made against (the policy and the diff depend on it). */
  base?: string;
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
  /** This pull request's own conclusion at `head`, before other pull requests with the same head are taken into account. */
  conclusion?: string;
  /**
   * Other verdicts on this same commit, each pull request's own conclusion: `"3"` another open pull
   * request with this head, `"2@main"` this pull request evaluated against another base branch. A
   * check run belongs to a commit, not to a pull request or a base, so the run shows the strictest.
   */
  others?: Record<string, string>;
  /**
   * Who pushed to this pull request (the `synchronize` sender), carried forward. A pusher may have
   * written commits under another name or an unlinked e-mail, so a pusher never signs off.
   */
  pushers?: string[];
  /**
   * When the app first saw each head of this pull request (ms), carried forward; 0 when it cannot
   * know (the first look at a pull request). GitHub re-points an older approval's `commit_id` at the
   * new head on a force-push, so an approval is bound to the head the app saw when it was given.
   */
  seen?: Record<string, number>;
  /**
   * Delivery ids of the button presses already judged, carried forward. GitHub redelivers a webhook
   * with the same id, and a redelivered press must not count again (after a withdrawal, say).
   */
  presses?: string[];
}

export function encodeState(state: GateState): string {
  const trimmed: GateState = {
    ...state,
    digests: Object.fromEntries(Object.entries(state.digests).slice(-MAX_DIGESTS)),
    signoffs: state.signoffs.slice(-MAX_SIGNOFFS),
    ...(state.pushers ? { pushers: state.pushers.slice(-MAX_PUSHERS) } : {}),
    ...(state.seen ? { seen: Object.fromEntries(Object.entries(state.seen).slice(-MAX_DIGESTS)) } : {}),
    ...(state.presses ? { presses: state.presses.slice(-MAX_PRESSES) } : {}),
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
    (v.base === undefined || typeof v.base === "string") &&
    typeof v.digest === "string" &&
    typeof v.digests === "object" &&
    v.digests !== null &&
    Array.isArray(v.signoffs) &&
    v.signoffs.every(
      (s) =>
        typeof s === "object" &&
        s !== null &&
        typeof s.user === "string" &&
        typeof s.userType === "string" &&
        typeof s.headSha === "string" &&
        typeof s.at === "string" &&
        (s.digest === undefined || typeof s.digest === "string"),
    ) &&
    (v.seen === undefined || (typeof v.seen === "object" && v.seen !== null && Object.values(v.seen).every((t) => typeof t === "number"))) &&
    (v.pushers === undefined || (Array.isArray(v.pushers) && v.pushers.every((p) => typeof p === "string"))) &&
    (v.presses === undefined || (Array.isArray(v.presses) && v.presses.every((p) => typeof p === "string"))) &&
    (v.others === undefined || (typeof v.others === "object" && v.others !== null && Object.values(v.others).every((c) => typeof c === "string")))
  );
}

/** Merges what several earlier runs remember: digests by SHA, button sign-offs once per (user, SHA, time). */
export interface Memory {
  digests: Record<string, string>;
  signoffs: ButtonSignOff[];
  pushers: string[];
  seen: Record<string, number>;
  presses: string[];
}

export function mergeStates(states: readonly GateState[]): Memory {
  const ordered = [...states].sort((a, b) => a.seq - b.seq);
  const digests: Record<string, string> = {};
  const seen = new Map<string, ButtonSignOff>();
  const pushers = new Map<string, string>();
  const sightings: Record<string, number> = {};
  const presses = new Set<string>();
  for (const state of ordered) {
    // The earliest sighting of each head wins.
    for (const [sha, at] of Object.entries(state.seen ?? {})) if (sha !== "__proto__" && typeof at === "number" && at < (sightings[sha] ?? Infinity)) sightings[sha] = at;
    for (const login of state.pushers ?? []) pushers.set(login.toLowerCase(), login);
    for (const id of state.presses ?? []) presses.add(id);
    // Only string digests, never under `__proto__`: nothing in a block can reach an object's prototype.
    for (const [sha, digest] of Object.entries(state.digests)) if (sha !== "__proto__" && typeof digest === "string") digests[sha] = digest;
    if (state.digest && state.head !== "__proto__") digests[state.head] = state.digest;
    for (const s of state.signoffs) seen.set(`${s.user.toLowerCase()}\0${s.headSha}\0${s.at}`, s);
  }
  const signoffs = [...seen.values()].sort((a, b) => compareText(a.at, b.at));
  return { digests, signoffs, pushers: [...pushers.values()], seen: sightings, presses: [...presses] };
}

export function buttonEvent(s: ButtonSignOff): SignOffEvent {
  const event: SignOffEvent = { user: s.user, userType: s.userType, via: "button", state: "approved", headSha: s.headSha, at: s.at };
  if (s.digest) event.digest = s.digest;
  return event;
}
