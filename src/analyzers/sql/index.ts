import { loadModule } from "libpg-query";
import type { Finding, Side } from "../../model/finding.js";
import type { SqlDialect } from "../types.js";
import type * as Dialects from "./dialects.js";
import { analyzePostgres } from "./postgres.js";
import type { ColumnDefinition } from "./rebuild.js";
import { Run } from "./run.js";
import type { SchemaModel } from "./schema.js";
import { SqlSource } from "./source.js";
import * as rules from "../../../rules/sql/index.js";

/** Where a piece of SQL sits and how it runs; a migration file may hold several (up and down sections). */
export interface SqlContext {
  file: string;
  side: Side;
  dialect: SqlDialect;
  /** 1-based line in the file at which `text` starts. */
  startLine?: number;
  /** Rollback code (down migrations): findings are lowered to `low`. */
  rollback?: boolean;
  /**
   * Tables created earlier in the same migration, or by an earlier migration added in the same change
   * (see migrations/order.ts), lower-cased and unqualified; updated as statements are read.
   */
  createdTables?: Set<string>;
  /** Set when the SQL was found inside another language (an ORM call): opaque code rules word their message for it. */
  embeddedIn?: string;
  /**
   * What is known of tables as they were before this text runs (lower-cased unqualified name → columns),
   * from a schema model of the base history: a table rebuild is then judged column by column.
   */
  tableDefinitions?: ReadonlyMap<string, ColumnDefinition[]>;
  /**
   * The schema model of the migrations at base, as it stands just before this text (see schema.ts): IF NOT
   * EXISTS of a table it knows is absent creates a new one, a type change says from what, an UPDATE of a
   * column it knows held data is reported. Read only here; the migration analyzer updates it.
   */
  schema?: SchemaModel;
  /**
   * How the migration tool runs this text: `wrapped` in one transaction (goose, dbmate, sqlx, Rails, Django,
   * Alembic, Knex by default), `none` statement by statement (their no-transaction markers). Unknown when
   * absent; an explicit BEGIN … COMMIT in the text counts either way.
   */
  transaction?: TransactionMode;
}

export type TransactionMode = "wrapped" | "none";

/**
 * Texts larger than this are not analysed statement by statement: one `sql/unparsed` finding asks a
 * person to read them. (The engine's own file limit is lower; this guards direct callers.)
 */
export const MAX_SQL_TEXT_CHARS = 64 * 1024 * 1024;
/** node-sql-parser parses statement by statement and is slower: its limit is lower. */
export const MAX_OTHER_DIALECT_TEXT_CHARS = 16 * 1024 * 1024;

let loaded: Promise<void> | undefined;
let ready = false;
/** node-sql-parser (the other dialects) is large: it loads only when a file of another dialect is read. */
let otherDialects: typeof Dialects | undefined;
let loadingDialects: Promise<void> | undefined;

/** Loads every parser once; call before `analyzeSqlText`. */
export async function loadSqlParsers(): Promise<void> {
  await loadSqlParsersFor(undefined);
}

/**
 * Loads what the given dialects need, once: libpg-query's WASM for PostgreSQL, node-sql-parser
 * for the others; every parser when `dialects` is undefined.
 */
export async function loadSqlParsersFor(dialects: readonly SqlDialect[] | undefined): Promise<void> {
  const waits: Promise<void>[] = [];
  if (dialects === undefined || dialects.includes("postgresql")) {
    loaded ??= loadModule().then(() => {
      ready = true;
    });
    waits.push(loaded);
  }
  if (dialects === undefined || dialects.some((dialect) => dialect !== "postgresql")) {
    loadingDialects ??= import("./dialects.js").then((module) => {
      otherDialects = module;
    });
    waits.push(loadingDialects);
  }
  await Promise.all(waits);
}

/** Every `sql/*` finding in one piece of SQL. Never throws: what it cannot parse becomes `sql/unparsed`. */
export function analyzeSqlText(text: string, context: SqlContext): Finding[] {
  return readSqlText(text, context).findings;
}

/** `analyzeSqlText` with the account of what was read: each statement's bytes and verdict (`Run.read`). */
export function readSqlText(text: string, context: SqlContext): Run {
  const run = new Run(context, text);
  const startLine = context.startLine ?? 1;
  const prefix = context.embeddedIn ? `${context.embeddedIn}: ` : "";
  const limit = context.dialect === "postgresql" ? MAX_SQL_TEXT_CHARS : MAX_OTHER_DIALECT_TEXT_CHARS;
  if (text.length > limit) {
    run.report(
      { line: startLine, endLine: startLine, prefix },
      rules.unparsed,
      `This SQL is ${Math.round(text.length / 1024 / 1024)} MiB, over the ${limit / 1024 / 1024} MiB analysis limit for ${context.dialect}; nothing in it was checked`,
    );
    return run;
  }
  if (text.includes("\0")) {
    // The parser reads C strings: a NUL would silently end the text there. Blank them (same byte length,
    // so positions hold) and say that this is not plain SQL.
    run.report(
      { line: startLine, endLine: startLine, prefix },
      rules.unparsed,
      "This text contains NUL bytes, so it is probably not SQL; it was analysed with them blanked out",
    );
    text = text.replaceAll("\0", " ");
  }
  const source = new SqlSource(text, startLine);
  try {
    if (context.dialect === "postgresql") {
      if (!ready) throw new Error("the PostgreSQL parser is not loaded (call loadSqlParsers() first)");
      analyzePostgres(run, source, { prefix, depth: 0 });
    } else {
      if (!otherDialects) throw new Error(`the ${context.dialect} parser is not loaded (call loadSqlParsers() first)`);
      otherDialects.analyzeOtherDialect(run, source, context.dialect);
    }
    run.finish();
  } catch (error) {
    // Fail closed: an internal error is a finding for a person, never a silent pass.
    const message = error instanceof Error ? error.message : String(error);
    run.report({ line: startLine, endLine: source.lineAt(Math.max(0, source.length - 1)), prefix }, rules.unparsed, `The SQL analyzer failed on this text (${message})`);
  }
  return run;
}
