/** Runs Terraform trees and plans through the whole engine, as a scan would (MemorySource, every analyzer). */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeChangeSet, type AnalysisOptions } from "../../../src/analyze.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource } from "../../../src/source/memory.js";

export interface PlanInput {
  path: string;
  text: string | Uint8Array;
}

export async function scanTrees(
  base: Record<string, string>,
  head: Record<string, string>,
  options: { plans?: PlanInput[]; renames?: Record<string, string> } & Pick<AnalysisOptions, "paths"> = {},
): Promise<Finding[]> {
  const inputs = (options.plans ?? []).map((p) => ({
    kind: "terraform-plan",
    path: p.path,
    bytes: typeof p.text === "string" ? new TextEncoder().encode(p.text) : p.text,
  }));
  const source = new MemorySource(base, head, options.renames ? { renames: options.renames } : {});
  const result = await analyzeChangeSet(source, { inputs, ...(options.paths ? { paths: options.paths } : {}) });
  return result.findings;
}

export async function scanPlan(text: string | Uint8Array, path = "plan.json"): Promise<Finding[]> {
  return scanTrees({}, {}, { plans: [{ path, text }] });
}

/** The shared corpus, `<repo>/../shared/corpus`, or null when it is not there (tests skip). */
export const CORPUS: string | null = (() => {
  const dir = join(fileURLToPath(new URL("../../..", import.meta.url)), "..", "shared", "corpus");
  return existsSync(dir) ? dir : null;
})();

/** Every file under a directory, as repository-relative path → text. */
export function readTree(dir: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (at: string) => {
    for (const entry of readdirSync(at)) {
      const path = join(at, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out[prefix + relative(dir, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return out;
}

export function brief(f: Finding): string {
  return `${f.rule} ${f.severity} ${f.file}:${f.line} ${f.object ?? ""}`;
}
