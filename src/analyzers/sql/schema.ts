/**
 * A schema model: what exists in the database after the migrations at base ran, built by replaying
 * them statically in the framework's order (migrations/replay.ts), and updated by the change's own
 * migrations as they are judged, so each statement is judged against the state just before it.
 *
 * The model only ever makes a judgement more exact where it is sure. It is `trusted` for a
 * judgement that would lower or drop a finding only when every migration at base was read and
 * followed; every statement it could not follow (opaque code, an unparsed file, a framework it does
 * not model, a table altered that no migration creates) is a gap, and a finding whose judgement fell
 * back because of one says so (`note`).
 */
import { unqualified } from "../report.js";
import { tokenize } from "./tokens.js";

/** Whether an object came from the migrations at base or from the change being judged. */
export type Origin = "base" | "change";

export interface ColumnState {
  name: string;
  /** Normalised type (`varchar(255)`, `integer`); "" when it is not known. */
  type: string;
  nullable: boolean;
  /** The default's text, when one is set. */
  default?: string;
  origin: Origin;
}

export interface TableState {
  /** The name as written, possibly qualified. */
  name: string;
  /** Null when the columns are not known (CREATE TABLE … AS, a Django model, a change that may or may not have run). */
  columns: Map<string, ColumnState> | null;
  origin: Origin;
  /** Why the columns are not known, when the model had them and lost them (`forgetColumns`). */
  unknownBecause?: string;
}

/** A Django field as a migration declares it: `models.CharField(max_length=80, null=True)`. */
export interface DjangoField {
  /** The field class without its module (`CharField`). */
  className: string;
  /** Keyword arguments by name, their source text with whitespace removed. */
  kwargs: Map<string, string>;
  /** The declaration as written, shortened, for messages. */
  text: string;
}

/** A CHECK constraint the model follows: only those of the form `column IS NOT NULL` matter to a judgement. */
export interface CheckState {
  table: string;
  name: string;
  /** The column of a `column IS NOT NULL` check; undefined for any other expression. */
  notNullOf?: string;
  /** Whether every row was checked (added without NOT VALID / `validate: false`, or validated since). */
  validated: boolean;
  /** Where it was validated: a validation at base holds only where the model is trusted. */
  validatedIn?: Origin;
}

export interface DjangoModel {
  name: string;
  fields: Map<string, DjangoField>;
  managed: boolean;
  proxy: boolean;
  origin: Origin;
}

/** What makes the model untrustworthy: for the tables (`sql`), or for everything (`all`, including Django's state). */
export type GapKind = "sql" | "all";

const MAX_GAPS = 20;

export class SchemaModel {
  readonly tables = new Map<string, TableState>();
  readonly schemas = new Set<string>(["public", "dbo", "main"]);
  /** Index name (lower-cased, unqualified) → table key. */
  readonly indexes = new Map<string, string>();
  /** `table.trigger`, lower-cased. */
  readonly triggers = new Set<string>();
  readonly roles = new Set<string>();
  /** `privileges on object to grantee`, normalised. */
  readonly grants = new Set<string>();
  /** CHECK constraints by `table.name`, lower-cased and unqualified. */
  readonly checks = new Map<string, CheckState>();
  /** Django models by `app.model`, lower-cased. */
  readonly django = new Map<string, DjangoModel>();
  private readonly gapList: { reason: string; kind: GapKind }[] = [];
  private gapCount = 0;
  /** Migration files replayed into the model. */
  files = 0;
  /** What new objects are stamped with: `base` while replaying, `change` while judging. */
  origin: Origin = "base";

  gap(reason: string, kind: GapKind = "sql"): void {
    this.gapCount++;
    if (this.gapList.length < MAX_GAPS) this.gapList.push({ reason, kind });
    else if (kind === "all" && !this.gapList.some((g) => g.kind === "all")) this.gapList[MAX_GAPS - 1] = { reason, kind };
  }

  /** Whether the tables of the model may be trusted to say that something does not exist. */
  get trusted(): boolean {
    return this.files > 0 && this.gapCount === 0;
  }

  /** Whether Django's model state may be trusted (RunPython and raw SQL do not change it). */
  get djangoTrusted(): boolean {
    return this.files > 0 && !this.gapList.some((g) => g.kind === "all");
  }

  /** Why the model is not trusted, for a finding's message; undefined when it is (or when there is no history to model). */
  why(kind: GapKind = "sql"): string | undefined {
    if (this.files === 0) return undefined;
    const gaps = kind === "all" ? this.gapList.filter((g) => g.kind === "all") : this.gapList;
    if (gaps.length === 0) return undefined;
    const more = this.gapCount > 1 && kind === "sql" ? ` (and ${this.gapCount - 1} more)` : "";
    return `the migrations at base could not all be followed: ${gaps[0]!.reason}${more}`;
  }

  table(name: string): TableState | undefined {
    return this.tables.get(unqualified(name));
  }

  column(table: string, column: string): ColumnState | undefined {
    return this.table(table)?.columns?.get(column.toLowerCase());
  }

  /**
   * Whether `CREATE TABLE IF NOT EXISTS name` creates a new table: true when the model is trusted
   * and has no such table, a reason string when it cannot tell, false when the table exists.
   */
  absent(name: string): true | false | string | undefined {
    if (this.files === 0) return undefined;
    if (this.table(name)) return false;
    const parts = name.split(".");
    const schema = parts.length > 1 ? parts[parts.length - 2]!.replace(/^["`[]|["`\]]$/g, "").toLowerCase() : undefined;
    if (schema !== undefined && !this.schemas.has(schema)) return `its schema ${schema} is not created by the migrations at base, so the table may exist outside them`;
    return this.trusted ? true : (this.why() ?? false);
  }

  createTable(name: string, columns: ColumnState[] | null, guarded = false): void {
    const key = unqualified(name);
    if (guarded && this.tables.has(key)) return;
    this.tables.set(key, { name, columns: columns === null ? null : new Map(columns.map((c) => [c.name.toLowerCase(), { ...c, origin: this.origin }])), origin: this.origin });
  }

  dropTable(name: string): void {
    const key = unqualified(name);
    this.tables.delete(key);
    for (const [index, table] of this.indexes) if (table === key) this.indexes.delete(index);
    for (const [id, check] of this.checks) if (unqualified(check.table) === key) this.checks.delete(id);
  }

  /** A CHECK constraint added: `expression` is its text, `validated` false for NOT VALID. */
  addCheck(table: string, name: string, expression: string, validated: boolean): void {
    const column = notNullColumn(expression);
    this.checks.set(`${unqualified(table)}.${name.toLowerCase()}`, {
      table,
      name,
      ...(column !== undefined ? { notNullOf: column } : {}),
      validated,
      ...(validated ? { validatedIn: this.origin } : {}),
    });
  }

  check(table: string, name: string): CheckState | undefined {
    return this.checks.get(`${unqualified(table)}.${name.toLowerCase()}`);
  }

  validateCheck(table: string, name: string): void {
    const check = this.checks.get(`${unqualified(table)}.${name.toLowerCase()}`);
    if (check && !check.validated) {
      check.validated = true;
      check.validatedIn = this.origin;
    }
  }

  dropCheck(table: string, name: string): void {
    this.checks.delete(`${unqualified(table)}.${name.toLowerCase()}`);
  }

  /**
   * A valid `CHECK (column IS NOT NULL)` on the table, which lets PostgreSQL 12+ set NOT NULL without
   * scanning the table: one validated by the change itself, or at base where the model is trusted.
   */
  notNullCheck(table: string, column: string): CheckState | undefined {
    const key = unqualified(table);
    for (const check of this.checks.values()) {
      if (unqualified(check.table) !== key || check.notNullOf !== column.toLowerCase() || !check.validated) continue;
      if (check.validatedIn === "change" || this.trusted) return check;
    }
    return undefined;
  }

  /**
   * The columns of `table` may or may not have changed (a DO block alters them only under a
   * condition): they are no longer known, and neither are its checks. The rest of the model stays.
   */
  forgetColumns(table: string, reason: string): void {
    const key = unqualified(table);
    const state = this.tables.get(key);
    if (!state) return;
    state.columns = null;
    state.unknownBecause = reason;
    for (const [id, check] of this.checks) if (unqualified(check.table) === key) this.checks.delete(id);
  }

  /** Why the model cannot say what a column of `table` was, for a finding that falls back. */
  whyColumnUnknown(table: string): string {
    return this.table(table)?.unknownBecause ?? this.why() ?? "no migration at base defines the column";
  }

  renameTable(from: string, to: string): void {
    const table = this.tables.get(unqualified(from));
    if (!table) return;
    this.tables.delete(unqualified(from));
    this.tables.set(unqualified(to), { ...table, name: to });
  }

  addColumn(table: string, column: Omit<ColumnState, "origin">): void {
    const state = this.table(table);
    state?.columns?.set(column.name.toLowerCase(), { ...column, origin: this.origin });
  }

  dropColumn(table: string, column: string): void {
    this.table(table)?.columns?.delete(column.toLowerCase());
  }

  renameColumn(table: string, from: string, to: string): void {
    const columns = this.table(table)?.columns;
    const state = columns?.get(from.toLowerCase());
    if (!columns || !state) return;
    columns.delete(from.toLowerCase());
    columns.set(to.toLowerCase(), { ...state, name: to });
  }

  alterColumn(table: string, column: string, change: { type?: string; nullable?: boolean; default?: string | null }): void {
    const state = this.table(table)?.columns?.get(column.toLowerCase());
    if (!state) return;
    if (change.type !== undefined) state.type = change.type;
    if (change.nullable !== undefined) state.nullable = change.nullable;
    if (change.default === null) delete state.default;
    else if (change.default !== undefined) state.default = change.default;
  }

  djangoModel(app: string, model: string): DjangoModel | undefined {
    return this.django.get(`${app}.${model}`.toLowerCase());
  }

  setDjangoModel(app: string, model: DjangoModel | null, name: string): void {
    const key = `${app}.${name}`.toLowerCase();
    if (model === null) this.django.delete(key);
    else this.django.set(key, model);
  }
}

/** The column of a `column IS NOT NULL` expression (parentheses and quotes allowed), lower-cased. */
export function notNullColumn(expression: string): string | undefined {
  const words = tokenize(expression, 64).filter((t) => t.value !== "(" && t.value !== ")");
  if (words.length !== 4 || words[0]!.kind === "punct" || words[0]!.kind === "string") return undefined;
  const [, is, not, nul] = words.map((t) => t.value);
  return is === "IS" && not === "NOT" && nul === "NULL" ? words[0]!.name.toLowerCase() : undefined;
}

/** A type as the model compares types: lower-case, single spaces, common aliases folded. */
export function normaliseType(type: string): string {
  // Single spaces first, then none around punctuation: plain replacements, no rescanning patterns.
  let t = type.trim().toLowerCase().replace(/\s+/g, " ");
  for (const [from, to] of [[" (", "("], ["( ", "("], [" ,", ","], [", ", ","], [" )", ")"], [" [", "["]] as const) t = t.replaceAll(from, to);
  // An array type: the element type normalised, then one `[]` per dimension (PostgreSQL ignores sizes and `ARRAY`'s spelling).
  let dimensions = 0;
  for (;;) {
    const open = t.lastIndexOf("[");
    if (t.endsWith(" array")) t = t.slice(0, -" array".length);
    else if (open > 0 && /^\[\d*\]$/.test(t.slice(open))) t = t.slice(0, open).trimEnd();
    else break;
    dimensions++;
  }
  t = t.replace(/^character varying\b/, "varchar").replace(/^character\b/, "char").replace(/^decimal\b/, "numeric").replace(/^double precision$/, "float8");
  return (TYPE_ALIASES[t] ?? t) + "[]".repeat(dimensions);
}

const TYPE_ALIASES: Record<string, string> = {
  int: "integer",
  int4: "integer",
  serial: "integer",
  serial4: "integer",
  int8: "bigint",
  bigserial: "bigint",
  serial8: "bigint",
  int2: "smallint",
  smallserial: "smallint",
  bool: "boolean",
  "tinyint(1)": "boolean",
  float4: "real",
  timestamptz: "timestamp with time zone",
  timetz: "time with time zone",
  "timestamp without time zone": "timestamp",
};

const INTEGER_WIDTHS: Record<string, number> = { tinyint: 1, smallint: 2, mediumint: 3, integer: 4, bigint: 8 };
const TEXTUAL = /^(varchar|char|text|nvarchar|nchar|tinytext|mediumtext|longtext|citext|string)(\((\d+)\))?$/;

/** How a type change treats the values it converts. */
export type TypeVerdict = "same" | "widens" | "narrows" | "converts";

/** Whether going from one type to another keeps every value: wider lengths and precisions, or text for anything. */
export function compareTypes(from: string, to: string): TypeVerdict {
  const a = normaliseType(from);
  const b = normaliseType(to);
  if (a === b) return "same";
  const ta = TEXTUAL.exec(a);
  const tb = TEXTUAL.exec(b);
  if (tb && !tb[3] && tb[1] !== "char" && tb[1] !== "nchar") return "widens"; // text or an unbounded varchar holds any value's text
  if (ta && tb) {
    const la = ta[3] === undefined ? Infinity : Number(ta[3]);
    const lb = tb[3] === undefined ? Infinity : Number(tb[3]);
    return lb >= la && (ta[1] === tb[1] || (ta[1] !== "char" && tb[1] !== "char")) ? "widens" : "narrows";
  }
  if (ta && !tb) return "narrows";
  const ia = INTEGER_WIDTHS[a];
  const ib = INTEGER_WIDTHS[b];
  if (ia !== undefined && ib !== undefined) return ib >= ia ? "widens" : "narrows";
  const na = /^numeric\((\d+)(?:,(\d+))?\)$/.exec(a);
  const nb = /^numeric(?:\((\d+)(?:,(\d+))?\))?$/.exec(b);
  if (na && nb) {
    if (nb[1] === undefined) return "widens";
    const [pa, sa, pb, sb] = [Number(na[1]), Number(na[2] ?? 0), Number(nb[1]), Number(nb[2] ?? 0)];
    return pb >= pa && sb >= sa && pb - sb >= pa - sa ? "widens" : "narrows";
  }
  if (ia !== undefined && b === "numeric") return "widens";
  if (ia !== undefined && nb && nb[1] !== undefined && Number(nb[1]) - Number(nb[2] ?? 0) >= 19) return "widens";
  return "converts";
}

/** The words a finding's message uses for a type change the model could place: `from … to …`, and what it does to the values. */
export function describeTypeChange(from: string, to: string): { text: string; effect: string; verdict: TypeVerdict } {
  const verdict = compareTypes(from, to);
  const effect =
    verdict === "narrows"
      ? "it narrows the column: values that do not fit are rejected or cut"
      : verdict === "widens"
        ? "it widens the column, so every value fits"
        : verdict === "same"
          ? "the type stays the same"
          : "every value is converted, and one that does not convert makes it fail";
  return { text: `from ${from} to ${to}`, effect, verdict };
}
