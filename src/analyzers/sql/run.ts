import type { Finding, Severity } from "../../model/finding.js";
import type { RuleMeta } from "../../model/rule.js";
import type { SqlContext } from "./index.js";
import { editDistance } from "../../util/edit-distance.js";
import { report } from "../report.js";
import { Rebuilds } from "./rebuild.js";
import { unqualified } from "./tokens.js";

/** Where a statement sits, and what applies to every finding in it. */
export interface Spot {
  line: number;
  endLine: number;
  /** A suppression comment that applies to this statement (shown, never obeyed). */
  ack?: string;
  /** Says where embedded code came from, e.g. `DO block: `. */
  prefix: string;
  /** The statement's normalised text (`Finding.statement`), computed when a finding needs it. */
  statement?: () => string;
}

export interface ReportOptions {
  object?: string;
  /** The table the statement acts on: one created earlier in the same change loses nothing (see report.ts). */
  table?: string;
  cascade?: boolean;
  severity?: Severity;
  statement?: string;
}

const NONE_CREATED: ReadonlySet<string> = new Set<string>();

/** A CHECK constraint as one text saw it added or validated. */
export interface TextCheck {
  /** The column of an enforced `CHECK (column IS NOT NULL)`; undefined for any other check. */
  notNullOf?: string;
  validated: boolean;
  /**
   * Validated in a later transaction than the one that added it (or added valid): only then did the
   * scan run without the ACCESS EXCLUSIVE lock that ADD CONSTRAINT takes.
   */
  apart: boolean;
  /** `transactionEnds` when it was added, and whether that statement ran on its own (no transaction block). */
  addedAt: number;
  addedAlone: boolean;
}

/**
 * The tables of a created-in-this-change set that were created with IF NOT EXISTS (new by the
 * schema model, not by proof), kept beside the set so that every file of the change sees them.
 */
const GUARDED = new WeakMap<ReadonlySet<string>, Set<string>>();
function guardedIn(created: ReadonlySet<string>): Set<string> {
  let guarded = GUARDED.get(created);
  if (!guarded) GUARDED.set(created, (guarded = new Set()));
  return guarded;
}

/**
 * Beside the same set: tables created with IF NOT EXISTS that the schema model could not place, with
 * why, so that a later text of the change (a Go migration's next ExecContext, the next file) says it too.
 */
const UNCERTAIN = new WeakMap<ReadonlySet<string>, Map<string, string>>();
function uncertainIn(created: ReadonlySet<string>): Map<string, string> {
  let uncertain = UNCERTAIN.get(created);
  if (!uncertain) UNCERTAIN.set(created, (uncertain = new Map()));
  return uncertain;
}

/** The state of one `analyzeSqlText` call: its findings and what it learnt so far. */
export class Run {
  readonly findings: Finding[] = [];
  readonly created: Set<string>;
  /** Per table (lower-cased): dropped-column findings and added columns, to spot a rename done as drop + add. */
  private readonly columns = new Map<string, { dropped: { finding: Finding; column: string; similar?: boolean }[]; added: string[] }>();
  fileAck: string | undefined;
  /** Each statement of the text by bytes, and whether a rule judged it, it was reported unparsed, or it was skipped as harmless. */
  readonly read: { start: number; end: number; verdict: "judged" | "reported" | "harmless" }[] = [];
  /** Prepared statements (PREPARE name, lower-cased) seen so far: EXECUTE of another name is opaque. */
  readonly prepared = new Set<string>();
  /** Functions and procedures created so far (unqualified, lower-cased): their bodies were read. */
  readonly routines = new Set<string>();
  private readonly statements = new Map<() => string, string>();
  /** Top-level statements that may be part of a table rebuild (create, copy, drop, rename), judged at the end. */
  private readonly rebuilds: Rebuilds;

  /** Whether the statement being read runs inside a transaction block; undefined when the tool's mode is unknown. */
  inTransaction: boolean | undefined;
  /**
   * Tables created with IF NOT EXISTS that the schema model could not place (lower-cased, unqualified →
   * why): they are judged as possibly existing, and findings on them say why.
   */
  readonly uncertain: Map<string, string>;
  /** Columns (`table.column`, lower-cased) an earlier statement read into another column: their values are kept. */
  readonly copied = new Set<string>();
  /** Enum values added (ALTER TYPE … ADD VALUE) in the current transaction: using one before COMMIT fails. */
  readonly newEnumValues: { type: string; value: string }[] = [];
  /** COMMITs and ROLLBACKs read so far: a check added before one was added in an earlier transaction. */
  transactionEnds = 0;
  /**
   * CHECK constraints this text added or validated (`table.name`, unqualified, lower-cased). The schema
   * model holds only what ran before this text, so the safe NOT NULL steps of one migration are kept here.
   */
  readonly checks = new Map<string, TextCheck>();
  /** Checks this text dropped (same keys): the model's copy of them no longer holds. */
  readonly droppedChecks = new Set<string>();
  /** Columns (`table.column`, table unqualified and lower-cased) this text set NOT NULL (true) or DROP NOT NULL (false). */
  readonly nullability = new Map<string, boolean>();

  constructor(
    readonly context: SqlContext,
    /** The text this run reads, when known: it says whether the rebuild reading can need `created`. */
    text?: string,
  ) {
    this.created = context.createdTables ?? new Set<string>();
    this.uncertain = uncertainIn(this.created);
    this.inTransaction = context.transaction === undefined ? undefined : context.transaction === "wrapped";
    // The rebuild reading needs the tables created before this text only where a copy (INSERT or
    // REPLACE) and a DROP can both occur. Copying a long history's set for every other text would
    // make a history of added migrations quadratic.
    const mayRebuild = text === undefined || (/insert|replace/i.test(text) && /drop/i.test(text));
    this.rebuilds = new Rebuilds(mayRebuild ? new Set(this.created) : NONE_CREATED, context.tableDefinitions);
  }

  /**
   * A top-level statement has been read: `findingsBefore` is how many findings there were before it.
   * The rebuild reading keeps it if it may be part of a table rebuild.
   */
  noteStatement(text: string, spot: Spot, findingsBefore: number): void {
    this.rebuilds.note(text, findingsBefore, this.findings.length, (rule, message, options) => this.report(spot, rule, message, options));
  }

  /** Called once every statement is read: judgements that need the whole text (table rebuilds). */
  finish(): void {
    this.rebuilds.judge(this.findings);
  }

  /**
   * `CREATE TABLE IF NOT EXISTS name`: a new table when the schema model knows it did not exist, so what
   * follows on it loses nothing; otherwise it may exist, as before, and the model's reason is kept.
   */
  guardedCreate(name: string): void {
    const verdict = this.context.schema?.absent(name);
    if (verdict === true) {
      this.created.add(unqualified(name));
      guardedIn(this.created).add(unqualified(name));
    } else if (typeof verdict === "string") this.uncertain.set(unqualified(name), verdict);
  }

  /** Whether the table counts as created only because the schema model took an IF NOT EXISTS as new. */
  guarded(table: string): boolean {
    return guardedIn(this.created).has(unqualified(table));
  }

  report(spot: Spot, rule: RuleMeta, message: string, options: ReportOptions = {}): Finding | null {
    const on = options.table ?? options.object;
    const doubt = rule.existingOnly && on !== undefined && !this.created.has(unqualified(on)) ? this.uncertain.get(unqualified(on)) : undefined;
    if (doubt !== undefined) message += `; CREATE TABLE IF NOT EXISTS earlier cannot tell whether it is new, because ${doubt}`;
    // The history not creating a table does not prove production has none: a table made by hand or by
    // another service survives IF NOT EXISTS with its rows. Losing data on it is still reported.
    let created: ReadonlySet<string> = this.created;
    const guarded = on !== undefined && rule.category === "data-loss" && guardedIn(this.created).has(unqualified(on));
    if (guarded) {
      created = new Set([...this.created].filter((table) => table !== unqualified(on)));
      message += `; the table is created with IF NOT EXISTS in this change, and where it already exists outside the migrations its rows are lost`;
    }
    const ack = spot.ack ?? this.fileAck;
    const statement = spot.statement ? this.statementOf(spot.statement) : "";
    const result = report(
      rule,
      {
        file: this.context.file,
        side: this.context.side,
        line: spot.line,
        endLine: spot.endLine,
        rollback: this.context.rollback === true,
        created,
        ...(ack !== undefined ? { acknowledged: ack } : {}),
      },
      spot.prefix + message,
      statement !== "" && options.statement === undefined ? { ...options, statement } : options,
    );
    if (result) this.findings.push(result);
    return result;
  }

  private statementOf(compute: () => string): string {
    let text = this.statements.get(compute);
    if (text === undefined) {
      text = compute();
      this.statements.set(compute, text);
    }
    return text;
  }

  droppedColumn(table: string, column: string, dropped: Finding): void {
    const entry = this.columnEntry(table);
    entry.dropped.push({ finding: dropped, column });
    for (const added of entry.added) this.markRename(entry.dropped[entry.dropped.length - 1]!, added);
  }

  addedColumn(table: string, column: string): void {
    const entry = this.columnEntry(table);
    entry.added.push(column);
    for (const dropped of entry.dropped) this.markRename(dropped, column);
  }

  private columnEntry(table: string) {
    const key = table.toLowerCase();
    let entry = this.columns.get(key);
    if (!entry) {
      entry = { dropped: [], added: [] };
      this.columns.set(key, entry);
    }
    return entry;
  }

  /**
   * A DROP and an ADD COLUMN on one table is how ORMs emit a rename they did not recognise. The message
   * says so; when the two names are close (fullName → full_name) it is almost certainly that, and critical.
   */
  private markRename(dropped: { finding: Finding; column: string; similar?: boolean }, added: string): void {
    const similar = similarNames(dropped.column, added);
    if (dropped.similar === undefined) {
      dropped.finding.message += `; with ADD COLUMN ${added} on the same table this looks like a rename done as drop + add, which loses the column's data`;
      dropped.similar = similar;
    } else if (!similar || dropped.similar) {
      return;
    }
    if (similar && !dropped.finding.rollback) dropped.finding.severity = "critical";
  }
}

/** Whether two column names are spellings of the same idea: fullName / full_name, email / email_address. */
export function similarNames(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/[^a-z0-9]/g, "");
  const y = b.toLowerCase().replace(/[^a-z0-9]/g, "");
  if (x === "" || y === "") return false;
  if (x === y || (Math.min(x.length, y.length) >= 3 && (x.includes(y) || y.includes(x)))) return true;
  return Math.min(x.length, y.length) >= 4 && editDistance(x, y) <= Math.max(1, Math.floor(Math.max(x.length, y.length) / 4));
}

