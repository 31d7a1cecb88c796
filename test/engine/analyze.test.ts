import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
import type { Analyzer, FileChange } from "../../src/analyzers/types.js";
import type { Finding } from "../../src/model/finding.js";
import { finding } from "../../src/model/rule.js";
import { MemorySource } from "../../src/source/memory.js";

describe("analyzeChangeSet", () => {
  it("reports a change to the policy file as gate/config-change on the head side", async () => {
    const source = new MemorySource({ ".github/changegate.yml": "version: 1\n" }, { ".github/changegate.yml": "version: 1\nmode: report-only\n" });
    const result = await analyzeChangeSet(source);
    expect(result.findings.map((f) => [f.rule, f.severity, f.file, f.side])).toEqual([
      ["gate/config-change", "high", ".github/changegate.yml", "head"],
    ]);
  });

  it("raises a workflow change to high on agent-authored pull requests", async () => {
    const source = new MemorySource({}, { ".github/workflows/ci.yml": "on: push\n" });
    const human = await analyzeChangeSet(source, { authorKind: "human" });
    const agent = await analyzeChangeSet(source, { authorKind: "agent" });
    expect(human.findings[0]?.severity).toBe("medium");
    expect(agent.findings[0]?.severity).toBe("high");
  });

  it("never reads files that no analyzer claims", async () => {
    const source = new MemorySource({}, { "src/app.ts": "export {}\n", "README.md": "# hi\n" });
    const result = await analyzeChangeSet(source);
    expect(result.findings).toEqual([]);
    expect(result.unclaimed).toBe(2);
    expect(source.reads).toEqual([]);
  });

  it("fails closed on a truncated listing", async () => {
    const source = new MemorySource({}, {}, { truncated: "GitHub lists at most 3,000 files of a pull request" });
    const result = await analyzeChangeSet(source);
    expect(result.findings.map((f) => f.rule)).toEqual(["gate/incomplete-analysis"]);
  });
});

describe("analyzeChangeSet on input it cannot read", () => {
  const unparsed = { id: "x/unparsed", title: "t", severity: "high", category: "integrity", why: "w", safeAlternative: "s", docs: "d", examples: { fires: [], passes: [] } } as const;
  const throwing = {
    id: "x",
    unparsedRule: unparsed,
    claims: (path: string) => path.endsWith(".x"),
    analyze: () => {
      throw new RangeError("stack blown");
    },
  };
  const counting = { ...throwing, analyze: () => [] };

  it("turns an analyzer exception into that analyzer's unparsed finding", async () => {
    const source = new MemorySource({}, { "a.x": "boom" });
    const result = await analyzeChangeSet(source, { analyzers: [throwing] });
    expect(result.findings).toMatchObject([{ rule: "x/unparsed", file: "a.x", line: 1, side: "head" }]);
    expect(result.findings[0]?.message).toContain("stack blown");
  });

  it("reports binary and non-UTF-8 files as unparsed instead of passing them", async () => {
    const source = new MemorySource({}, { "bin.x": new Uint8Array([0x89, 0x50, 0x00, 0x47]), "latin1.x": new Uint8Array([0x44, 0x52, 0xd6, 0x50]) });
    const result = await analyzeChangeSet(source, { analyzers: [counting] });
    expect(result.findings.map((f) => [f.rule, f.file, f.message.includes("binary") || f.message.includes("UTF-8")])).toEqual([
      ["x/unparsed", "bin.x", true],
      ["x/unparsed", "latin1.x", true],
    ]);
  });

  it("reports a file over the size limit as incomplete analysis", async () => {
    const source = new MemorySource({}, { "big.x": "x".repeat(2048) });
    const result = await analyzeChangeSet(source, { analyzers: [counting], maxFileBytes: 1024 });
    expect(result.findings).toMatchObject([{ rule: "gate/incomplete-analysis", file: "big.x", severity: "high" }]);
  });

  it("reports a failed read as incomplete analysis and as a retryable error", async () => {
    const source = new MemorySource({ "a.x": "old" }, { "a.x": "new" }, { failReads: (side) => side === "base" });
    const result = await analyzeChangeSet(source, { analyzers: [counting] });
    expect(result.findings).toMatchObject([{ rule: "gate/incomplete-analysis", file: "a.x" }]);
    expect(result.errors).toEqual([{ file: "a.x", message: "cannot read a.x at base", retryable: true }]);
  });

  it("reads the base side of a renamed file at its old path", async () => {
    const seen: unknown[] = [];
    const recording = { ...throwing, analyze: (change: unknown) => (seen.push(change), []) };
    const source = new MemorySource({ "old.x": "A" }, { "new.x": "A" }, { renames: { "old.x": "new.x" } });
    await analyzeChangeSet(source, { analyzers: [recording] });
    expect(seen).toEqual([
      { path: "new.x", status: "renamed", previousPath: "old.x", base: { path: "old.x", text: "A" }, head: { path: "new.x", text: "A" } },
    ]);
  });

  it("never lets an exclude glob hide a change to the gate itself", async () => {
    const source = new MemorySource({}, { ".github/changegate.yml": "version: 1\n" });
    const result = await analyzeChangeSet(source, { paths: { exclude: ["**"] } });
    expect(result.findings.map((f) => f.rule)).toEqual(["gate/config-change"]);
  });

  it("annotates the proposed policy's validation errors at their lines", async () => {
    const source = new MemorySource({}, { ".github/changegate.yml": "version: 1\nmode: yolo\n" });
    const result = await analyzeChangeSet(source, {
      validatePolicy: (text) => (text.includes("yolo") ? [{ message: "mode must be enforce or report-only", line: 2, column: 7 }] : []),
    });
    expect(result.findings.map((f) => [f.rule, f.line, f.message])).toEqual([
      ["gate/config-change", 1, "This pull request adds the changegate policy; it is still judged by the base branch's policy."],
      ["gate/config-change", 2, "The proposed policy is invalid: mode must be enforce or report-only"],
    ]);
  });
});

describe("analyzeChangeSet with an analyzer that judges the change set as a whole", () => {
  const unparsed = { id: "y/unparsed", title: "t", severity: "high", category: "integrity", why: "w", safeAlternative: "s", docs: "d", examples: { fires: [], passes: [] } } as const;
  const note = (file: string, message: string) => ({ ...finding(unparsed, { file, line: 1, side: "head" }, message) });
  function whole(options: { all?: (changes: readonly FileChange[]) => Finding[]; one?: (change: FileChange) => Finding[] } = {}) {
    const batches: string[][] = [];
    const single: string[] = [];
    const analyzer: Analyzer = {
      id: "y",
      unparsedRule: unparsed,
      claims: (path) => path.endsWith(".y"),
      analyze: (change) => (single.push(change.path), options.one ? options.one(change) : []),
      analyzeAll: (changes) => (batches.push(changes.map((c) => c.path)), options.all ? options.all(changes) : changes.map((c) => note(c.path, `all of ${changes.length}`))),
    };
    return { analyzer, batches, single };
  }

  it("hands every claimed file to analyzeAll once, in listing order, instead of analyze", async () => {
    const { analyzer, batches, single } = whole();
    const source = new MemorySource({}, { "c.y": "3", "a.y": "1", "b.y": "2", "other.txt": "x" });
    const result = await analyzeChangeSet(source, { analyzers: [analyzer], concurrency: 3 });
    expect(batches).toEqual([["a.y", "b.y", "c.y"]]);
    expect(single).toEqual([]);
    expect(result.findings.map((f) => [f.file, f.message])).toEqual([
      ["a.y", "all of 3"],
      ["b.y", "all of 3"],
      ["c.y", "all of 3"],
    ]);
  });

  it("is not called when it claims nothing", async () => {
    const { analyzer, batches } = whole();
    await analyzeChangeSet(new MemorySource({}, { "a.txt": "1" }), { analyzers: [analyzer] });
    expect(batches).toEqual([]);
  });

  it("reports a file that cannot be read and still hands the others to analyzeAll", async () => {
    const { analyzer, batches } = whole();
    const source = new MemorySource({}, { "a.y": "1", "b.y": "2", "c.y": "3" }, { failReads: (_side, path) => path === "b.y" });
    const result = await analyzeChangeSet(source, { analyzers: [analyzer] });
    expect(batches).toEqual([["a.y", "c.y"]]);
    expect(result.findings.map((f) => [f.rule, f.file])).toEqual([
      ["y/unparsed", "a.y"],
      ["gate/incomplete-analysis", "b.y"],
      ["y/unparsed", "c.y"],
    ]);
    expect(result.errors).toEqual([{ file: "b.y", message: "cannot read b.y at head", retryable: true }]);
  });

  it("falls back to analyze for each file when analyzeAll throws", async () => {
    const { analyzer, single } = whole({
      all: () => {
        throw new Error("cross-file state broke");
      },
      one: (change) => [note(change.path, "judged alone")],
    });
    const result = await analyzeChangeSet(new MemorySource({}, { "a.y": "1", "b.y": "2" }), { analyzers: [analyzer] });
    expect(single).toEqual(["a.y", "b.y"]);
    expect(result.findings.map((f) => [f.file, f.message])).toEqual([
      ["a.y", "judged alone"],
      ["b.y", "judged alone"],
    ]);
  });

  it("turns a failure of both analyzeAll and analyze into each file's unparsed finding", async () => {
    const { analyzer } = whole({
      all: () => {
        throw new Error("whole failed");
      },
      one: (change) => {
        if (change.path === "b.y") throw new Error("b failed");
        return [];
      },
    });
    const result = await analyzeChangeSet(new MemorySource({}, { "a.y": "1", "b.y": "2" }), { analyzers: [analyzer] });
    expect(result.findings).toMatchObject([{ rule: "y/unparsed", file: "b.y", line: 1, side: "head" }]);
    expect(result.findings[0]?.message).toContain("b failed");
  });

  it("runs per-file analyzers beside it on the same files", async () => {
    const { analyzer, batches } = whole({ all: () => [] });
    const seen: string[] = [];
    const perFile: Analyzer = { id: "z", unparsedRule: unparsed, claims: analyzer.claims, analyze: (change) => (seen.push(change.path), []) };
    await analyzeChangeSet(new MemorySource({}, { "a.y": "1", "b.y": "2" }), { analyzers: [analyzer, perFile] });
    expect(batches).toEqual([["a.y", "b.y"]]);
    expect(seen.sort()).toEqual(["a.y", "b.y"]);
  });
});
