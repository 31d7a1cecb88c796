/** Path and branch globs: anchored picomatch globs over repository-relative paths (dotfiles included). */
import picomatch from "picomatch";
import { globComplexityProblem, globMatcher as boundedGlobMatcher } from "../util/glob.js";

const OPTIONS = { dot: true, strictBrackets: true } as const;

/** Why a path glob is wrong, or null. Globs are anchored at the repository root. */
export function globProblem(glob: string, what: "path" | "branch" = "path"): string | null {
  if (glob.trim() === "") return "a glob cannot be empty";
  if (what === "path" && glob.startsWith("/")) return `"${glob}": paths are relative to the repository root; remove the leading "/"`;
  if (what === "path" && glob.startsWith("./")) return `"${glob}": paths are relative to the repository root; remove the leading "./"`;
  if (glob.includes("\\")) return `"${glob}": use "/" as the separator; backslashes are not allowed`;
  let source: string;
  try {
    source = picomatch.makeRe(glob, OPTIONS).source;
  } catch (error) {
    return `invalid glob "${glob}": ${(error as Error).message}`;
  }
  if (source === "$^") return `the glob "${glob}" can never match (check its ranges)`;
  return globComplexityProblem(glob);
}

/** One matcher for a list of globs; an empty list matches nothing. */
export function globMatcher(globs: readonly string[]): (value: string) => boolean {
  return boundedGlobMatcher(globs, OPTIONS);
}
