import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { analyzeChangeSet } from "../../../src/analyze.js";
import type { KustomizeRenderer } from "../../../src/analyzers/kubernetes/render.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
/** The shared corpus beside the repository; absent in a user's clone. */
export const CORPUS = resolve(REPO_ROOT, "../shared/corpus");
export const HAS_CORPUS = existsSync(join(CORPUS, "kubernetes-commits"));

/** Every file below `dir`, by path relative to it (an absent directory is an empty tree). */
export function readTree(dir: string): Tree {
  const out: Tree = {};
  if (!existsSync(dir)) return out;
  const walk = (current: string) => {
    for (const name of readdirSync(current).sort()) {
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(dir, full).split("\\").join("/")] = readFileSync(full, "utf8");
    }
  };
  walk(dir);
  return out;
}

/** A base/head pair of trees through the whole engine, as `changegate scan` runs it. */
export async function scanPair(dir: string, kubernetes: string[] = [], kustomize?: KustomizeRenderer): Promise<Finding[]> {
  const result = await analyzeChangeSet(new MemorySource(readTree(join(dir, "base")), readTree(join(dir, "head"))), { paths: { kubernetes }, ...(kustomize ? { kustomize } : {}) });
  return result.findings;
}

export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.rule} ${f.severity} ${f.side} ${f.object ?? ""}`);
}
