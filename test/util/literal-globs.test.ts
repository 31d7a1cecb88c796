import fc from "fast-check";
import picomatch from "picomatch";
import { describe, expect, it } from "vitest";
import { BUILT_IN_GLOBS } from "../../src/analyzers/migrations/layouts.js";
import { literalGuardedMatcher, requiredLiterals } from "../../src/util/literal-globs.js";

const GLOBS = [
  ...Object.values(BUILT_IN_GLOBS).flat(),
  "**/node_modules/**",
  "**/migrations/migration_lock.toml",
  "**/db/*_structure.sql",
  "**/*.{test,spec}.*",
  "db/schema.sql",
  "{src/migration,db}/**/*.sql",
  "**/x.{,js}",
  "a\\*b/*.sql",
  "[[]x]/*.sql",
  "**/*.up.sql",
];

const PATHS = [
  "db/migrate/20200101_x.rb",
  "app/DB/Migrate/2020_x.RB",
  "a/db/main_migrate/1.rb",
  "prisma/migrations/20221206131204_init/migration.sql",
  "prisma/migrations/migration_lock.toml",
  "Migrations/0001_initial.py",
  "db/V1__init.sql",
  "db/schema.sql",
  "x.up.sql/",
  "x.UP.SQL",
  "src/migration/1.ts",
  "db/x.sql",
  "a/x.",
  "a/x.js",
  "b/c.sql",
  "c/c.sql",
  "node_modules/a/migrations/1.sql",
  "app/models/user.test.ts",
  "İ/migrations/1.sql",
  "db/changelog/db.changelog-master.yaml",
  "migrations/K.json",
];

describe("literalGuardedMatcher", () => {
  it("reads the literal parts of a glob, and none where they cannot be read safely", () => {
    expect(requiredLiterals("**/db/migrate/**/*.rb")).toEqual({ anywhere: [["db"], ["migrate"]], ending: [".rb"] });
    expect(requiredLiterals("**/migrations/*.{json,yaml}")).toEqual({ anywhere: [["migrations"]], ending: [".json", ".yaml"] });
    expect(requiredLiterals("**/*.{test,spec}.*")).toEqual({ anywhere: [[".test.", ".spec."]] });
    expect(requiredLiterals("{src/migration,db}/**")).toEqual({ anywhere: [] });
    expect(requiredLiterals("**/x.{,js}")).toEqual({ anywhere: [], ending: ["x.", "x.js"] });
    expect(requiredLiterals("@(a|b)/c.sql")).toEqual({ anywhere: [], ending: ["c.sql"] });
    expect(requiredLiterals("!db/**")).toEqual({ anywhere: [] });
  });

  it("decides as picomatch does, case-sensitive or not", () => {
    for (const nocase of [false, true]) {
      const options = { dot: true, nocase };
      for (const glob of GLOBS) {
        const guarded = literalGuardedMatcher([glob], options);
        const plain = picomatch(glob, options);
        for (const path of PATHS) expect(guarded(path), `${glob} on ${path} (nocase ${nocase})`).toBe(plain(path));
      }
      const all = literalGuardedMatcher(GLOBS, options);
      const plainAll = picomatch(GLOBS, options);
      for (const path of PATHS) expect(all(path), path).toBe(plainAll(path));
    }
  });

  // Git stores no "." or ".." path segment (its fsck refuses them), so none is generated.
  it("decides as picomatch does on generated paths", () => {
    const part = fc.constantFrom("db", "DB", "migrate", "migrations", "x", "V1__a", "a_up", "node_modules", "versions", "İ", ".x", "src", "migration");
    const ext = fc.constantFrom("", ".sql", ".SQL", ".rb", ".up.sql", ".py", ".ts", ".d.ts", ".test.js", ".yaml", ".toml", "/");
    const path = fc.tuple(fc.array(part, { minLength: 1, maxLength: 5 }), ext).map(([parts, end]) => parts.join("/") + end);
    const options = { dot: true, nocase: true };
    const guarded = literalGuardedMatcher(GLOBS, options);
    const plain = picomatch(GLOBS, options);
    fc.assert(fc.property(path, (p) => guarded(p) === plain(p)), { numRuns: 2000 });
  });
});
