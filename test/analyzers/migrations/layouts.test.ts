import { describe, expect, it } from "vitest";
import { createMigrationAnalyzer } from "../../../src/analyzers/migrations/index.js";
import { createLayouts } from "../../../src/analyzers/migrations/layouts.js";

describe("which files are migrations", () => {
  const analyzer = createMigrationAnalyzer();

  it.each([
    ["db/migrate/20260101000000_drop_legacy_billing.rb", "ruby"],
    ["db/animals_migrate/20260101000000_x.rb", "ruby"],
    ["engines/blog/db/migrate/001_x.rb", "ruby"],
    ["accounts/migrations/0042_cleanup.py", "python"],
    ["alembic/versions/3f2a1b9c8d7e_x.py", "python"],
    ["src/dispatch/database/revisions/core/versions/2021-07-22_c0bc938b058e.py", "python"],
    ["migrations/20260101000000_cleanup.js", "javascript"],
    ["db/knex_migrations/2023-08-16-0000-create-uptime.js", "javascript"],
    ["migrations/20260101000000-add-users.cjs", "javascript"],
    ["src/migrations/1767225600000-Cleanup.ts", "javascript"],
    ["src/migration/1767225600000-Cleanup.ts", "javascript"],
    ["src/main/resources/db/migration/V3__add_orders.sql", "sql"],
    ["sql/V1_1__init.sql", "sql"],
    ["sql/U3__undo.sql", "sql"],
    ["sql/R__views.sql", "sql"],
    ["store/migrations/0001_init.up.sql", "sql"],
    ["store/database/migrate/postgres/0001_init_up.sql", "sql"],
    ["db/migrations/20260101000000_orders.sql", "sql"],
    ["prisma/migrations/20260101000000_x/migration.sql", "sql"],
    ["drizzle/0001_bright_wolf.sql", "sql"],
    ["supabase/migrations/20260101000000_rls.sql", "sql"],
    ["db/seeds.sql", "sql"],
    ["src/main/resources/db/changelog/db.changelog-master.yaml", "liquibase"],
    ["src/main/resources/db/changelog/changes/001.xml", "liquibase"],
    ["db/changelog/001.json", "liquibase"],
    ["db/changelog/001.sql", "sql"],
    ["cmd/migrate/migrations/20251226153622_v1_0_66.go", "go"],
  ])("claims %s (read as %s)", (path, reader) => {
    expect(analyzer.claims(path)).toBe(true);
    expect(createLayouts().readerFor(path)).toBe(reader);
  });

  it.each([
    "src/app.ts",
    "src/db/users.ts",
    "app/models/user.rb",
    "accounts/migrations/__init__.py",
    "accounts/models.py",
    "lib/migrate.ts",
    "README.md",
    "db/structure.sql",
    "db/schema.sql",
    "db/animals_structure.sql",
    "db/schema.rb",
    "prisma/migrations/migration_lock.toml",
    "migrations/types.d.ts",
    "migrations/helpers.test.ts",
    "node_modules/pkg/migrations/1.js",
    "supabase/config.toml",
    "CHANGELOG.md",
  ])("does not claim %s", (path) => {
    expect(analyzer.claims(path)).toBe(false);
  });

  it("adds the policy's paths.sql globs, reading each file by its extension", () => {
    const layouts = createLayouts(["schema/changes/**"]);
    expect(layouts.readerFor("schema/changes/001.sql")).toBe("sql");
    expect(layouts.readerFor("schema/changes/001.rb")).toBe("ruby");
    expect(layouts.readerFor("schema/changes/001.txt")).toBe("sql");
    expect(createMigrationAnalyzer({ paths: ["schema/changes/**"] }).claims("schema/changes/001.sql")).toBe(true);
    expect(createMigrationAnalyzer().claims("schema/changes/001.sql")).toBe(false);
  });

  it("matches extensions whatever their case (issue 12 item 12)", () => {
    const layouts = createLayouts();
    expect(layouts.readerFor("db/migrations/000002_x.up.SQL")).toBe("sql");
    expect(layouts.readerFor("migrations/000002_x.down.Sql")).toBe("sql");
    expect(layouts.readerFor("db/migrate/20240101_drop.RB")).toBe("ruby");
    expect(layouts.readerFor("src/app.SQL")).toBeNull();
  });
});
