import { describe, expect, it } from "vitest";
import { getRule } from "../../rules/index.js";
import type { Finding } from "../../src/model/finding.js";
import { finding } from "../../src/model/rule.js";
import { renderMarkdownReport } from "../../src/report/markdown.js";
import { sampleInput } from "./fixtures.js";

describe("renderMarkdownReport", () => {
  it("shows the verdict, the gating rules as a table and the findings grouped by file", () => {
    const md = renderMarkdownReport(sampleInput());
    expect(md).toMatch(/^## ⏳ changegate: Needs sign-off/);
    expect(md).toContain("| ⏳ | High-severity changes | 1 sign-off from an eligible person (not the author) | — | 2 |");
    expect(md).toContain("### `db/migrations/0004_drop.sql`");
    expect(md).toContain("🛑 **critical** `sql/drop-table` · line 2 · `legacy_orders` · **gates**");
    expect(md).toContain("```sql\n  DROP TABLE legacy_orders;\n  ```");
    expect(md.split(getRule("sql/drop-table").why).length - 1).toBe(1);
    expect(md).toContain("[More on `sql/drop-table`](https://github.com/changegate/changegate/blob/main/docs/rules.md#sql-drop-table)");
    expect(md).not.toContain("Report cut");
  });

  it("cuts gracefully under maxLength and says it was cut", () => {
    const findings: Finding[] = Array.from({ length: 400 }, (_, i) =>
      finding(getRule("sql/drop-table"), { file: `db/migrations/${String(i).padStart(4, "0")}.sql`, line: 1, side: "head" }, `Drops table t${i}.`, {
        object: `t${i}`,
      }),
    );
    const full = renderMarkdownReport(sampleInput(findings), { maxLength: Number.MAX_SAFE_INTEGER });
    expect(full.length).toBeGreaterThan(20_000);
    for (const max of [20_000, 5_000, 1_500]) {
      const cut = renderMarkdownReport(sampleInput(findings), { maxLength: max });
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).toMatch(/Report cut at [\d,]+ characters\*\* to stay under [\d,]+: \d+ of 400 findings shown/);
      // Cut at a block boundary: no half-open code fence.
      expect((cut.match(/```/g) ?? []).length % 2).toBe(0);
    }
    const tiny = renderMarkdownReport(sampleInput(findings), { maxLength: 300 });
    expect(tiny.length).toBeLessThanOrEqual(300);
  });

  it("keeps user text from opening HTML or mentioning people", () => {
    const f = finding(getRule("sql/drop-table"), { file: "a.sql", line: 1, side: "head" }, "Drops <script>x</script> for @alice", { object: "x" });
    const md = renderMarkdownReport(sampleInput([f]));
    expect(md).not.toContain("<script>");
    expect(md).not.toContain("@alice");
  });
});
