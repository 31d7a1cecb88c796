/**
 * Glob matching whose time stays bounded when both the glob and the path are hostile.
 *
 * picomatch turns a whole glob into one backtracking regular expression. Its `**` and `*` become
 * lazy repetitions, so a glob with several of them can take seconds to minutes on a long path
 * that almost matches: `*a*a*b` on a 4,096-character name took 31 s, and `**\/*a*a/**\/*a*b` on
 * a 1,000-character path 8 s. Pull requests choose their paths, and some globs come from pull
 * requests too (an Argo CD ApplicationSet's directory generator, a proposed policy).
 *
 * A path segment longer than MAX_PATH_SEGMENT (255, the name limit of the file systems git checks
 * out to) matches no glob segment: `pathProblem` names such paths, and the engine reports them for a
 * person to read instead of matching them (a pull request of such names is not judged silently).
 *
 * So a glob is matched segment by segment: picomatch compiles each segment alone (`*` cannot cross
 * a "/" there), and a `**` segment matches any number of path segments, decided by dynamic
 * programming over (glob segment, path segment) pairs, each pair tested once. With at most
 * MAX_STARS_PER_SEGMENT stars in a segment, one segment test is at worst quadratic in the
 * segment's length, and a whole match is bounded by globs × segments × that. Globs that need more
 * (extglobs, many stars in one segment, a very long glob) are refused by `globComplexityProblem`,
 * which the policy loader reports as an invalid policy.
 */
import picomatch from "picomatch";

export const MAX_GLOB_LENGTH = 512;
export const MAX_STARS_PER_SEGMENT = 2;
export const MAX_PATH_SEGMENT = 255;
/** Brace alternatives that contain "/" are expanded into separate globs, up to this many. */
const MAX_EXPANSIONS = 64;

export interface GlobOptions {
  /** Whether `*` and `**` match names that start with "." (picomatch's `dot`). */
  dot?: boolean;
  /** Case-insensitive matching (picomatch's `nocase`). */
  nocase?: boolean;
  /** An unbalanced bracket is an error rather than a literal (picomatch's `strictBrackets`). */
  strictBrackets?: boolean;
}

/** Why a glob cannot be matched in bounded time, or null. */
export function globComplexityProblem(glob: string): string | null {
  if (glob.length > MAX_GLOB_LENGTH) return `the glob is ${glob.length} characters long, over the ${MAX_GLOB_LENGTH}-character limit`;
  if (/[@*+?!]\(/.test(glob)) return `"${glob}": extglobs such as +(…), *(…) and @(…) are not supported; use {a,b} alternatives`;
  const expanded = expandSlashBraces(glob);
  if (expanded === null) return `"${glob}": its {…} alternatives expand to more than ${MAX_EXPANSIONS} globs`;
  for (const alternative of expanded) {
    for (const segment of splitSegments(alternative)) {
      if (segment === "**") continue;
      const stars = withoutClasses(segment).split("*").length - 1;
      if (stars > MAX_STARS_PER_SEGMENT) {
        return `"${glob}": the segment "${segment}" has ${stars} "*"; at most ${MAX_STARS_PER_SEGMENT} per segment can be matched in bounded time (split it, or use "**" between directories)`;
      }
    }
  }
  return null;
}

/** Why a path cannot be matched against globs in bounded time, or null. */
/**
 * The segment without its `[…]` classes (each closed by the first `]` after it; a `[` with no `]`
 * after it is literal), in one pass: `/\[[^\]]*\]/g` rescans the rest from every unclosed `[`.
 */
export function withoutClasses(segment: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const open = segment.indexOf("[", at);
    const close = open < 0 ? -1 : segment.indexOf("]", open + 1);
    if (close < 0) return out + segment.slice(at);
    out += segment.slice(at, open);
    at = close + 1;
  }
}

export function pathProblem(path: string): string | null {
  const longest = path.split("/").reduce((max, segment) => Math.max(max, segment.length), 0);
  if (longest > MAX_PATH_SEGMENT) return `a name in the path is ${longest} characters long, over the ${MAX_PATH_SEGMENT} that file systems allow`;
  return null;
}

/** Thrown when a glob is refused by `globComplexityProblem`: callers decide how to fail closed. */
export class GlobComplexityError extends Error {}

/**
 * One matcher for a list of globs: true when any matches (as picomatch does with a list, a
 * leading "!" negates that glob). An empty list matches nothing. Throws GlobComplexityError.
 */
export function globMatcher(globs: readonly string[], options: GlobOptions = {}): (path: string) => boolean {
  const matchers = globs.map((glob) => compileOne(glob, options));
  if (matchers.length === 0) return () => false;
  if (matchers.length === 1) return matchers[0]!;
  return (path) => matchers.some((match) => match(path));
}

function compileOne(glob: string, options: GlobOptions): (path: string) => boolean {
  const problem = globComplexityProblem(glob);
  if (problem) throw new GlobComplexityError(problem);
  if (glob.startsWith("!") && !glob.startsWith("!(")) {
    const positive = compileOne(glob.slice(1), options);
    return (path) => !positive(path);
  }
  const alternatives = expandSlashBraces(glob)!.map((alternative) => compileSegments(splitSegments(alternative), options));
  return (path) => {
    // As picomatch does, a path may end with one "/" (a directory). Git stores no "." or ".."
    // segment, so picomatch's uneven treatment of "./" prefixes is not reproduced.
    const segments = (path.length > 1 && path.endsWith("/") ? path.slice(0, -1) : path).split("/");
    return alternatives.some((match) => match(segments));
  };
}

type SegmentTest = "**" | ((segment: string) => boolean);

function compileSegments(globSegments: readonly string[], options: GlobOptions): (path: readonly string[]) => boolean {
  const dot = options.dot === true;
  const segmentOptions = { dot, nocase: options.nocase === true, strictBrackets: options.strictBrackets === true };
  const tests: SegmentTest[] = globSegments.map((segment) => (segment === "**" ? "**" : segment === "" ? (s: string) => s === "" : picomatch(segment, segmentOptions)));
  return (path) => {
    // reachable[j]: the glob segments seen so far can consume exactly the first j path segments.
    let reachable = new Uint8Array(path.length + 1);
    reachable[0] = 1;
    for (const test of tests) {
      const next = new Uint8Array(path.length + 1);
      if (test === "**") {
        // Zero or more whole segments.
        for (let j = 0; j <= path.length; j++) {
          if (!reachable[j]) continue;
          next[j] = 1;
          for (let k = j; k < path.length && !next[k + 1]; k++) {
            const segment = path[k]!;
            // Never "." or ".."; without `dot`, no name that starts with "." either.
            if (segment === "." || segment === ".." || (!dot && segment.startsWith("."))) break;
            next[k + 1] = 1;
          }
        }
      } else {
        for (let j = 0; j < path.length; j++) if (reachable[j] && path[j]!.length <= MAX_PATH_SEGMENT && test(path[j]!)) next[j + 1] = 1;
      }
      reachable = next;
    }
    return reachable[path.length] === 1;
  };
}

/** Splits on "/" outside [...] and {...}. */
function splitSegments(glob: string): string[] {
  const segments: string[] = [];
  let depth = 0;
  let bracket = false;
  let start = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "\\") i++;
    else if (bracket) bracket = c !== "]";
    else if (c === "[") bracket = true;
    else if (c === "{") depth++;
    else if (c === "}" && depth > 0) depth--;
    else if (c === "/" && depth === 0) {
      segments.push(glob.slice(start, i));
      start = i + 1;
    }
  }
  segments.push(glob.slice(start));
  return segments;
}

/**
 * Expands the {a,b} groups that contain a "/" (they span segments); groups within one segment stay
 * for picomatch. Null when the expansion would exceed MAX_EXPANSIONS.
 */
function expandSlashBraces(glob: string): string[] | null {
  const group = firstSlashGroup(glob);
  if (!group) return [glob];
  const out: string[] = [];
  for (const option of group.options) {
    const rest = expandSlashBraces(glob.slice(0, group.start) + option + glob.slice(group.end));
    if (rest === null || out.length + rest.length > MAX_EXPANSIONS) return null;
    out.push(...rest);
  }
  return out;
}

/** The first top-level {…} group with a "/" in it: its span and its comma-separated options. */
function firstSlashGroup(glob: string): { start: number; end: number; options: string[] } | null {
  for (let i = 0; i < glob.length; i++) {
    if (glob[i] === "\\") {
      i++;
      continue;
    }
    if (glob[i] !== "{") continue;
    let depth = 0;
    const commas: number[] = [];
    for (let j = i; j < glob.length; j++) {
      const c = glob[j];
      if (c === "\\") j++;
      else if (c === "{") depth++;
      else if (c === "," && depth === 1) commas.push(j);
      else if (c === "}" && --depth === 0) {
        const body = glob.slice(i + 1, j);
        if (body.includes("/") && commas.length > 0) {
          const cuts = [i, ...commas, j];
          return { start: i, end: j + 1, options: cuts.slice(0, -1).map((cut, k) => glob.slice(cut + 1, cuts[k + 1])) };
        }
        break;
      }
    }
  }
  return null;
}
