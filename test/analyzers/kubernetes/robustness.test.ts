/**
 * Hostile and random input: every failure is a `k8s/unparsed` finding (or, over the engine's size
 * limit, `gate/incomplete-analysis`), never an exception, a hang or a silent pass. Timings are in
 * bench/, not here.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { analyzeManifests } from "../../../src/analyzers/kubernetes/manifests.js";
import { parseManifestText } from "../../../src/analyzers/kubernetes/load.js";
import type { FileChange } from "../../../src/analyzers/types.js";
import { MemorySource } from "../../../src/source/memory.js";
import { API, CONFIG, DATABASE, RBAC } from "../../rules/k8s/app.js";

const added = (path: string, text: string): FileChange => ({ path, status: "added", base: null, head: { path, text } });
const modified = (path: string, base: string, head: string): FileChange => ({ path, status: "modified", base: { path, text: base }, head: { path, text: head } });
const judge = (...changes: FileChange[]) => analyzeManifests({ changes, unchanged: [], scopes: [], inputs: [] });

function bomb(levels: number): string {
  let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  for (let i = 1; i < levels; i++) text += `  l${i}: &l${i} [${Array(9).fill(`*l${i - 1}`).join(", ")}]\n`;
  return text;
}

describe("hostile manifests", () => {
  it("an alias bomb is refused, not expanded", () => {
    const findings = judge(added("k8s/bomb.yaml", bomb(10)));
    expect(findings.map((f) => f.rule)).toEqual(["k8s/unparsed"]);
    expect(findings[0]!.message).toMatch(/alias bomb/);
  });

  it("100 MB is refused before parsing", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  blob: ${"x".repeat(100 * 1024 * 1024)}\n`;
    const findings = judge(added("k8s/big.yaml", text));
    expect(findings.map((f) => f.rule)).toEqual(["k8s/unparsed"]);
    expect(findings[0]!.message).toMatch(/MiB manifest limit/);
  });

  it("100 MB through the engine is over its read limit: gate/incomplete-analysis", async () => {
    const bytes = new Uint8Array(100 * 1024 * 1024).fill(0x61);
    const result = await analyzeChangeSet(new MemorySource({}, { "k8s/big.yaml": bytes }));
    expect(result.findings.map((f) => f.rule)).toEqual(["gate/incomplete-analysis"]);
  });

  it("flow nesting 10,000 deep is refused", () => {
    const text = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n  x: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`;
    const findings = judge(added("k8s/deep.yaml", text));
    expect(findings.map((f) => f.rule)).toEqual(["k8s/unparsed"]);
    expect(findings[0]!.message).toMatch(/nests deeper/);
    expect(findings[0]!.line).toBe(6);
  });

  it("block nesting 10,000 deep is a parse error, not a stack overflow", () => {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep\ndata:\n";
    for (let i = 1; i <= 10_000; i++) text += `${" ".repeat(i)}k:\n`;
    expect(judge(added("k8s/deep.yaml", text)).map((f) => f.rule)).toEqual(["k8s/unparsed"]);
  });

  it("invalid UTF-8 through the engine is k8s/unparsed", async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "), 0xc3, 0x28, 0x0a]);
    const result = await analyzeChangeSet(new MemorySource({}, { "k8s/bad.yaml": bytes }));
    expect(result.findings.map((f) => [f.rule, f.message.includes("not UTF-8")])).toEqual([["k8s/unparsed", true]]);
  });

  it("tabs for indentation name their line", () => {
    const findings = judge(added("k8s/tabs.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: x\n"));
    expect(findings.map((f) => [f.rule, f.line])).toEqual([["k8s/unparsed", 4]]);
  });

  it("a head that cannot be read hides no deletion behind a pass: unparsed, and no false deletions", () => {
    const findings = judge(modified("k8s/api.yaml", API, `${API}\n---\nkey: [unclosed\n`));
    expect(findings.map((f) => f.rule)).toEqual(["k8s/unparsed"]);
  });

  it("a kustomization that refers to itself ends", () => {
    const findings = judge(modified("k8s/kustomization.yaml", "resources: []\n", "resources:\n  - .\n"));
    expect(findings.map((f) => f.rule)).toEqual(["k8s/unparsed"]);
    expect(findings[0]!.message).toMatch(/refers to itself/);
  });
});

describe("fuzzing", () => {
  const seeds = [API, CONFIG, DATABASE, RBAC, `${API}---\n${CONFIG}`];

  /** Mutations that keep most of a manifest: delete, duplicate or replace a span, insert YAML punctuation. */
  const mutated = fc
    .tuple(
      fc.constantFrom(...seeds),
      fc.array(fc.tuple(fc.nat(), fc.nat({ max: 40 }), fc.constantFrom("", "\t", ": ", "- ", "&a ", "*a", "[", "{", "}", "]", "---\n", "'", '"', "\n  ", "!!binary ", "<<: *a\n", "\u0000", "%YAML 1.2\n")), { maxLength: 6 }),
    )
    .map(([seed, edits]) => {
      let text = seed;
      for (const [at, length, insert] of edits) {
        const i = at % (text.length + 1);
        text = text.slice(0, i) + insert + text.slice(i + length);
      }
      return text;
    });

  it("random and mutated YAML never throws; every unreadable file is a k8s/unparsed finding", () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ maxLength: 400 }), fc.stringMatching(/^[\s\-:[\]{}&*!|>'"#a-z0-9]{0,200}$/)), (text) => {
        const findings = judge(modified("k8s/app.yaml", API, text));
        expect(findings.every((f) => f.rule.startsWith("k8s/"))).toBe(true);
        const parsed = parseManifestText("k8s/app.yaml", text);
        if (parsed.error && !text.includes("{{")) expect(findings.map((f) => f.rule)).toContain("k8s/unparsed");
        for (const f of findings) {
          expect(f.line).toBeGreaterThanOrEqual(1);
          expect(f.message).not.toContain("\n");
        }
      }),
      { numRuns: 300, seed: 20261201 },
    );
  });

  it("random kustomizations never throw", () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom("resources:\n", "  - api.yaml\n", "  - ../x\n", "  - .\n", "components:\n", "namespace: x\n", "namePrefix: p-\n", "patches:\n", "  - path: p.yaml\n", "  - patch: |-\n      kind: Deployment\n      metadata:\n        name: api\n      $patch: delete\n", "commonLabels:\n  a: b\n", "replicas:\n  - name: api\n    count: 0\n"), { maxLength: 12 }), (parts) => {
        const text = parts.join("");
        const findings = analyzeManifests({
          changes: [modified("k8s/kustomization.yaml", "resources:\n  - api.yaml\n", text)],
          unchanged: [{ path: "k8s/api.yaml", text: API }],
          scopes: [],
          inputs: [],
        });
        expect(findings.every((f) => f.rule.startsWith("k8s/"))).toBe(true);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
