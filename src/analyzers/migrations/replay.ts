/**
 * Builds the schema model of each migration directory from its migrations at base: every file the
 * engine read for the directory's scope (the unchanged ones and the base side of the changed ones),
 * in the framework's order, read by the framework's own reader in replay mode (see emit.ts). A file
 * that could not be read, a framework the model does not follow, or code it cannot see through is a
 * gap, and a gap never lets the model weaken a finding (schema.ts).
 */
import { SchemaModel } from "../sql/schema.js";
import type { ChangeSetInput, FileText, SqlDialect } from "../types.js";
import type { Reader } from "./layouts.js";
import { isRollbackFile, type Layouts } from "./layouts.js";
import { migrationRoot, runOrder } from "./order.js";

/** Readers whose schema operations the model follows (SQL text, Django and Alembic operations, SQL in Go code, Rails, Knex). */
export const MODELLED_READERS: ReadonlySet<Reader> = new Set<Reader>(["sql", "python", "go", "ruby", "javascript"]);

const FRAMEWORK: Record<Reader, string> = {
  sql: "SQL",
  python: "Python",
  go: "Go",
  ruby: "Rails",
  javascript: "JavaScript (Knex, TypeORM, Sequelize)",
  liquibase: "Liquibase changelog",
  declarative: "pgroll/Reshape",
};

export interface ReplayHooks {
  layouts: Layouts;
  dialect: (path: string) => SqlDialect;
  isMigrationText: (reader: Reader, text: string) => boolean;
  /** Reads one base file into the model through its framework's reader. */
  replay: (reader: Reader, file: FileText, model: SchemaModel) => void;
}

/**
 * A schema model built when it is first read, not before: a change whose judgements never ask the
 * model anything (an index, a new table, a dropped column) costs no replay of the history. Until
 * then the change's own replays (`defer`) are held in order; the first read replays the history and
 * then them, so every read sees exactly what an eager model would show at that point.
 */
export class LazyModel {
  /** Stands for the model wherever one is passed; any read or write of it builds the model first. */
  readonly model: SchemaModel;
  private built: SchemaModel | undefined;
  private readonly pending: (() => void)[] = [];

  constructor(private readonly build: () => SchemaModel) {
    const materialise = () => this.materialise();
    const bound = new Map<PropertyKey, unknown>();
    this.model = new Proxy(Object.create(SchemaModel.prototype) as SchemaModel, {
      get(_target, property) {
        const model = materialise();
        const value = Reflect.get(model, property, model) as unknown;
        if (typeof value !== "function") return value;
        // Methods run on the model itself (private state stays reachable).
        let method = bound.get(property);
        if (method === undefined) bound.set(property, (method = (value as (...args: unknown[]) => unknown).bind(model)));
        return method;
      },
      set: (_target, property, value) => Reflect.set(materialise(), property, value),
      has: (_target, property) => Reflect.has(materialise(), property),
    });
  }

  /** Whether anything has read the model (and so built it). */
  get read(): boolean {
    return this.built !== undefined;
  }

  /** Runs a replay of the change's own text now if the model is built, else when it is. */
  readonly defer = (replay: () => void): void => {
    if (this.built) replay();
    else this.pending.push(replay);
  };

  private materialise(): SchemaModel {
    if (this.built) return this.built;
    // Set before the held replays run: they write to `model`, which must reach this one.
    this.built = this.build();
    for (const replay of this.pending.splice(0)) replay();
    return this.built;
  }
}

/** One model per directory the engine read as a scope, keyed by the directory, each built when first read. */
export function buildModels(input: Pick<ChangeSetInput, "changes" | "unchanged" | "scopes" | "unread">, hooks: ReplayHooks): Map<string, LazyModel> {
  const texts = new Map<string, FileText[]>();
  const unread = new Map<string, string[]>();
  for (const scope of input.scopes) {
    texts.set(scope.dir, []);
    unread.set(scope.dir, []);
  }
  const add = (file: FileText) => texts.get(migrationRoot(file.path).root)?.push(file);
  for (const file of input.unchanged) add(file);
  for (const change of input.changes) if (change.base && change.status !== "added") add(change.base);
  for (const path of input.unread ?? []) unread.get(migrationRoot(path).root)?.push(path);
  const models = new Map<string, LazyModel>();
  for (const [root, files] of texts) models.set(root, new LazyModel(() => replayHistory(files, unread.get(root)!, hooks)));
  return models;
}

/** The model of one directory: its migrations at base replayed in the framework's order. */
function replayHistory(files: readonly FileText[], unread: readonly string[], hooks: ReplayHooks): SchemaModel {
  const model = new SchemaModel();
  try {
    for (const path of unread) {
      model.files++;
      model.gap(`${path} could not be read`, "all");
    }
    for (const file of runOrder(files)) {
      const reader = hooks.layouts.readerFor(file.path);
      if (reader === null || isRollbackFile(file.path) || !hooks.isMigrationText(reader, file.text)) continue;
      model.files++;
      if (!MODELLED_READERS.has(reader)) {
        model.gap(`${file.path} is a ${FRAMEWORK[reader]} migration, which the model does not follow`, "all");
        continue;
      }
      try {
        hooks.replay(reader, file, model);
      } catch (error) {
        model.gap(`${file.path} could not be read (${error instanceof Error ? error.message : String(error)})`, "all");
      }
    }
  } catch (error) {
    // A model that could not be built is never trusted: the judgements fall back, as without a history.
    model.files = Math.max(model.files, 1);
    model.gap(`the migrations at base could not be replayed (${error instanceof Error ? error.message : String(error)})`, "all");
  }
  model.origin = "change";
  return model;
}

/** The directories whose models the claimed files need: those of added forward migrations of a modelled framework. */
export function modelScopes(claimed: readonly { path: string; status: string }[], layouts: Layouts): { dir: string; recursive: boolean; include: (path: string) => boolean }[] {
  const roots = new Map<string, boolean>();
  for (const file of claimed) {
    if (file.status !== "added") continue;
    const reader = layouts.readerFor(file.path);
    if (reader === null || !MODELLED_READERS.has(reader) || isRollbackFile(file.path)) continue;
    const { root, nested } = migrationRoot(file.path);
    roots.set(root, (roots.get(root) ?? false) || nested);
  }
  return [...roots].map(([dir, recursive]) => ({
    dir,
    recursive,
    include: (path: string) => migrationRoot(path).root === dir && layouts.readerFor(path) !== null && !isRollbackFile(path),
  }));
}
