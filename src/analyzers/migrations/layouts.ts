import { globMatcher } from "../../util/glob.js";
import { literalGuardedMatcher } from "../../util/literal-globs.js";

/** How a claimed file is read. */
export type Reader = "sql" | "ruby" | "python" | "javascript" | "liquibase" | "go" | "declarative";

const JS = "{js,ts,cjs,mjs,cts,mts}";

/**
 * The frameworks' conventional layouts (reference/sql-migration-checks.md §3). Each glob is
 * anchored on a directory name that only migrations use, so ordinary application code is never
 * claimed: no `src/**` or `**\/*.ts` here.
 */
export const BUILT_IN_GLOBS: Readonly<Record<Reader, readonly string[]>> = {
  // Rails: db/migrate, and db/<name>_migrate for multi-database set-ups.
  ruby: ["**/db/migrate/**/*.rb", "**/db/*_migrate/**/*.rb"],
  // Django: <app>/migrations/0001_x.py. Alembic: <script_location>/versions/<rev>_x.py.
  python: ["**/migrations/[0-9]*.py", "**/versions/*.py", "**/alembic/versions/**/*.py"],
  // Knex, Sequelize, TypeORM (src/migration is TypeORM's default).
  javascript: [`**/migrations/**/*.${JS}`, `**/*_migrations/**/*.${JS}`, `**/src/migration/**/*.${JS}`, `**/db/migrate/**/*.${JS}`],
  // Liquibase: Spring Boot's db/changelog and changelogs named after the master file.
  liquibase: ["**/db/changelog/**/*.{yaml,yml,xml,json,sql}", "**/db.changelog*.{yaml,yml,xml,json,sql}"],
  // goose Go migrations (only files that register goose migrations are read as such).
  go: ["**/migrations/**/*.go", "**/migrate/**/*.go"],
  // pgroll (`pgroll migrate migrations/`: JSON or YAML) and Reshape (`migrations/`: TOML or JSON); only
  // files holding `operations` or `actions` are read as such (see declarative.ts).
  declarative: ["**/migrations/*.{json,yaml,yml,toml}"],
  sql: [
    "**/*.up.sql", // golang-migrate, sqlx reversible
    "**/*.down.sql",
    "**/*_up.sql",
    "**/*_down.sql",
    "**/[VUB][0-9]*__*.sql", // Flyway versioned, undo, baseline
    "**/R__*.sql", // Flyway repeatable
    "**/migrations/**/*.sql", // goose, dbmate, sqlx, Prisma, Supabase, Drizzle (new layout), Atlas
    "**/migration/**/*.sql", // Flyway's db/migration
    "**/migrate/**/*.sql",
    "**/drizzle/**/*.sql",
    "**/db/**/*.sql",
  ],
};

/**
 * Never claimed: schema dumps (`db/structure.sql`, dbmate's `db/schema.sql`) describe the schema
 * after the migrations ran; they do not run against a database, so their statements are not
 * changes. Declaration files and tests next to migrations are not migrations either.
 */
export const NEVER = ["**/node_modules/**", "**/migrations/migration_lock.toml", "**/db/structure.sql", "**/db/*_structure.sql", "**/db/schema.sql", "**/*.d.ts", "**/*.{test,spec}.*"];

const EXTENSION_READER: Record<string, Reader> = {
  rb: "ruby",
  py: "python",
  js: "javascript",
  ts: "javascript",
  cjs: "javascript",
  mjs: "javascript",
  cts: "javascript",
  mts: "javascript",
  yaml: "liquibase",
  yml: "liquibase",
  xml: "liquibase",
  json: "liquibase",
  go: "go",
};

export interface Layouts {
  /** The reader for a path, or null when the path is not a migration. */
  readerFor(path: string): Reader | null;
}

export function createLayouts(extraSqlGlobs: readonly string[] = []): Layouts {
  // Extensions and folder names are matched case-insensitively: `000002_x.up.SQL` is a migration too.
  const options = { dot: true, nocase: true };
  // The built-in globs run on every changed path: their literal parts rule out most paths first.
  const never = literalGuardedMatcher(NEVER, options);
  const builtIn = (Object.entries(BUILT_IN_GLOBS) as [Reader, readonly string[]][]).map(
    ([reader, globs]) => [reader, literalGuardedMatcher(globs, options)] as const,
  );
  const extra = globMatcher(extraSqlGlobs, options);
  // Asked several times per path in a scan (claims, preparation, ordering, analysis): match once.
  const known = new Map<string, Reader | null>();
  return {
    readerFor(path) {
      let reader = known.get(path);
      if (reader === undefined) {
        reader = match(path);
        known.set(path, reader);
      }
      return reader;
    },
  };

  function match(path: string): Reader | null {
    if (never(path)) return null;
    const extension = extensionOf(path);
    // A Liquibase changelog may be formatted SQL: the SQL reader handles that form.
    for (const [reader, matches] of builtIn) {
      if (!matches(path)) continue;
      if (reader === "liquibase" && extension === "sql") return "sql";
      if (reader === "sql" && extension !== "sql") continue;
      return reader;
    }
    // Policy globs (`paths.sql`): the extension says how to read the file.
    if (extra(path)) return EXTENSION_READER[extension] ?? "sql";
    return null;
  }
}

function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf("/") + 1);
}

/** Files that are rollback code as a whole: golang-migrate/sqlx `.down.sql`, Flyway `U<ver>__` undo scripts. */
export function isRollbackFile(path: string): boolean {
  const name = baseName(path);
  // `_down.sql` only with a version prefix (gitness' irregular names): `V7__scale_down.sql` is Flyway, forward.
  return /\.down\.sql$/i.test(name) || /^\d+_.*_down\.sql$/i.test(name) || isFlywayUndo(name);
}

/**
 * Flyway's undo migrations, `U<version>__<description>.sql`. Written out rather than as one pattern:
 * `[\w.]*__` can split a run of underscores many ways, and a name of them that then fails
 * backtracks quadratically. The version cannot pass an underscore pair's first occurrence.
 */
function isFlywayUndo(name: string): boolean {
  if (!/^U\d/.test(name) || !name.endsWith(".sql")) return false;
  const separator = name.indexOf("__", 2);
  return separator >= 2 && /^[\w.]*$/.test(name.slice(2, separator)) && /^.+$/.test(name.slice(separator + 2, -4));
}

/**
 * Files that are edited in the normal course of things, so an edit is not `sql/edited-migration`:
 * Flyway repeatable migrations (re-run whenever their checksum changes) and seed files.
 */
export function isMeantToBeEdited(path: string): boolean {
  return /^R__.+\.sql$/.test(baseName(path)) || /(^|\/)seeds?(\/|\.sql$)/i.test(path);
}

/** sqlc query files (`-- name: GetUser :one`) live under db/ too, but are queries the application runs, not migrations. */
export function isSqlcQueryFile(text: string): boolean {
  return /^--\s*name:\s*\w+\s+:(one|many|exec|execrows|execresult|execlastid|batchexec|batchmany|batchone|copyfrom)\b/m.test(text);
}

/** Whether a JSON, YAML or TOML file in a migrations folder is a pgroll (`operations`) or Reshape (`actions`) migration. */
export function isDeclarativeMigration(text: string): boolean {
  return /"operations"[ \t\r\n]*:|^operations[ \t]*:|^[ \t]*\[\[[ \t]*actions[ \t]*\]\]|"actions"[ \t\r\n]*:|^actions[ \t]*[:=]/m.test(text);
}
