/**
 * Table rebuilds: the way SQLite (and the tools that target it: Prisma's RedefineTables, Drizzle,
 * Django, Alembic batch mode, IDE-generated scripts) change what ALTER TABLE cannot:
 *
 *   CREATE TABLE new_x (…); INSERT INTO new_x (…) SELECT … FROM x; DROP TABLE x; ALTER TABLE new_x RENAME TO x;
 *
 * or the older order: ALTER TABLE x RENAME TO x_old; CREATE TABLE x (…); INSERT INTO x SELECT … FROM x_old;
 * DROP TABLE x_old. Read statement by statement, that is a critical drop of x and a rename; it is
 * neither. What a rebuild can lose is the columns it does not copy, the rows a filtered copy leaves
 * behind, and the data a changed column type converts. This module reads the statements by their
 * keywords (any dialect, parsed or not) and judges the rebuild as that: column by column where x's
 * previous definition is known, and otherwise one `sql/table-rebuild` finding that says it is not.
 */
import type { Finding } from "../../model/finding.js";
import type { RuleMeta } from "../../model/rule.js";
import { COLUMN_TYPE_ENDS, CONSTRAINT_HEADS, qualifiedName, splitTopLevel, tokenize, tokenText, unqualified, type Token } from "./tokens.js";
import * as rules from "../../../rules/sql/index.js";

/** A column as a CREATE TABLE declares it; `type` is normalised ("varchar(255)"), "" when none is given. */
export interface ColumnDefinition {
  name: string;
  type: string;
}

/** What one statement of a text is, for the rebuild reading; null when it is none of these. */
type Shape =
  | { kind: "create"; table: string; columns: ColumnDefinition[] | null; guarded: boolean }
  | { kind: "copy"; target: string; targetColumns: string[] | null; items: SelectItem[] | null; source: string; filter: string | null }
  | { kind: "drop"; tables: string[] }
  | { kind: "rename"; from: string; to: string };

/** One item of the copy's SELECT list: a plain column, `*`, or an expression with the words it mentions. */
interface SelectItem {
  column?: string;
  star?: boolean;
  words: string[];
  text: string;
}

/** Reports a finding at a statement's place (the caller's `Run.report` bound to that statement). */
export type Reporter = (rule: RuleMeta, message: string, options: { object?: string; table?: string }) => Finding | null;

interface Noted {
  shape: Shape;
  /** The findings the readers made for this statement (indices into the run's findings). */
  from: number;
  to: number;
  report: Reporter;
}

const CREATE_HEAD = /^\s*create\s+(?:(?:global|local)\s+)?(?:temp\s+|temporary\s+|unlogged\s+)?table\b/i;
const INSERT_SELECT = /^\s*(?:insert|replace)\b[\s\S]*\bselect\b/i;
const DROP_TABLE = /^\s*drop\s+table\b/i;
const ALTER_RENAME = /^\s*(?:alter\s+table\b[\s\S]*\brename\s+to\b|rename\s+table\b)/i;
const AFTER_SOURCE = new Set(["WHERE", "GROUP", "HAVING", "LIMIT", "ORDER", "OFFSET", "FETCH", "QUALIFY"]);

/** Collects the statements of one text and, once all are read, judges the rebuilds among them. */
export class Rebuilds {
  private readonly noted: Noted[] = [];

  /**
   * @param definitions previous definitions of tables, by lower-cased unqualified name (a schema model's
   * knowledge); a table created earlier in the same text counts too, unless `IF NOT EXISTS` left it open.
   */
  constructor(
    private readonly createdAtStart: ReadonlySet<string>,
    private readonly definitions?: ReadonlyMap<string, ColumnDefinition[]>,
  ) {}

  /** One top-level statement, after the readers judged it; `from`/`to` bound its findings. */
  note(text: string, from: number, to: number, report: Reporter): void {
    if (!CREATE_HEAD.test(text) && !INSERT_SELECT.test(text) && !DROP_TABLE.test(text) && !ALTER_RENAME.test(text)) return;
    const shape = shapeOf(tokenize(text, 20_000));
    if (shape) this.noted.push({ shape, from, to, report });
  }

  /** Replaces the drop-table and rename findings of each rebuild in `findings` by the rebuild's own, in place. */
  judge(findings: Finding[]): void {
    const removed = new Set<Finding>();
    const used = new Set<number>();
    const count = findings.length;
    /** New findings, each after the findings of the statement it belongs to. */
    const inserted: { after: number; found: Finding[] }[] = [];
    for (let c = 0; c < this.noted.length; c++) {
      const copy = this.noted[c]!.shape;
      if (copy.kind !== "copy") continue;
      const target = unqualified(copy.target);
      const source = unqualified(copy.source);
      if (target === source) continue;
      const drop = this.find(c + 1, (s) => s.kind === "drop" && s.tables.some((t) => unqualified(t) === source));
      if (drop === -1) continue;
      const created = this.findBefore(c, (s) => s.kind === "create" && unqualified(s.table) === target);
      if (created === -1) continue;
      const createShape = this.noted[created]!.shape as Extract<Shape, { kind: "create" }>;
      // new_x → x after the drop, or x → x_old before the new x was created.
      let rename = this.find(drop + 1, (s) => s.kind === "rename" && unqualified(s.from) === target && unqualified(s.to) === source);
      let before = created;
      if (rename === -1) {
        rename = this.findBefore(created, (s) => s.kind === "rename" && unqualified(s.to) === source && unqualified(s.from) === target);
        if (rename === -1) continue;
        before = rename;
      }
      if (used.has(rename) || used.has(drop)) continue;
      used.add(rename);
      used.add(drop);
      const renamed = this.noted[rename]!;
      const dropped = this.noted[drop]!;
      const oldOrder = before === rename;
      const dropShape = dropped.shape as Extract<Shape, { kind: "drop" }>;
      const renameShape = renamed.shape as Extract<Shape, { kind: "rename" }>;
      /** The table as its author wrote it, and the copy's name. */
      const table = oldOrder ? renameShape.from : dropShape.tables.find((t) => unqualified(t) === source)!;
      const temp = oldOrder ? renameShape.to : renameShape.from;
      for (let i = dropped.from; i < dropped.to; i++) {
        const f = findings[i]!;
        if (f.rule === rules.dropTable.id && f.object !== undefined && unqualified(f.object) === source) removed.add(f);
      }
      for (let i = renamed.from; i < renamed.to; i++) {
        const f = findings[i]!;
        if (f.rule === rules.rename.id && f.object !== undefined && unqualified(f.object) === unqualified(renameShape.from)) removed.add(f);
      }
      // A table created before in this change loses nothing by being rebuilt.
      if (this.createdBefore(unqualified(table), before)) continue;
      const at = findings.length;
      this.judgeOne(dropped.report, copy, createShape, table, temp, this.previousDefinition(unqualified(table), before));
      inserted.push({ after: dropped.to, found: findings.splice(at) });
    }
    if (removed.size === 0 && inserted.length === 0) return;
    const out: Finding[] = [];
    for (let i = 0; i <= count; i++) {
      for (const entry of inserted) if (entry.after === i) out.push(...entry.found);
      if (i < count && !removed.has(findings[i]!)) out.push(findings[i]!);
    }
    findings.length = 0;
    findings.push(...out);
  }

  /** Whether the table was created (without IF NOT EXISTS) before statement `before`, here or earlier in the change. */
  private createdBefore(table: string, before: number): boolean {
    if (this.createdAtStart.has(table)) return true;
    return this.findBefore(before, (s) => s.kind === "create" && !s.guarded && unqualified(s.table) === table) !== -1;
  }

  private find(from: number, test: (shape: Shape) => boolean): number {
    for (let i = from; i < this.noted.length; i++) if (test(this.noted[i]!.shape)) return i;
    return -1;
  }

  private findBefore(before: number, test: (shape: Shape) => boolean): number {
    for (let i = before - 1; i >= 0; i--) if (test(this.noted[i]!.shape)) return i;
    return -1;
  }

  /** The table's definition before this text (a schema model's knowledge); null when it is not known. */
  private previousDefinition(table: string, before: number): ColumnDefinition[] | null {
    // A CREATE TABLE IF NOT EXISTS earlier in the text says what the table is only if it did not exist.
    if (this.findBefore(before, (s) => s.kind === "create" && unqualified(s.table) === table) !== -1) return null;
    return this.definitions?.get(table) ?? null;
  }

  private judgeOne(
    report: Reporter,
    copy: Extract<Shape, { kind: "copy" }>,
    create: Extract<Shape, { kind: "create" }>,
    table: string,
    temp: string,
    previous: ColumnDefinition[] | null,
  ): void {
    const how = `rebuilt by copying into ${temp}`;
    const rows = copy.filter ? `; only the rows matching ${copy.filter} are copied, the others are lost` : "";
    const targets = copy.targetColumns ?? create.columns?.map((c) => c.name) ?? null;
    const items = copy.items;
    const pairs: { item: SelectItem; target: string | undefined }[] = (items ?? []).map((item, i) => ({ item, target: targets?.[i] }));
    const push = (rule: RuleMeta, message: string, object: string) => void report(rule, message, { object });
    if (previous === null || items === null) {
      const copied = items === null ? "an unreadable column list" : items.some((i) => i.star) ? "every column (SELECT *)" : `columns ${items.map((i) => i.text).join(", ")}`;
      push(
        rules.tableRebuild,
        `Rebuilds table ${table} (${how}, dropping ${table} and renaming the copy) and copies ${copied}; ${table}'s definition before this change is not known here, so changegate cannot tell which of its columns are dropped or changed${rows}`,
        table,
      );
    } else {
      const types = new Map(previous.map((c) => [c.name.toLowerCase(), c.type]));
      const newTypes = new Map((create.columns ?? []).map((c) => [c.name.toLowerCase(), c.type]));
      const copied = new Set<string>();
      for (const { item, target } of pairs) {
        if (item.star) for (const c of previous) copied.add(c.name.toLowerCase());
        for (const word of item.words) if (types.has(word.toLowerCase())) copied.add(word.toLowerCase());
        if (item.column === undefined || target === undefined) {
          if (target !== undefined && !item.star) {
            push(rules.columnTypeChange, `Rewrites column ${table}.${target} as ${item.text} (${how})`, `${table}.${target}`);
          }
          continue;
        }
        const from = item.column.toLowerCase();
        if (from !== target.toLowerCase() && types.has(from)) {
          push(rules.rename, `Renames column ${table}.${item.column} to ${target} (${how})`, `${table}.${item.column}`);
        }
        const before = types.get(from);
        const after = newTypes.get(target.toLowerCase());
        if (before !== undefined && after !== undefined && before !== after) {
          push(rules.columnTypeChange, `Changes column ${table}.${target} from ${before || "no declared type"} to ${after || "no declared type"} (${how})`, `${table}.${target}`);
        }
      }
      for (const column of previous) {
        if (!copied.has(column.name.toLowerCase())) {
          push(rules.dropColumn, `Drops column ${table}.${column.name}: the table is ${how} without it`, `${table}.${column.name}`);
        }
      }
      if (copy.filter) push(rules.tableRebuild, `Rebuilds table ${table} (${how})${rows}`, table);
    }
  }
}

function shapeOf(tokens: Token[]): Shape | null {
  const head = tokens[0]?.value;
  if (head === "CREATE") return createShape(tokens);
  if (head === "INSERT" || head === "REPLACE") return copyShape(tokens);
  if (head === "DROP" && tokens[1]?.value === "TABLE") {
    let at = 2;
    if (tokens[at]?.value === "IF" && tokens[at + 1]?.value === "EXISTS") at += 2;
    const names: string[] = [];
    for (;;) {
      const name = qualifiedName(tokens, at);
      if (!name) break;
      names.push(name.name);
      if (tokens[name.next]?.value !== ",") break;
      at = name.next + 1;
    }
    return names.length > 0 ? { kind: "drop", tables: names } : null;
  }
  if (head === "ALTER" && tokens[1]?.value === "TABLE") {
    let at = 2;
    if (tokens[at]?.value === "IF" && tokens[at + 1]?.value === "EXISTS") at += 2;
    if (tokens[at]?.value === "ONLY") at++;
    const from = qualifiedName(tokens, at);
    if (!from || tokens[from.next]?.value !== "RENAME" || tokens[from.next + 1]?.value !== "TO") return null;
    const to = qualifiedName(tokens, from.next + 2);
    return to && to.next >= tokens.length ? { kind: "rename", from: from.name, to: to.name } : null;
  }
  if (head === "RENAME" && tokens[1]?.value === "TABLE") {
    const from = qualifiedName(tokens, 2);
    const to = from && tokens[from.next]?.value === "TO" ? qualifiedName(tokens, from.next + 1) : undefined;
    return from && to && to.next >= tokens.length ? { kind: "rename", from: from.name, to: to.name } : null;
  }
  return null;
}

function createShape(tokens: Token[]): Shape | null {
  let at = 1;
  while (["GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED"].includes(tokens[at]?.value ?? "")) at++;
  if (tokens[at]?.value !== "TABLE") return null;
  at++;
  let guarded = false;
  if (tokens[at]?.value === "IF" && tokens[at + 1]?.value === "NOT" && tokens[at + 2]?.value === "EXISTS") {
    guarded = true;
    at += 3;
  }
  const name = qualifiedName(tokens, at);
  if (!name) return null;
  if (tokens[name.next]?.value !== "(") return { kind: "create", table: name.name, columns: null, guarded };
  const items = splitList(tokens, name.next + 1, ")");
  if (!items) return { kind: "create", table: name.name, columns: null, guarded };
  const columns: ColumnDefinition[] = [];
  for (const item of items.lists) {
    const first = item[0];
    if (!first) continue;
    if (first.kind === "word" && (CONSTRAINT_HEADS.has(first.value) || first.value === "LIKE")) {
      if (first.value === "LIKE") return { kind: "create", table: name.name, columns: null, guarded };
      continue;
    }
    let end = 1;
    let depth = 0;
    while (end < item.length) {
      const t = item[end]!;
      if (t.value === "(") depth++;
      else if (t.value === ")") depth--;
      else if (depth === 0 && t.kind === "word" && COLUMN_TYPE_ENDS.has(t.value)) break;
      end++;
    }
    columns.push({ name: first.name, type: typeText(item.slice(1, end)) });
  }
  return { kind: "create", table: name.name, columns, guarded };
}

function copyShape(tokens: Token[]): Shape | null {
  let at = 1;
  if (tokens[at]?.value === "OR") at += 2;
  if (tokens[at]?.value === "IGNORE") at++;
  if (tokens[at]?.value === "INTO") at++;
  const target = qualifiedName(tokens, at);
  if (!target) return null;
  at = target.next;
  let targetColumns: string[] | null = null;
  if (tokens[at]?.value === "(") {
    const list = splitList(tokens, at + 1, ")");
    if (!list) return null;
    targetColumns = list.lists.map((l) => l.map((t) => t.name).join(""));
    at = list.next;
  }
  if (tokens[at]?.value !== "SELECT") return null;
  at++;
  if (tokens[at]?.value === "ALL") at++;
  const distinct = tokens[at]?.value === "DISTINCT";
  if (distinct) at++;
  // The select list runs to the top-level FROM.
  let depth = 0;
  let from = -1;
  for (let i = at; i < tokens.length; i++) {
    const v = tokens[i]!.value;
    if (v === "(") depth++;
    else if (v === ")") depth--;
    else if (depth === 0 && v === "FROM" && tokens[i]!.kind === "word") {
      from = i;
      break;
    }
  }
  if (from === -1) return null;
  const source = qualifiedName(tokens, from + 1);
  if (!source) return null;
  let rest = source.next;
  // An alias (FROM x AS o / FROM x o) is part of the source.
  if (tokens[rest]?.value === "AS") rest += 2;
  else if (tokens[rest]?.kind === "word" && !AFTER_SOURCE.has(tokens[rest]!.value) && tokens[rest]?.value !== ";") rest++;
  const tail = tokens.slice(rest).filter((t) => t.value !== ";");
  const joined = tail.length > 0 && !AFTER_SOURCE.has(tail[0]!.value);
  if (joined) return null;
  const filter = distinct ? "DISTINCT" : tail.length > 0 ? tail.map(tokenText).join(" ").slice(0, 200) : null;
  const list = splitTopLevel(tokens.slice(at, from));
  const items: SelectItem[] = list.map((item) => {
    const text = item.map(tokenText).join(" ").replace(/ ?\. ?/g, ".").replace(/\( /g, "(").replace(/ \)/g, ")");
    if (item.length === 1 && item[0]!.value === "*") return { star: true, words: [], text };
    if (item.length === 3 && item[1]!.value === "." && item[2]!.value === "*") return { star: true, words: [], text };
    const plain = plainColumn(item);
    const words = item.filter((t) => t.kind === "word" || t.kind === "quoted").map((t) => t.name);
    return plain !== undefined ? { column: plain, words, text } : { words, text };
  });
  return { kind: "copy", target: target.name, targetColumns, items, source: source.name, filter };
}

/** `a`, `o.a`, `a AS b`, `o.a b`: the column read (an alias only names it for the target). */
function plainColumn(item: Token[]): string | undefined {
  const name = qualifiedName(item, 0);
  if (!name) return undefined;
  const column = name.name.split(".").pop()!;
  if (name.next === item.length) return column;
  let at = name.next;
  if (item[at]?.value === "AS") at++;
  return at === item.length - 1 && (item[at]!.kind === "word" || item[at]!.kind === "quoted") ? column : undefined;
}

/** The comma-separated items from `at` to the matching `close`; null when it never closes. */
function splitList(tokens: Token[], at: number, close: string): { lists: Token[][]; next: number } | null {
  let depth = 0;
  for (let i = at; i < tokens.length; i++) {
    const v = tokens[i]!.value;
    if (v === "(") depth++;
    else if (v === ")" && depth > 0) depth--;
    else if (v === close && depth === 0) return { lists: splitTopLevel(tokens.slice(at, i)), next: i + 1 };
  }
  return null;
}

/** `VARCHAR ( 255 )` → `varchar(255)`; `INTEGER` and `int` stay different words (the author changed them). */
function typeText(tokens: Token[]): string {
  return tightPunctuation(tokens
    .map((t) => (t.kind === "string" ? `'${t.name}'` : t.name))
    .join(" ")
    .toLowerCase())
    .trim();
}

const SPACE = /\s/;

/**
 * The text without whitespace around `(`, `)` and `,`: what replacing `\s*([(),])\s*` (global) by `$1`
 * does, in one pass (the pattern rescans a long run of spaces from each of its characters).
 */
export function tightPunctuation(text: string): string {
  const out: string[] = [];
  let after = false;
  for (const ch of text) {
    if (ch === "(" || ch === ")" || ch === ",") {
      while (out.length > 0 && SPACE.test(out[out.length - 1]!)) out.pop();
      out.push(ch);
      after = true;
    } else if (after && SPACE.test(ch)) continue;
    else {
      after = false;
      out.push(ch);
    }
  }
  return out.join("");
}
