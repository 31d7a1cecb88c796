import { globMatcher } from "./glob.js";

/**
 * A matcher for a list of globs that first checks, with plain substring tests, the
 * literal parts each glob requires of a path (`**\/db/migrate/**\/*.rb` needs "db", "migrate" and
 * ".rb"; `*.{yml,yaml}` needs ".yml" or ".yaml"), and compiles and runs a glob's regular
 * matcher (glob.ts, bounded whatever the path) only where they are all there. The literals rule
 * out most paths for a fraction of a match's cost. The result is the same as
 * `picomatch(globs, options)`: a literal is a necessary condition, never a sufficient one, and a
 * glob whose literals cannot be read safely has none.
 */
export function literalGuardedMatcher(globs: readonly string[], options: { dot?: boolean; nocase?: boolean } = {}): (path: string) => boolean {
  const nocase = options.nocase === true;
  const guarded = globs.map((glob) => {
    const { anywhere, ending } = requiredLiterals(glob);
    const fold = (anyOf: string[]) => (nocase ? anyOf.map((literal) => literal.toLowerCase()) : anyOf);
    // Matched in bounded time (glob.ts): the literals are in the path, so the path may be hostile.
    let matcher: ((path: string) => boolean) | undefined;
    return {
      ending: ending && fold(ending),
      anywhere: anywhere.map(fold),
      matches: (path: string) => path === glob || (matcher ??= globMatcher([glob], options))(path),
    };
  });
  return (path) => {
    // ASCII letters are the only ones case-insensitive matching folds to ASCII, and lowercasing
    // keeps a run of ASCII characters together, so a literal absent here cannot match there.
    const subject = nocase ? path.toLowerCase() : path;
    next: for (const { ending, anywhere, matches } of guarded) {
      if (ending && !ending.some((literal) => subject.endsWith(literal) || subject.endsWith(`${literal}/`))) continue;
      for (const anyOf of anywhere) if (!anyOf.some((literal) => subject.includes(literal))) continue next;
      if (matches(path)) return true;
    }
    return false;
  };
}

/**
 * What every path matching `glob` contains, one path segment at a time: for each run of plain
 * characters, the strings one of which the path holds (a run with a `{a,b}` list: one string per
 * alternative). Wildcards and character classes break a run. A segment with extglob, negation or
 * escape syntax gives nothing, and a glob with a group that spans a `/` or nests gives nothing at
 * all: no literal is promised there.
 */
export function requiredLiterals(glob: string): { anywhere: string[][]; ending?: string[] } {
  const nothing = { anywhere: [] };
  if (glob.startsWith("!")) return nothing;
  const segments = glob.split("/");
  if (segments.some((segment) => !balanced(segment))) return nothing;
  const required: string[][] = [];
  let ending: string[] | undefined;
  for (const [index, segment] of segments.entries()) {
    if (/[\\()!+@|]/.test(segment)) continue;
    // balanced(): no `[` or `{` opens before the last one closed, so each scan below ends at the
    // next `]` or `}` and none is rescanned.
    // eslint-disable-next-line regexp/no-super-linear-move
    const runs = segment.split(/\[[^\]]*\]|[*?]/);
    for (const [at, run] of runs.entries()) {
      // eslint-disable-next-line regexp/no-super-linear-move
      const groups = run.match(/\{[^}]*\}/g) ?? [];
      if (groups.length > 1) continue;
      const alternatives =
        groups.length === 0
          ? [run]
          : groups[0]!
              .slice(1, -1)
              .split(",")
              .map((alternative) => run.replace(groups[0]!, () => alternative));
      // Too short to rule anything out (and an empty alternative promises nothing).
      if (!alternatives.every((alternative) => alternative.length >= 2)) continue;
      // The glob's last characters, plain: a matching path ends with one of them (or with one and
      // a slash, which picomatch lets through after some globs).
      if (index === segments.length - 1 && at === runs.length - 1) ending = alternatives;
      else required.push(alternatives);
    }
  }
  return ending ? { anywhere: required, ending } : { anywhere: required };
}

/** Every `[` and `{` of the segment closed in it, none nested. */
function balanced(segment: string): boolean {
  let open: string | null = null;
  for (const char of segment) {
    if (char === "[" || char === "{") {
      if (open !== null) return false;
      open = char === "[" ? "]" : "}";
    } else if (char === "]" || char === "}") {
      if (char !== open) return false;
      open = null;
    }
  }
  return open === null;
}
