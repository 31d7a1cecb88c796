import { describe, expect, it } from "vitest";
import { ALL_RULES } from "../../rules/index.js";
import { toSarif } from "../../src/report/sarif.js";
import { sampleInput } from "./fixtures.js";

interface SarifRun {
  tool: { driver: { name: string; rules: { id: string; shortDescription: { text: string }; help: { text: string } }[] } };
  results: {
    ruleId: string;
    ruleIndex: number;
    level: string;
    message: { text: string };
    locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number; endLine?: number } } }[];
    properties: { gating: boolean };
  }[];
}

describe("toSarif", () => {
  it("writes a SARIF 2.1.0 log with the registry's rules and one result per finding", () => {
    const log = toSarif(sampleInput(), { version: "0.1.0" }) as { version: string; $schema: string; runs: SarifRun[] };
    expect(log.version).toBe("2.1.0");
    expect(log.$schema).toMatch(/sarif-2\.1\.0/);
    const run = log.runs[0]!;
    expect(run.tool.driver.name).toBe("changegate");
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual(ALL_RULES.map((r) => r.id));
    expect(run.results).toHaveLength(3);
    for (const result of run.results) {
      expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
    }
    const [drop, index] = run.results;
    expect(drop).toMatchObject({ ruleId: "sql/drop-table", level: "error", properties: { gating: true } });
    expect(drop!.locations[0]!.physicalLocation).toMatchObject({ artifactLocation: { uri: "db/migrations/0004_drop.sql" }, region: { startLine: 2 } });
    expect(index).toMatchObject({ ruleId: "sql/blocking-index", level: "warning", properties: { gating: false } });
    expect(index!.locations[0]!.physicalLocation.region).toEqual({ startLine: 3, endLine: 4 });
    const rule = run.tool.driver.rules.find((r) => r.id === "sql/drop-table")!;
    expect(rule.shortDescription.text).toBe("Table dropped");
    expect(rule.help.text).toContain("Safer alternative");
  });

  it("encodes paths as URIs", () => {
    const input = sampleInput();
    const findings = input.findings.map((f) => ({ ...f, file: "db/dir with space/ü.sql" }));
    const run = (toSarif({ ...input, findings }) as { runs: SarifRun[] }).runs[0]!;
    expect(run.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe("db/dir%20with%20space/%C3%BC.sql");
  });
});
