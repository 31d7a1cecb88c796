import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
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
