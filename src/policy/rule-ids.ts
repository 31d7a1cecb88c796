/**
 * Which finding ids a policy may name. The DESIGN §2 catalogue is a public contract, so its ids
 * are always accepted, even while a rule is still being implemented; ids registered in `rules/`
 * (and their aliases) are accepted too. Anything else is a typo: `load.ts` reports it with the
 * close matches, so a misspelt id never silently matches nothing.
 */
import picomatch from "picomatch";
import { globComplexityProblem, globMatcher } from "../util/glob.js";
import { ALL_RULES, closeRuleIds, findRule } from "../../rules/index.js";

/** The DESIGN §2 minimum catalogue. */
export const CATALOGUE_RULE_IDS: readonly string[] = [
  "sql/drop-database", "sql/drop-schema", "sql/drop-table", "sql/truncate", "sql/delete-all-rows",
  "sql/update-all-rows", "sql/drop-column", "sql/column-type-change", "sql/rename", "sql/drop-object",
  "sql/drop-index", "sql/drop-constraint", "sql/blocking-index", "sql/not-null", "sql/validating-constraint",
  "sql/table-rewrite", "sql/disable-rls", "sql/privilege-grant", "sql/drop-role", "sql/disable-triggers",
  "sql/replication", "sql/opaque-code", "sql/edited-migration", "sql/unparsed",
  "tf/destroy", "tf/replace", "tf/protection-removed", "tf/module-removed", "tf/count-shrink",
  "tf/backend-change", "tf/plan-incomplete", "tf/unparsed",
  "k8s/delete-namespace", "k8s/delete-storage", "k8s/delete-crd", "k8s/cascade-delete", "k8s/delete-workload",
  "k8s/delete-config", "k8s/scale-to-zero", "k8s/immutable-change", "k8s/prune-enabled",
  "k8s/privilege-escalation", "k8s/unparsed",
  "gate/config-change", "gate/incomplete-analysis",
];

/** Every id a policy may name: the catalogue, the registered rules and their aliases. */
let cached: string[] | undefined;

export function knownRuleIds(): string[] {
  if (cached) return cached;
  const ids = new Set(CATALOGUE_RULE_IDS);
  for (const rule of ALL_RULES) {
    ids.add(rule.id);
    for (const alias of rule.aliases ?? []) ids.add(alias);
  }
  cached = [...ids].sort();
  return cached;
}

/** The canonical id for an id or alias (aliases resolve to the rule they name). */
export function canonicalRuleId(id: string): string {
  return findRule(id)?.id ?? id;
}

export function isIdGlob(pattern: string): boolean {
  return /[*?[\]{}()!+@]/.test(pattern);
}

/** Why an id or id glob in a policy is wrong, or null. */
export function ruleIdProblem(pattern: string): string | null {
  const known = knownRuleIds();
  if (!isIdGlob(pattern)) {
    if (known.includes(pattern)) return null;
    const close = [...new Set([...closeRuleIds(pattern), ...closeCatalogueIds(pattern)])].slice(0, 5);
    return `unknown finding id "${pattern}"${close.length > 0 ? `; did you mean ${close.join(", ")}?` : ""}`;
  }
  const complexity = globComplexityProblem(pattern);
  if (complexity) return `invalid finding id glob: ${complexity}`;
  let matcher: (id: string) => boolean;
  try {
    matcher = picomatch(pattern, { strictBrackets: true });
  } catch (error) {
    return `invalid finding id glob "${pattern}": ${(error as Error).message}`;
  }
  if (!known.some((id) => matcher(id))) {
    const hint = pattern === "*" ? '; "*" stops at "/": use "**" for every finding or "sql/*" for an area' : "";
    return `the glob "${pattern}" matches no known finding id${hint}`;
  }
  return null;
}

/** A matcher over finding ids for a list of ids and id globs; aliases match their rule. */
export function ruleIdMatcher(patterns: readonly string[]): (id: string) => boolean {
  const exact = new Set(patterns.filter((p) => !isIdGlob(p)).map(canonicalRuleId));
  const globs = patterns.filter(isIdGlob);
  const glob = globMatcher(globs, { strictBrackets: true });
  return (id) => exact.has(canonicalRuleId(id)) || glob(id);
}

function closeCatalogueIds(id: string): string[] {
  const name = id.split("/").pop() ?? id;
  return CATALOGUE_RULE_IDS.filter((known) => {
    const knownName = known.split("/").pop() ?? known;
    return knownName === name || known.includes(name) || (name.length >= 4 && knownName.startsWith(name.slice(0, 4)));
  });
}
