import { findRule } from "../../rules/index.js";
import type { AnalysisResult } from "../analyze.js";
import type { Finding, Side } from "../model/finding.js";
import type { RuleMeta } from "../model/rule.js";
import type { Decision } from "../policy/types.js";

/** Where the policy came from, as the reports say it. */
export interface PolicyOrigin {
  source: "file" | "default" | "invalid";
  /** The path it was read from (or would have been). */
  path: string;
  /** Where `path` was read: `base` revision or `disk` (`--config`). */
  from?: "base" | "disk";
  /** For a policy file: `defaults` as it says (false: no built-in rules beneath its own). */
  defaults?: boolean;
  /** Validation errors, for an invalid policy. */
  errors?: { message: string; line?: number; column?: number }[];
}

/**
 * Everything a report renders. Reports are pure: the caller reads what they quote
 * (`lines`) beforehand, so the same renderers serve the CLI and the App.
 */
export interface ReportInput {
  base: string;
  head: string;
  /** How the revisions were chosen ("merge-base of HEAD and main"), when it helps a reader. */
  baseLabel?: string;
  headLabel?: string;
  findings: readonly Finding[];
  decision: Decision;
  policy?: PolicyOrigin;
  /** Claimed files, unclaimed count and read errors from the analysis. */
  files?: AnalysisResult["files"];
  unclaimed?: number;
  errors?: AnalysisResult["errors"];
  /** The text of files with findings, split into lines, keyed by `lineKey(side, path)`. */
  lines?: ReadonlyMap<string, readonly string[]>;
}

export function lineKey(side: Side, path: string): string {
  return `${side}:${path}`;
}

/** Rule metadata for a finding's rule id; unknown ids get a placeholder so a report never throws. */
export function ruleFor(id: string): RuleMeta {
  return (
    findRule(id) ?? {
      id,
      title: id,
      severity: "high",
      category: "gate",
      why: "",
      safeAlternative: "",
      docs: "docs/rules.md",
      examples: { fires: [], passes: [] },
    }
  );
}

/** The findings grouped by file, in the order they first appear (findings arrive sorted). */
export function groupByFile(findings: readonly Finding[]): [string, Finding[]][] {
  const groups = new Map<string, Finding[]>();
  for (const f of findings) {
    const list = groups.get(f.file);
    if (list) list.push(f);
    else groups.set(f.file, [f]);
  }
  return [...groups];
}

/** Identity of a finding, to tell which ones a decision gates. */
export function findingKey(f: Finding): string {
  return `${f.rule}\0${f.file}\0${f.side}\0${f.line}\0${f.object ?? ""}\0${f.message}`;
}

/** The keys of findings that a pending or blocking rule of the decision matched. */
export function gatingKeys(decision: Decision): Set<string> {
  const keys = new Set<string>();
  for (const rule of decision.rules) {
    if (rule.status === "satisfied") continue;
    for (const f of rule.findings) keys.add(findingKey(f));
  }
  return keys;
}

/** The lines a finding covers (at most `max`), from the file text the caller supplied. */
export function quotedLines(input: ReportInput, f: Finding, max = 6): { line: number; text: string }[] {
  const lines = input.lines?.get(lineKey(f.side, f.file));
  if (!lines) return [];
  const end = Math.max(f.line, f.endLine ?? f.line);
  const out: { line: number; text: string }[] = [];
  for (let n = f.line; n <= end && n <= lines.length && out.length < max; n++) {
    out.push({ line: n, text: lines[n - 1]! });
  }
  return out;
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count} ${count === 1 ? one : many}`;
}

export function shortSha(rev: string): string {
  return /^[0-9a-f]{40}$/i.test(rev) ? rev.slice(0, 12) : rev;
}

/** "2 sign-offs from acme/dba or alice", "1 sign-off from an eligible person". */
export function describeRequirement(required: number, from: { teams: readonly string[]; users: readonly string[] }): string {
  const who = [...from.teams.map((t) => `@${t}`), ...from.users.map((u) => `@${u}`)];
  const whom = who.length === 0 ? "an eligible person (not the author)" : who.join(" or ");
  return `${plural(required, "sign-off")} from ${whom}`;
}
