import { describe, expect, it } from "vitest";
import { analyzeChangeSet, createAnalyzers } from "../../src/analyze.js";
import { createGateAnalyzer } from "../../src/analyzers/gate/index.js";
import type { Analyzer, FileChange } from "../../src/analyzers/types.js";
import type { Finding } from "../../src/model/finding.js";
import { finding } from "../../src/model/rule.js";
import { MemorySource } from "../../src/source/memory.js";
import { SourceError } from "../../src/source/source.js";

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

describe("the gate analyzer's policy validator, loaded on demand", () => {
  const change = { path: ".github/changegate.yml", status: "added" as const, base: null, head: { path: ".github/changegate.yml", text: "version: 1\nmode: yolo\n" } };

  it("loads the validator in prepare() only when the change holds a policy file", async () => {
    let loads = 0;
    const gate = createGateAnalyzer({
      policyPath: ".github/changegate.yml",
      loadValidatePolicy: async () => {
        loads++;
        return () => [{ message: "mode must be enforce or report-only", line: 2, column: 7 }];
      },
    });
    await gate.prepare!([{ path: ".github/workflows/ci.yml", status: "modified" }]);
    expect(loads).toBe(0);
    await gate.prepare!([{ path: ".github/changegate.yml", status: "added" }]);
    expect(loads).toBe(1);
    expect(gate.analyze(change, { authorKind: "human" }).map((f) => f.message)).toContain("The proposed policy is invalid: mode must be enforce or report-only");
  });

  it("fails closed on a policy file when the validator was never loaded", () => {
    const gate = createGateAnalyzer({ policyPath: ".github/changegate.yml", loadValidatePolicy: async () => () => [] });
    expect(() => gate.analyze(change, { authorKind: "human" })).toThrow(/not loaded/);
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
      analyzeAll: ({ changes }) => (batches.push(changes.map((c) => c.path)), options.all ? options.all(changes) : changes.map((c) => note(c.path, `all of ${changes.length}`))),
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

describe("the analyzer contract: preparation, scopes and extra inputs", () => {
  const unparsed = { id: "m/unparsed", title: "t", severity: "high", category: "integrity", why: "w", safeAlternative: "s", docs: "d", examples: { fires: [], passes: [] } } as const;
  const note = (file: string, message: string) => finding(unparsed, { file, line: 1, side: "head" }, message);

  /** A module analyzer in the style of Terraform: claims `*.m`, wants each claimed file's directory whole. */
  function moduleAnalyzer(overrides: Partial<Analyzer> = {}) {
    const seen: { changes: string[]; unchanged: string[]; scopes: string[]; inputs: string[] }[] = [];
    let prepared = 0;
    const analyzer: Analyzer = {
      id: "m",
      unparsedRule: unparsed,
      inputKinds: ["m-plan"],
      claims: (path) => path.endsWith(".m"),
      prepare: async () => {
        prepared++;
      },
      scopes: ({ claimed }) =>
        claimed.map((file) => ({ dir: file.path.split("/").slice(0, -1).join("/"), recursive: false, include: (path: string) => path.endsWith(".m") })),
      analyze: () => [],
      analyzeAll: (input) => {
        seen.push({
          changes: input.changes.map((c) => `${c.status}:${c.path}`),
          unchanged: input.unchanged.map((f) => f.path),
          scopes: input.scopes.map((s) => s.dir),
          inputs: input.inputs.map((i) => i.path),
        });
        return [];
      },
      ...overrides,
    };
    return { analyzer, seen, prepared: () => prepared };
  }

  it("reads the files a scope names, even in a directory already read with another include, and skips those that do not exist", async () => {
    const { analyzer, seen } = moduleAnalyzer({
      scopes: ({ claimed }) => [
        ...claimed.map((file) => ({ dir: file.path.split("/").slice(0, -1).join("/"), recursive: false, include: (path: string) => path.endsWith(".m") })),
        { dir: "mod", recursive: false, include: () => false, files: ["mod/app.properties", "mod/missing.env", "mod/../shared/x.env", "../outside.env"] },
      ],
    });
    const base = { "mod/a.m": "a", "mod/app.properties": "k=v", "mod/other.txt": "o", "shared/x.env": "X=1" };
    await analyzeChangeSet(new MemorySource(base, { ...base, "mod/a.m": "a2" }), { analyzers: [analyzer] });
    expect(seen).toEqual([{ changes: ["modified:mod/a.m"], unchanged: ["mod/app.properties", "shared/x.env"], scopes: ["mod"], inputs: [] }]);
  });

  it("derives inputs once from what was read, before analyzeAll, and reports a derive that throws", async () => {
    const asked: string[][] = [];
    const { analyzer, seen } = moduleAnalyzer({
      derive: async (input) => {
        asked.push([...input.changes.map((c) => c.path), ...input.unchanged.map((f) => f.path)]);
        return [{ kind: "m-render", path: "mod/render", bytes: new Uint8Array() }];
      },
    });
    const base = { "mod/a.m": "a", "mod/b.m": "b" };
    await analyzeChangeSet(new MemorySource(base, { ...base, "mod/a.m": "a2" }), { analyzers: [analyzer], inputs: [{ kind: "m-plan", path: "plan", bytes: new Uint8Array() }] });
    expect(asked).toEqual([["mod/a.m", "mod/b.m"]]);
    expect(seen[0]!.inputs).toEqual(["plan", "mod/render"]);

    const failing = moduleAnalyzer({ derive: () => Promise.reject(new Error("renderer broke")) });
    const result = await analyzeChangeSet(new MemorySource(base, { ...base, "mod/a.m": "a2" }), { analyzers: [failing.analyzer] });
    expect(result.findings.map((f) => [f.rule, f.file, f.message])).toEqual([["m/unparsed", "mod/a.m", "The m analyzer could not derive its inputs: renderer broke"]]);
    expect(failing.seen).toHaveLength(1);
  });

  it("prepares an analyzer only when it has work", async () => {
    const idle = moduleAnalyzer();
    await analyzeChangeSet(new MemorySource({}, { "README.md": "x" }), { analyzers: [idle.analyzer] });
    expect(idle.prepared()).toBe(0);
    const busy = moduleAnalyzer();
    await analyzeChangeSet(new MemorySource({}, { "mod/a.m": "x" }), { analyzers: [busy.analyzer] });
    expect(busy.prepared()).toBe(1);
  });

  it("does not load the SQL parser for a change without migrations", async () => {
    const sql = createAnalyzers({}).find((a) => a.id === "sql")!;
    let loads = 0;
    const counted: Analyzer = { ...sql, prepare: async () => void loads++ };
    await analyzeChangeSet(new MemorySource({}, { "src/app.ts": "x", ".github/workflows/ci.yml": "on: push" }), { analyzers: [counted] });
    expect(loads).toBe(0);
  });

  it("fails closed on every claimed file when preparation fails", async () => {
    const { analyzer } = moduleAnalyzer({ prepare: async () => Promise.reject(new Error("wasm missing")) });
    const result = await analyzeChangeSet(new MemorySource({}, { "mod/a.m": "x", "mod/b.m": "y" }), { analyzers: [analyzer] });
    expect(result.findings.map((f) => [f.rule, f.file])).toEqual([
      ["m/unparsed", "mod/a.m"],
      ["m/unparsed", "mod/b.m"],
    ]);
    expect(result.findings[0]?.message).toContain("wasm missing");
  });

  it("hands the unchanged files of a scope as context, read once, and the changed ones as changes", async () => {
    const { analyzer, seen } = moduleAnalyzer();
    const base = { "mod/main.m": "a", "mod/moved.m": "b", "mod/notes.txt": "n", "mod/sub/deep.m": "d", "other/x.m": "o" };
    const head = { "mod/main.m": "a2", "mod/moved.m": "b", "mod/notes.txt": "n", "mod/sub/deep.m": "d", "other/x.m": "o" };
    const source = new MemorySource(base, head);
    const result = await analyzeChangeSet(source, { analyzers: [analyzer] });
    expect(seen).toEqual([{ changes: ["modified:mod/main.m"], unchanged: ["mod/moved.m"], scopes: ["mod"], inputs: [] }]);
    expect(result.contextFiles).toBe(1);
    expect(source.reads.filter((r) => r.endsWith("mod/moved.m"))).toEqual(["head:mod/moved.m"]);
  });

  it("lists a directory deleted at head from the base side, and reads changed files a scope includes but nothing claimed", async () => {
    const { analyzer, seen } = moduleAnalyzer({
      scopes: ({ claimed }) => claimed.map(() => ({ dir: "mod", recursive: true, include: (path: string) => path.endsWith(".m") || path.endsWith(".vars") })),
    });
    const source = new MemorySource({ "mod/a.m": "a", "mod/b.m": "b", "mod/x.vars": "1" }, { "mod/x.vars": "2" });
    await analyzeChangeSet(source, { analyzers: [analyzer] });
    expect(seen[0]?.changes).toEqual(["deleted:mod/a.m", "deleted:mod/b.m", "modified:mod/x.vars"]);
    expect(seen[0]?.unchanged).toEqual([]);
  });

  it("asks again with what it read, so references are followed, and stops when nothing new is named", async () => {
    let rounds = 0;
    const { analyzer, seen } = moduleAnalyzer({
      scopes: ({ texts }) => {
        rounds++;
        // Each file names the directory it references (a kustomization's `resources`).
        const dirs = new Set(["app", ...texts.flatMap((t) => t.text.split("\n").filter((l) => l.startsWith("ref ")).map((l) => l.slice(4)))]);
        return [...dirs].map((dir) => ({ dir, recursive: false, include: (path: string) => path.endsWith(".m") }));
      },
    });
    const tree = { "app/k.m": "ref base", "base/k.m": "ref base/../components/x", "components/x/k.m": "ref app" };
    const source = new MemorySource(tree, { ...tree, "app/k.m": "ref base\n# touched" });
    await analyzeChangeSet(source, { analyzers: [analyzer] });
    expect(seen[0]?.scopes).toEqual(["app", "base", "components/x"]);
    expect(seen[0]?.unchanged).toEqual(["base/k.m", "components/x/k.m"]);
    expect(rounds).toBe(3);
  });

  it("never leaves the repository through a scope", async () => {
    const { analyzer, seen } = moduleAnalyzer({ scopes: () => [{ dir: "../../etc", recursive: true, include: () => true }] });
    await analyzeChangeSet(new MemorySource({}, { "a.m": "x" }), { analyzers: [analyzer] });
    expect(seen[0]?.scopes).toEqual([]);
  });

  it("reports a scope file it cannot read as the analyzer's finding, and a listing that fails as incomplete", async () => {
    const { analyzer } = moduleAnalyzer();
    const tree = { "mod/a.m": "a", "mod/bin.m": new Uint8Array([1, 0, 2]) };
    const result = await analyzeChangeSet(new MemorySource(tree, { ...tree, "mod/a.m": "a2" }), { analyzers: [analyzer] });
    expect(result.findings.map((f) => [f.rule, f.file])).toEqual([["m/unparsed", "mod/bin.m"]]);

    const failing = new MemorySource({ "mod/a.m": "a" }, { "mod/a.m": "b" });
    failing.list = async () => Promise.reject(new SourceError("tree too large", undefined, true));
    const listed = await analyzeChangeSet(failing, { analyzers: [analyzer] });
    expect(listed.findings.map((f) => [f.rule, f.file])).toEqual([["gate/incomplete-analysis", "mod"]]);
    expect(listed.errors).toHaveLength(1);
  });

  it("routes extra inputs to the analyzer that owns their kind, and fails closed on inputs nobody reads", async () => {
    const { analyzer, seen, prepared } = moduleAnalyzer();
    const bytes = new TextEncoder().encode("{}");
    const result = await analyzeChangeSet(new MemorySource({}, {}), {
      analyzers: [analyzer],
      inputs: [
        { kind: "m-plan", path: "plan.json", bytes },
        { kind: "mystery", path: "other.json", bytes },
      ],
    });
    expect(prepared()).toBe(1);
    expect(seen).toEqual([{ changes: [], unchanged: [], scopes: [], inputs: ["plan.json"] }]);
    expect(result.findings.map((f) => [f.rule, f.file])).toEqual([["gate/incomplete-analysis", "other.json"]]);
  });

  it("reports an input as unparsed when analyzeAll throws on it", async () => {
    const { analyzer } = moduleAnalyzer({
      analyzeAll: () => {
        throw new Error("bad plan");
      },
    });
    const result = await analyzeChangeSet(new MemorySource({}, {}), { analyzers: [analyzer], inputs: [{ kind: "m-plan", path: "p.json", bytes: new Uint8Array() }] });
    expect(result.findings.map((f) => [f.rule, f.file])).toEqual([["m/unparsed", "p.json"]]);
  });

  it("lets an analyzer opt out of the policy's excludes, and applies them to the others", async () => {
    const { analyzer, seen } = moduleAnalyzer();
    const keeps: Analyzer = { ...moduleAnalyzer().analyzer, id: "keep", honoursExcludes: false, analyzeAll: (input) => input.changes.map((c) => note(c.path, "kept")) };
    const result = await analyzeChangeSet(new MemorySource({}, { "vendor/a.m": "x" }), { analyzers: [analyzer, keeps], paths: { exclude: ["vendor/**"] } });
    expect(seen).toEqual([]);
    expect(result.findings.map((f) => f.message)).toEqual(["kept"]);
  });
});
