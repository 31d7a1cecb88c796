import type { RuleMeta } from "../src/model/rule.js";
import * as gate from "./gate/index.js";
import * as k8s from "./k8s/index.js";
import * as sql from "./sql/index.js";
import * as tf from "./tf/index.js";
import { editDistance } from "../src/util/edit-distance.js";
import { compareText } from "../src/util/compare.js";

const byArea = (records: Record<string, RuleMeta>): readonly RuleMeta[] => Object.values(records).sort((a, b) => compareText(a.id, b.id));

export const sqlRules = byArea(sql);
export const tfRules = byArea(tf);
export const k8sRules = byArea(k8s);
export const gateRules = byArea(gate);

/** The whole catalogue, sorted by id. Ids are a public contract: test/rules/catalogue.test.ts pins them. */
export const ALL_RULES: readonly RuleMeta[] = [...sqlRules, ...tfRules, ...gateRules, ...k8sRules].sort((a, b) => compareText(a.id, b.id));
const byId = new Map<string, RuleMeta>();
for (const rule of ALL_RULES) {
  if (byId.has(rule.id)) throw new Error(`duplicate rule id ${rule.id}`);
  byId.set(rule.id, rule);
}
for (const rule of ALL_RULES) {
  for (const alias of rule.aliases ?? []) {
    if (byId.has(alias)) throw new Error(`alias ${alias} of ${rule.id} collides with another rule`);
    byId.set(alias, rule);
  }
}

/** Resolves an id or an alias. */
export function findRule(id: string): RuleMeta | undefined {
  return byId.get(id);
}

/** Resolves an id or alias, or throws with the close matches: ids come from people and config files. */
export function getRule(id: string): RuleMeta {
  const rule = byId.get(id);
  if (!rule) {
    const close = closeRuleIds(id);
    const hint = close.length > 0 ? ` Did you mean ${close.join(", ")}?` : "";
    throw new Error(`Unknown rule id "${id}".${hint}`);
  }
  return rule;
}

/** Known ids close to `id`: same name in another area, a shared prefix, or a small edit distance. */
export function closeRuleIds(id: string, limit = 5): string[] {
  const wanted = id.toLowerCase();
  const wantedName = wanted.split("/").pop() ?? wanted;
  const scored: { id: string; score: number }[] = [];
  for (const known of byId.keys()) {
    const name = known.split("/").pop() ?? known;
    let score = editDistance(wanted, known);
    if (name === wantedName) score = Math.min(score, 1);
    if (known.includes(wantedName) || (wantedName.length >= 3 && name.startsWith(wantedName))) score = Math.min(score, 2);
    if (score <= Math.max(2, Math.floor(wanted.length / 3))) scored.push({ id: known, score });
  }
  return scored
    .sort((a, b) => a.score - b.score || compareText(a.id, b.id))
    .slice(0, limit)
    .map((s) => s.id);
}

