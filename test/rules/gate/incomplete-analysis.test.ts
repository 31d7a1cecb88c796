import { describe, expect, it } from "vitest";
import { incompleteAnalysis } from "../../../rules/gate/incomplete-analysis.js";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { MemorySource } from "../../../src/source/memory.js";

const MIGRATION = "db/migrations/20260101000000_add_index.up.sql";
const SQL = "CREATE INDEX CONCURRENTLY orders_created_at ON orders (created_at);\n";

const ofRule = async (source: MemorySource, maxFileBytes?: number) =>
  (await analyzeChangeSet(source, maxFileBytes !== undefined ? { maxFileBytes } : {})).findings
    .filter((f) => f.rule === incompleteAnalysis.id)
    .map((f) => `${f.file} ${f.severity}`);

describe("gate/incomplete-analysis", () => {
  it("fires on a listing the source could not give whole", async () => {
    expect(await ofRule(new MemorySource({}, { [MIGRATION]: SQL }, { truncated: "GitHub lists at most 3,000 files of a pull request" }))).toHaveLength(1);
  });

  it("fires on a claimed migration that could not be read, and one over the size limit", async () => {
    expect(await ofRule(new MemorySource({}, { [MIGRATION]: SQL }, { failReads: () => true }))).toEqual([`${MIGRATION} high`]);
    expect(await ofRule(new MemorySource({}, { [MIGRATION]: SQL.repeat(100) }), 1024)).toEqual([`${MIGRATION} high`]);
  });

  it("does not fire when every claimed file was read", async () => {
    expect(await ofRule(new MemorySource({}, { [MIGRATION]: SQL, "README.md": "# app\n" }))).toEqual([]);
  });

  it("reads a realistic pull request: the unreadable file is reported, the readable one still judged", async () => {
    const drop = "db/migrations/20260102000000_drop_legacy.up.sql";
    const source = new MemorySource({}, { [MIGRATION]: SQL, [drop]: "DROP TABLE legacy_orders;\n" }, { failReads: (_side, path) => path === MIGRATION });
    const findings = (await analyzeChangeSet(source)).findings.map((f) => `${f.rule} ${f.file}`);
    expect(findings).toEqual(expect.arrayContaining([`gate/incomplete-analysis ${MIGRATION}`, `sql/drop-table ${drop}`]));
  });
});
