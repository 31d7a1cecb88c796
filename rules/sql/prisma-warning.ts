import type { RuleMeta } from "../../src/model/rule.js";

export const prismaWarning: RuleMeta = {
  id: "sql/prisma-warning",
  title: "Prisma warned that this migration can lose data or fail",
  severity: "high",
  category: "data-loss",
  why:
    "When Prisma Migrate generates a migration it compares the schemas and writes what it knows will " +
    "destroy data or fail on a non-empty table into a `Warnings` comment at the top of `migration.sql`: " +
    "dropped tables and columns, columns dropped and recreated, enum values removed, required columns " +
    "added without a default, new unique constraints. Nothing stops the file from being applied; the " +
    "warning is only read if someone opens the file. A warning is reported in the finding of the statement " +
    "it is about, at that statement's line; this rule is the warning on its own, when no statement of the " +
    "file carries it out (the SQL was edited after Prisma generated it).",
  safeAlternative:
    "Read each warning against production data. Split destructive steps into expand and contract " +
    "releases (add the new column or table, backfill, switch the code, drop later), add defaults before " +
    "making columns required, and deduplicate before adding unique constraints.",
  docs: "docs/rules.md#sql-prisma-warning",
  examples: {
    fires: [
      {
        note: "A Prisma warning whose statement was edited out of the generated file: the warning is reported on its own",
        base: {},
        head: {
          "prisma/migrations/20260101000000_drop_legacy_id/migration.sql":
            "/*\n  Warnings:\n\n  - You are about to drop the column `legacyId` on the `Order` table. All the data in the column will be lost.\n\n*/\n-- The column is dropped by the next release; kept here by hand.\n",
        },
      },
    ],
    passes: [
      {
        note: "A Prisma migration without warnings",
        base: {},
        head: { "prisma/migrations/20260101000000_add_tag/migration.sql": '-- CreateTable\nCREATE TABLE "Tag" ("id" TEXT NOT NULL, CONSTRAINT "Tag_pkey" PRIMARY KEY ("id"));\n' },
      },
    ],
  },
};
