/**
 * Parse rate over the real manifest sets of the shared corpus (`kubernetes-sets/`): every YAML or
 * JSON file parses, or is skipped for a stated reason (a Helm template, YAML that is not
 * Kubernetes). The rate is printed. Skipped when the corpus is not beside the repository.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseManifestText } from "../../../src/analyzers/kubernetes/load.js";
import { isManifestFileName } from "../../../src/analyzers/kubernetes/paths.js";
import { CORPUS, readTree } from "./helpers.js";

const SETS = join(CORPUS, "kubernetes-sets");

type Outcome = "manifest" | "not kubernetes (no apiVersion and kind)" | "helm template (not rendered)" | "failed";

function classify(path: string, text: string): { outcome: Outcome; objects: number; error?: string } {
  const parsed = parseManifestText(path, text);
  const template = text.includes("{{");
  if (parsed.error) return template ? { outcome: "helm template (not rendered)", objects: 0 } : { outcome: "failed", objects: 0, error: `${parsed.error.line}: ${parsed.error.message}` };
  if (parsed.objects.length > 0) return { outcome: "manifest", objects: parsed.objects.length };
  return { outcome: template ? "helm template (not rendered)" : "not kubernetes (no apiVersion and kind)", objects: 0 };
}

describe.skipIf(!existsSync(SETS))("kubernetes-sets parse rate", () => {
  it("parses every file or skips it for a stated reason", () => {
    const tree = readTree(SETS);
    const counts = new Map<Outcome, number>();
    const failures: string[] = [];
    let objects = 0;
    let files = 0;
    for (const [path, text] of Object.entries(tree)) {
      if (!isManifestFileName(path)) continue;
      files++;
      const result = classify(path, String(text));
      counts.set(result.outcome, (counts.get(result.outcome) ?? 0) + 1);
      objects += result.objects;
      if (result.outcome === "failed") failures.push(`${path}:${result.error}`);
    }
    const parsed = files - (counts.get("failed") ?? 0);
    console.log(
      `kubernetes-sets: ${files} YAML/JSON files, ${parsed} parsed (${((parsed / files) * 100).toFixed(1)} %), ${objects} objects; ` +
        [...counts].map(([outcome, n]) => `${n} ${outcome}`).join(", "),
    );
    expect(files).toBeGreaterThan(100);
    expect(failures).toEqual([]);
    expect(counts.get("manifest") ?? 0).toBeGreaterThan(files / 2);
  });
});
