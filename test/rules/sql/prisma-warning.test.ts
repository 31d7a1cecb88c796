import { describe, expect, it } from "vitest";
import { analyze, brief } from "../../analyzers/migrations/helpers.js";

const PATH = "prisma/migrations/20260301093000_drop_legacy/migration.sql";

describe("sql/prisma-warning", () => {
  it("fires on a warning that no statement of the file carries out (the SQL was edited after Prisma generated it)", () => {
    const sql =
      "/*\n  Warnings:\n\n  - The values [ARCHIVED] on the enum `Status` will be removed. If these variants are still used in the database, this will fail.\n\n*/\n" +
      "-- The enum change is deployed by hand; see the runbook.\n";
    const findings = analyze(PATH, sql).filter((f) => f.rule === "sql/prisma-warning");
    expect(brief(findings)).toEqual([{ rule: "sql/prisma-warning", line: 1, severity: "high", rollback: false, object: "Status" }]);
    expect(findings[0]?.message).toContain("[ARCHIVED]");
  });

  it("does not fire on a Prisma migration without warnings", () => {
    const sql = '-- CreateTable\nCREATE TABLE "Invoice" ("id" TEXT NOT NULL, CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id"));\n';
    expect(analyze(PATH, sql)).toEqual([]);
  });

  it("is one finding with the statement it warns about, at the statement's line, with the warning's text", () => {
    const sql = [
      "/*",
      "  Warnings:",
      "",
      "  - You are about to drop the column `legacyRef` on the `Order` table. All the data in the column will be lost.",
      "  - You are about to drop the `OrderNote` table. If the table is not empty, all the data it contains will be lost.",
      "",
      "*/",
      "-- AlterTable",
      'ALTER TABLE "Order" DROP COLUMN "legacyRef",',
      'ADD COLUMN     "externalRef" TEXT;',
      "",
      "-- DropTable",
      'DROP TABLE "OrderNote";',
      "",
    ].join("\n");
    const findings = analyze(PATH, sql);
    expect(findings.map((f) => `${f.rule}@${f.line}`)).toEqual(["sql/drop-column@9", "sql/drop-table@13"]);
    expect(findings[0]?.message).toContain("Prisma warned: You are about to drop the column `legacyRef` on the `Order` table.");
    expect(findings[1]?.message).toContain("Prisma warned: You are about to drop the `OrderNote` table.");
  });

  it("a warning about a column is carried by the statement that changes that column, whatever its rule", () => {
    const sql = [
      "/*",
      "  Warnings:",
      "",
      "  - You are about to drop the column `note` on the `Invoice` table, which still contains 12 non-null values.",
      "",
      "*/",
      'ALTER TABLE "Invoice" ALTER COLUMN "note" SET DATA TYPE VARCHAR(20);',
      "",
    ].join("\n");
    const findings = analyze(PATH, sql);
    expect(findings.map((f) => `${f.rule}@${f.line} ${f.severity}`)).toEqual(["sql/column-type-change@7 high"]);
    expect(findings[0]?.message).toContain("Prisma warned: You are about to drop the column `note`");
  });
});
