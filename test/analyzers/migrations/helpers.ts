import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createMigrationAnalyzer } from "../../../src/analyzers/migrations/index.js";
import { loadSqlParsers } from "../../../src/analyzers/sql/index.js";
import type { FileChange, PathOptions } from "../../../src/analyzers/types.js";
import type { Finding } from "../../../src/model/finding.js";
import type { ChangeStatus } from "../../../src/source/source.js";

// The SQL analyzer needs its WASM parser before the first call, and the migration analyzer its
// readers (loaded by prepare(), as the engine does before analysing).
await loadSqlParsers();
await createMigrationAnalyzer().prepare!();

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The shared corpus beside the repository; absent in a user's clone. */
export const CORPUS = resolve(REPO_ROOT, "../shared/corpus");
export const HAS_CORPUS = existsSync(CORPUS);

export function fixture(relative: string): string {
  return readFileSync(resolve(REPO_ROOT, "fixtures", relative), "utf8");
}

export interface ChangeInput {
  status?: ChangeStatus;
  base?: string | null;
  previousPath?: string;
  paths?: PathOptions;
}

/** Runs the migration analyzer on one changed file; `head` null means the file was deleted. */
export function analyze(path: string, head: string | null, input: ChangeInput = {}): Finding[] {
  const status = input.status ?? (head === null ? "deleted" : input.base != null ? "modified" : "added");
  const basePath = input.previousPath ?? path;
  const change: FileChange = {
    path,
    status,
    base: input.base != null ? { path: basePath, text: input.base } : null,
    head: head === null ? null : { path, text: head },
  };
  if (input.previousPath !== undefined) change.previousPath = input.previousPath;
  return createMigrationAnalyzer({ paths: input.paths?.sql ?? [] }).analyze(change, { authorKind: "human" });
}

/** The fields a test pins, in a compact comparable form. */
export function brief(findings: readonly Finding[]): { rule: string; line: number; severity: string; rollback: boolean; object?: string }[] {
  return findings
    .map((f) => ({ rule: f.rule, line: f.line, severity: f.severity, rollback: f.rollback ?? false, ...(f.object !== undefined ? { object: f.object } : {}) }))
    .sort((a, b) => a.line - b.line || a.rule.localeCompare(b.rule));
}

/** `rule@line` for each finding, sorted. */
export function hits(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule}@${f.line}${f.rollback ? ":rollback" : ""}`).sort();
}
