import type { Finding } from "../../model/finding.js";
import { finding } from "../../model/rule.js";
import type { ChangedFile } from "../../source/source.js";
import type { AnalysisContext, Analyzer, FileChange, ScopeQuery, SqlDialect } from "../types.js";
import { SchemaModel } from "../sql/schema.js";
import type { Emitter, SchemaUse } from "./emit.js";
import { readGoMigration } from "./go.js";
import { createLayouts, isDeclarativeMigration, isMeantToBeEdited, isSqlcQueryFile, type Layouts, type Reader } from "./layouts.js";
import { migrationOrder, migrationRoot } from "./order.js";
import { buildModels, LazyModel, modelScopes } from "./replay.js";
import { liquibaseChangesets, readSqlMigration } from "./sql-files.js";
import * as rules from "../../../rules/sql/index.js";

/** Added migrations up to this many characters are judged once more to learn whether they need their history (see `probe`). */
const PROBE_CHARS = 256 * 1024;

export interface MigrationAnalyzerOptions {
  /** The policy's `paths.sql` globs, added to the frameworks' layouts. */
  paths?: readonly string[];
  /** The policy's `sql.dialect`, for files whose path does not name one. */
  dialect?: SqlDialect;
  /** Read a directory's history only when a judgement reads its model (default true; false reads it always, for comparison). */
  probe?: boolean;
}

/** The migration analyzer: knows the frameworks' layouts and hands the SQL they run to the SQL analyzer. */
export function createMigrationAnalyzer(options: MigrationAnalyzerOptions = {}): Analyzer {
  const layouts = createLayouts(options.paths ?? []);
  const dialect = options.dialect ?? "postgresql";
  /** The paths the engine said were claimed (set by `scopes`); the other changes of a scope are context only. */
  let claimedPaths: Set<string> | undefined;
  /** Directories whose history was not read because no judgement of the change asks their model anything (see `probe`). */
  let unmodelled = new Set<string>();
  return {
    id: "sql",
    get unparsedRule() {
      return rules.unparsed;
    },
    claims: (path) => layouts.readerFor(path) !== null,
    prepare: (claimed) => loadReaders(claimed, layouts, dialect),
    // The migration directories of the added migrations, read whole to model the schema at base.
    scopes: ({ claimed, texts }) => {
      claimedPaths = new Set(claimed.map((file) => file.path));
      const scopes = modelScopes(claimed, layouts);
      const skip = scopes.length > 0 && options.probe !== false ? probe(claimed, texts, new Set(scopes.map((scope) => scope.dir))) : undefined;
      unmodelled = skip ?? new Set();
      return skip ? [] : scopes;
    },
    analyze: (change, context) => analyzeFile(change, context),
    analyzeAll(input, context) {
      const findings: Finding[] = [];
      // Files of the directories that no one claimed (an excluded path) only feed the model.
      const judged = claimedPaths === undefined ? input.changes : input.changes.filter((change) => claimedPaths!.has(change.path));
      const models = buildModels(input, {
        layouts,
        dialect: (path) => dialectFor(path, dialect),
        isMigrationText,
        replay: (reader, file, model) => read(reader, file.text, file.path, new (loaded("emit").Emitter)(file.path, "base", dialectFor(file.path, dialect), undefined, { model, replay: true })),
      });
      // Without the probe, every model is built before any judgement, as a model always was.
      if (options.probe === false) for (const lazy of models.values()) void lazy.model.files;
      for (const root of unmodelled) {
        // The probe showed no judgement reads this model; one that did after all fails on its file, never passes it.
        models.set(
          root,
          new LazyModel(() => {
            throw new Error(`the schema model of ${root || "the repository root"} was read, but its history was not`);
          }),
        );
      }
      for (const { change, created } of migrationOrder(judged, layouts)) {
        // Only added forward migrations run after the base's: they are judged against the model.
        const lazy = created ? models.get(migrationRoot(change.path).root) : undefined;
        try {
          findings.push(...analyzeFile(change, context, created, lazy ? { model: lazy.model, replay: false, defer: lazy.defer } : undefined));
        } catch (error) {
          // One file's failure is that file's finding; the others are still judged.
          const side = change.head ? "head" : "base";
          const message = error instanceof Error ? error.message : String(error);
          findings.push(
            finding(rules.unparsed, { file: change.path, line: 1, side }, `The sql analyzer failed on this file: ${message}`, { object: change.path }),
          );
        }
      }
      return findings;
    },
  };

  /**
   * Whether the added migrations can be judged without the history of their directories: they are
   * judged once here, in the order `analyzeAll` judges them, against models that note any read.
   * When none is read, the findings cannot depend on the history, and the directories (returned)
   * need not be read at all. Undefined (read them) when a claimed file's text is not at hand, the
   * change is too large to judge twice cheaply, or any model was read.
   */
  function probe(claimed: ScopeQuery["claimed"], texts: ScopeQuery["texts"], roots: ReadonlySet<string>): Set<string> | undefined {
    if (!ready.emit) return undefined;
    const heads = new Map<string, string>();
    for (const text of texts) if (text.side === "head") heads.set(text.path, text.text);
    const changes: FileChange[] = [];
    let chars = 0;
    for (const file of claimed) {
      if (file.status !== "added") continue;
      const text = heads.get(file.path);
      // Not read (yet, or at all): judged without the probe.
      if (text === undefined) return undefined;
      chars += text.length;
      if (chars > PROBE_CHARS) return undefined;
      changes.push({ path: file.path, status: "added", base: null, head: { path: file.path, text } });
    }
    let asked = false;
    const models = new Map<string, LazyModel>();
    for (const { change, created } of migrationOrder(changes, layouts)) {
      if (!created) continue;
      const root = migrationRoot(change.path).root;
      if (!roots.has(root)) continue;
      let lazy = models.get(root);
      if (!lazy) {
        lazy = new LazyModel(() => {
          asked = true;
          return new SchemaModel();
        });
        models.set(root, lazy);
      }
      try {
        analyzeFile(change, { authorKind: "human" }, created, { model: lazy.model, replay: false, defer: lazy.defer });
      } catch {
        return undefined;
      }
      if (asked) return undefined;
    }
    return new Set(roots);
  }

  /** One file; `created` holds the tables created by earlier migrations added in the same change. */
  function analyzeFile(change: FileChange, _context: AnalysisContext, created?: Set<string>, schema?: SchemaUse): Finding[] {
    const headReader = change.head ? layouts.readerFor(change.path) : null;
    const basePath = change.previousPath ?? change.path;
    const baseReader = change.base ? layouts.readerFor(basePath) : null;
    const findings: Finding[] = [];
    // A helper module next to the migrations, or a YAML file that is not a changelog: not a migration on either side.
    const reader = headReader ?? baseReader;
    if (reader !== null && ![change.head, change.base].some((side) => side !== null && isMigrationText(reader, side.text))) return findings;

    // Liquibase changelogs grow by appending changesets: judge them changeset by changeset.
    const changelog = liquibaseDiff(change, headReader, baseReader);
    if (changelog) {
      findings.push(...changelog.edited);
    } else if (change.status !== "added" && baseReader !== null && !isMeantToBeEdited(basePath)) {
      findings.push(editedMigration(change));
    }
    // A deleted migration no longer runs: only the edit itself is reported.
    if (!change.head || headReader === null) return findings;

    const emit = new (loaded("emit").Emitter)(change.path, "head", dialectFor(change.path, dialect), created, schema);
    read(headReader, change.head.text, change.path, emit, changelog?.changed);
    findings.push(...emit.findings);
    return findings;
  }
}

/**
 * The parsers load when a file needs them (dynamic import in `prepare`), not when changegate
 * starts: a Prisma migration never loads the TypeScript compiler, and a scan with no migration
 * loads no SQL parser. Module-level, so every analyzer instance of the process shares them.
 */
const modules = {
  declarative: () => import("./declarative.js"),
  emit: () => import("./emit.js"),
  javascript: () => import("./javascript.js"),
  liquibase: () => import("./liquibase.js"),
  python: () => import("./python.js"),
  ruby: () => import("./ruby.js"),
};
type Modules = { [K in keyof typeof modules]: Awaited<ReturnType<(typeof modules)[K]>> };
const ready: Partial<Modules> = {};
const loading = new Map<keyof Modules, Promise<void>>();

function loaded<K extends keyof Modules>(name: K): Modules[K] {
  const module = ready[name];
  if (!module) throw new Error(`the ${name} reader is not loaded (prepare() the analyzer first)`);
  return module;
}

function load(name: keyof Modules): Promise<void> {
  let promise = loading.get(name);
  if (!promise) {
    promise = modules[name]().then((module) => {
      (ready as Record<string, unknown>)[name] = module;
    });
    // A failed load is tried again by the next scan.
    promise.catch(() => loading.delete(name));
    loading.set(name, promise);
  }
  return promise;
}

/** Which modules and SQL dialects the claimed files need; every one of them when `claimed` is not given. */
async function loadReaders(claimed: readonly ChangedFile[] | undefined, layouts: Layouts, dialect: SqlDialect): Promise<void> {
  const names = new Set<keyof Modules>(["emit"]);
  let dialects: SqlDialect[] | undefined;
  if (claimed === undefined) {
    for (const name of Object.keys(modules) as (keyof Modules)[]) names.add(name);
  } else {
    const wanted = new Set<SqlDialect>();
    for (const file of claimed) {
      for (const path of file.previousPath === undefined ? [file.path] : [file.path, file.previousPath]) {
        const reader = layouts.readerFor(path);
        if (reader === null) continue;
        // Every reader hands SQL to the SQL analyzer, in the dialect of the file's path.
        wanted.add(dialectFor(path, dialect));
        if (reader in modules) names.add(reader as keyof Modules);
      }
    }
    dialects = [...wanted];
  }
  const sql = await import("../sql/index.js");
  await Promise.all([...[...names].map(load), sql.loadSqlParsersFor(dialects)]);
}

/**
 * Whether a file in a migration folder is a migration of its framework. Path globs find the
 * folders; this keeps helper modules, sqlc query files and other YAML there from being judged.
 */
function isMigrationText(reader: Reader, text: string): boolean {
  switch (reader) {
    case "sql":
      return !isSqlcQueryFile(text);
    case "ruby":
      return true;
    case "python":
      return /\bdef\s+(upgrade|downgrade)\w*\s*\(|\bclass\s+Migration\b|\bfrom\s+(alembic|django)\b|\bimport\s+(alembic|django)\b/.test(text);
    case "javascript":
      // exports.up, export function up, `up(queryRunner)`, `up: async (…) =>`, `async up(…)`
      return /\bexports\.up\b|\bfunction\s+up\b|\bconst\s+up\b|(^|[\s{,])(async\s+)?up\s*(\(|:)/m.test(text);
    case "liquibase":
      return text.includes("databaseChangeLog");
    case "go":
      return /\bgoose\.Add\w*Migration/.test(text);
    case "declarative":
      return isDeclarativeMigration(text);
  }
}

function read(reader: Reader, text: string, path: string, emit: Emitter, only?: ReadonlySet<string>): void {
  switch (reader) {
    case "sql":
      return readSqlMigration(path, text, emit, only);
    case "ruby":
      return loaded("ruby").readRubyMigration(text, emit);
    case "python":
      return loaded("python").readPythonMigration(text, emit, path);
    case "javascript":
      return loaded("javascript").readJavaScriptMigration(text, emit, path);
    case "liquibase":
      return loaded("liquibase").readLiquibaseChangelog(text, emit, path, only);
    case "go":
      return readGoMigration(text, emit);
    case "declarative":
      return loaded("declarative").readDeclarativeMigration(text, emit, path);
  }
}

const DIALECT_HINTS: [RegExp, SqlDialect][] = [
  [/(^|[/._-])mysql([/._-])/, "mysql"],
  [/(^|[/._-])mariadb([/._-])/, "mariadb"],
  [/(^|[/._-])sqlite3?([/._-])/, "sqlite"],
  [/(^|[/._-])(postgres|postgresql|pg|cockroach|cockroachdb)([/._-])/, "postgresql"],
  [/(^|[/._-])(mssql|sqlserver)([/._-])/, "sqlserver"],
];

/**
 * Repositories that support several databases keep one migration set per dialect and say which
 * in the path (`migrations/mysql/003_x.sql`, pop's `x.mysql.up.sql`): that beats the policy's
 * single `sql.dialect` for the file.
 */
export function dialectFor(path: string, configured: SqlDialect): SqlDialect {
  const lower = path.toLowerCase();
  for (const [pattern, dialect] of DIALECT_HINTS) if (pattern.test(lower)) return dialect;
  return configured;
}

function editedMigration(change: FileChange): Finding {
  const rule = rules.editedMigration;
  if (change.status === "deleted") {
    return finding(rule, { file: change.path, line: 1, side: "base" }, `Deletes the migration ${change.path}, which may already have run`, {
      object: change.path,
    });
  }
  const what =
    change.status === "renamed"
      ? `Renames the migration ${change.previousPath ?? "?"} to ${change.path}`
      : `Modifies the migration ${change.path}`;
  return finding(rule, { file: change.path, line: 1, side: "head" }, `${what}, which may already have run`, { object: change.path });
}

interface ChangelogDiff {
  /** `sql/edited-migration` findings for changesets changed or removed. */
  edited: Finding[];
  /** The head changesets to analyse: new or changed ones. */
  changed: Set<string>;
}

/**
 * For a Liquibase changelog present on both sides: the changesets that are new or changed. Null
 * when the file is not a changelog on both sides or either side cannot be read as one (then the
 * whole file counts as edited and is analysed in full).
 */
function liquibaseDiff(change: FileChange, headReader: Reader | null, baseReader: Reader | null): ChangelogDiff | null {
  if (!change.base || !change.head || headReader === null || baseReader === null) return null;
  const sides = [change.base, change.head].map((side, i) => {
    const reader = i === 0 ? baseReader : headReader;
    if (reader === "sql") return liquibaseChangesets(side.text);
    if (reader === "liquibase") return loaded("liquibase").changelogChangesets(side.text, side.path);
    return null;
  });
  const [base, head] = sides;
  if (!base || !head) return null;
  const rule = rules.editedMigration;
  const edited: Finding[] = [];
  const changed = new Set<string>();
  for (const [id, set] of head) {
    const before = base.get(id);
    if (before === undefined) {
      changed.add(id);
    } else if (before.body !== set.body) {
      changed.add(id);
      edited.push(finding(rule, { file: change.path, line: set.line, side: "head" }, `Changes the changeset ${id}, which may already have run`, { object: id }));
    }
  }
  for (const [id, set] of base) {
    if (!head.has(id)) {
      edited.push(
        finding(rule, { file: change.path, line: set.line, side: "base" }, `Removes the changeset ${id}, which may already have run`, { object: id }),
      );
    }
  }
  if (change.status === "renamed") edited.push(editedMigration(change));
  return { edited, changed };
}

