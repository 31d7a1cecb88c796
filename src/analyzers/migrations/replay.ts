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

/** Readers whose schema operations the model follows (SQL text, Django operations, SQL in Go code). */
export const MODELLED_READERS: ReadonlySet<Reader> = new Set<Reader>(["sql", "python", "go"]);

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

/** One model per directory the engine read as a scope, keyed by the directory. */
export function buildModels(input: Pick<ChangeSetInput, "changes" | "unchanged" | "scopes" | "unread">, hooks: ReplayHooks): Map<string, SchemaModel> {
  const models = new Map<string, SchemaModel>();
  for (const scope of input.scopes) models.set(scope.dir, new SchemaModel());
  if (models.size === 0) return models;
  const texts = new Map<string, FileText[]>();
  const add = (file: FileText) => {
    const { root } = migrationRoot(file.path);
    if (!models.has(root)) return;
    const list = texts.get(root);
    if (list) list.push(file);
    else texts.set(root, [file]);
  };
  for (const file of input.unchanged) add(file);
  for (const change of input.changes) if (change.base && change.status !== "added") add(change.base);
  for (const path of input.unread ?? []) {
    const model = models.get(migrationRoot(path).root);
    if (!model) continue;
    model.files++;
    model.gap(`${path} could not be read`, "all");
  }
  for (const [root, files] of texts) {
    const model = models.get(root)!;
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
  }
  for (const model of models.values()) model.origin = "change";
  return models;
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
