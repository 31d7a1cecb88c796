/**
 * Runs a rule's examples the way a scan meets them. A text example of a `sql/*` rule is one new
 * migration for the SQL analyzer; a change example ({ base, head }) runs through the whole engine
 * with every built-in analyzer, so it reaches the analyzer that owns the rule whatever its area.
 */
import { analyzeChangeSet } from "../../src/analyze.js";
import { analyzeSqlText, loadSqlParsers } from "../../src/analyzers/sql/index.js";
import type { Finding } from "../../src/model/finding.js";
import type { ChangeExample, RuleExample } from "../../src/model/rule.js";
import { MemorySource } from "../../src/source/memory.js";

/** Every finding of a change, through the engine as `changegate scan` runs it. */
export async function changeFindings(example: ChangeExample): Promise<Finding[]> {
  const inputs = (example.inputs ?? []).map((input) => ({ kind: input.kind, path: input.path, bytes: new TextEncoder().encode(input.text) }));
  const result = await analyzeChangeSet(new MemorySource({ ...example.base }, { ...example.head }), { inputs });
  return result.findings;
}

/**
 * The rule ids an example produces. Null for a text example of a rule outside `sql/`: such a text
 * is prose (gate rules judge paths and limits, which a text cannot hold).
 */
export async function exampleRules(example: RuleExample, ruleId: string): Promise<string[] | null> {
  if (typeof example !== "string") return (await changeFindings(example)).map((f) => f.rule);
  if (!ruleId.startsWith("sql/")) return null;
  await loadSqlParsers();
  return analyzeSqlText(example, { file: "example.sql", side: "head", dialect: "postgresql" }).map((f) => f.rule);
}
