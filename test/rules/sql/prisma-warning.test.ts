import { describe, expect, it } from "vitest";
import { analyze, brief } from "../../analyzers/migrations/helpers.js";

const PATH = "prisma/migrations/20260301093000_drop_legacy/migration.sql";

describe("sql/prisma-warning", () => {
  it("fires on each item of the Warnings block Prisma generated", () => {
    const sql =
      "/*\n  Warnings:\n\n  - The values [ARCHIVED] on the enum `Status` will be removed. If these variants are still used in the database, this will fail.\n\n*/\n" +
      'ALTER TYPE "Status" RENAME TO "Status_old";\n';
    const findings = analyze(PATH, sql).filter((f) => f.rule === "sql/prisma-warning");
    expect(brief(findings)).toEqual([{ rule: "sql/prisma-warning", line: 1, severity: "high", rollback: false, object: "Status" }]);
    expect(findings[0]?.message).toContain("[ARCHIVED]");
  });

  it("does not fire on a Prisma migration without warnings", () => {
    const sql = '-- CreateTable\nCREATE TABLE "Invoice" ("id" TEXT NOT NULL, CONSTRAINT "Invoice_pkey" PRIMARY KEY ("id"));\n';
    expect(analyze(PATH, sql)).toEqual([]);
  });

  it("reads a realistic generated migration: the warning and the statement it warns about", () => {
    const sql = [
      "/*",
      "  Warnings:",
      "",
      "  - You are about to drop the column `legacyRef` on the `Order` table. All the data in the column will be lost.",
      "",
      "*/",
      "-- AlterTable",
      'ALTER TABLE "Order" DROP COLUMN "legacyRef",',
      'ADD COLUMN     "externalRef" TEXT;',
      "",
    ].join("\n");
    const rules = analyze(PATH, sql).map((f) => f.rule);
    expect(rules).toContain("sql/prisma-warning");
    expect(rules).toContain("sql/drop-column");
  });
});
