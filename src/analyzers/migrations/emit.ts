import type { Finding, Side } from "../../model/finding.js";
import type { RuleMeta } from "../../model/rule.js";
import { report, unqualified } from "../report.js";
import { analyzeSqlText } from "../sql/index.js";
import { replaySql } from "../sql/replay.js";
import type { SchemaModel } from "../sql/schema.js";
import { codeNormalisation, normaliseStatement } from "../sql/statement.js";
import type { SqlDialect } from "../types.js";
import type { TransactionMode } from "../sql/index.js";

export interface Placement {
  /** Rollback code (a down migration): reported at `low` with `rollback: true`. */
  rollback?: boolean;
  /** The author's acknowledgement marker (`safety_assured`): shown, never obeyed. */
  acknowledged?: string;
}

export interface OperationOptions extends Placement {
  object?: string;
  /** The table the operation acts on: one created earlier in the same change loses nothing (see report.ts). */
  table?: string;
  cascade?: boolean;
  severity?: Finding["severity"];
  /** The normalised operation (`Finding.statement`); defaults to the call being read (see `within`). */
  statement?: string;
}

export interface EmbeddedSqlOptions extends Placement {
  /** The construct the SQL was found in, e.g. `execute` or `queryRunner.query`. */
  embeddedIn?: string;
  /** How the tool runs this SQL, when it differs from the file's `Emitter.transaction` (an Alembic autocommit block). */
  transaction?: TransactionMode;
}

/**
 * The schema model a file is read with. `replay`: a migration at base, read only to build the model (its
 * findings are dropped; what it cannot follow becomes a gap). Otherwise a migration of the change,
 * judged against the model as it stands before it and then applied to it.
 */
export interface SchemaUse {
  model: SchemaModel;
  replay: boolean;
  /** Runs the change's own replay of a text into the model; a model built on first read holds it until then. */
  defer?: (replay: () => void) => void;
}

/**
 * Collects the findings of one side of one migration file. ORM operations become findings of
 * the `sql/*` rule that the equivalent SQL statement would get; SQL text goes to the SQL analyzer
 * at its real line. Forward and rollback code keep separate "created in this migration" sets.
 */
export class Emitter {
  readonly findings: Finding[] = [];
  /** The source of the ORM call being read, for `Finding.statement`. */
  private current: (() => string) | undefined;
  private readonly created: { forward: Set<string>; rollback: Set<string> };
  /** How the framework runs this migration (set by the reader from the file's markers); undefined when unknown. */
  transaction: TransactionMode | undefined;

  /**
   * `created` seeds the forward set: tables created by earlier migrations added in the same change.
   * It is shared, not copied, so what this file creates counts for the migrations after it.
   */
  constructor(
    readonly file: string,
    readonly side: Side,
    readonly dialect: SqlDialect,
    created?: Set<string>,
    /** The schema model, for the migrations that take part in it (see `SchemaUse`). */
    readonly schema?: SchemaUse,
  ) {
    this.created = { forward: created ?? new Set<string>(), rollback: new Set<string>() };
  }

  /** The model to judge against (not while replaying the base). */
  get model(): SchemaModel | undefined {
    return this.schema && !this.schema.replay ? this.schema.model : undefined;
  }

  /** Applies a write to the schema model: at once while replaying the base, else when the model is first read (replay.ts `defer`). */
  toModel(write: (model: SchemaModel) => void): void {
    const schema = this.schema;
    if (!schema) return;
    if (!schema.replay && schema.defer) schema.defer(() => write(schema.model));
    else write(schema.model);
  }

  /** Tables created earlier in the forward (or rollback) part, lower-cased and unqualified. */
  createdTables(rollback = false): Set<string> {
    return rollback ? this.created.rollback : this.created.forward;
  }

  noteCreated(table: string | undefined, rollback = false): void {
    if (table) this.createdTables(rollback).add(unqualified(table));
  }

  /**
   * Reads one ORM call: operations reported meanwhile are bound to its source, normalised (comments and
   * whitespace folded). The text is taken only if a finding needs it.
   */
  within<T>(source: () => string, language: "javascript" | "python" | "ruby", read: () => T): T {
    const outer = this.current;
    let text: string | undefined;
    this.current = () => (text ??= normaliseStatement(source(), codeNormalisation(language)));
    try {
      return read();
    } finally {
      this.current = outer;
    }
  }

  /** A finding of `rule` for an ORM operation at `line`, judged by the one reporter. */
  operation(rule: RuleMeta, line: number, message: string, options: OperationOptions = {}): void {
    const rollback = options.rollback ?? false;
    if (this.schema?.replay) {
      // Replaying the base: only what the reading could not follow matters, as a gap in the model.
      if (!rollback && (rule.id === "sql/unparsed" || rule.id === "sql/opaque-code")) {
        this.schema.model.gap(`${this.file}:${line}: ${message}`, rule.id === "sql/unparsed" ? "all" : "sql");
      }
      return;
    }
    const statement = options.statement ?? this.current?.();
    const found = report(
      rule,
      {
        file: this.file,
        side: this.side,
        line,
        rollback,
        created: this.createdTables(rollback),
        ...(options.acknowledged !== undefined ? { acknowledged: options.acknowledged } : {}),
      },
      message,
      {
        ...(options.object !== undefined ? { object: options.object } : {}),
        ...(statement !== undefined && statement !== "" ? { statement } : {}),
        ...(options.table !== undefined ? { table: options.table } : {}),
        ...(options.cascade ? { cascade: true } : {}),
        ...(options.severity ? { severity: options.severity } : {}),
      },
    );
    if (found) this.findings.push(found);
  }

  /** SQL text found in the file, starting at `startLine`. */
  sql(text: string, startLine: number, options: EmbeddedSqlOptions = {}): void {
    if (text.trim() === "") return;
    const rollback = options.rollback ?? false;
    if (this.schema?.replay) {
      if (!rollback) replaySql(this.schema.model, text, this.dialect, `${this.file}:${startLine}`);
      return;
    }
    const transaction = options.transaction ?? this.transaction;
    const found = analyzeSqlText(text, {
      ...(transaction !== undefined ? { transaction } : {}),
      file: this.file,
      side: this.side,
      dialect: this.dialect,
      startLine,
      rollback,
      createdTables: this.createdTables(rollback),
      ...(options.embeddedIn !== undefined ? { embeddedIn: options.embeddedIn } : {}),
      ...(this.schema && !rollback ? { schema: this.schema.model } : {}),
    });
    // What this text does is part of the state the statements after it are judged against.
    if (!rollback) this.toModel((model) => replaySql(model, text, this.dialect, `${this.file}:${startLine}`));
    for (const f of found) {
      // The SQL analyzer lowers rollback code itself; this holds the line even if it did not.
      const adjusted: Finding = rollback ? { ...f, severity: "low", rollback: true } : { ...f };
      if (options.acknowledged !== undefined && adjusted.acknowledged === undefined) adjusted.acknowledged = options.acknowledged;
      this.findings.push(adjusted);
    }
  }
}

export { unqualified };
