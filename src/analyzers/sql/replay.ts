/**
 * Replaying SQL text into the schema model (schema.ts): a keyword reading of the statements that
 * create, change and drop tables, columns, indexes, triggers, roles and grants, the same for every
 * dialect. What it cannot follow (code run now, a table it never saw created) is a gap in the model.
 */
import type { SqlDialect } from "../types.js";
import { normaliseType, type ColumnState, type SchemaModel } from "./schema.js";
import { SqlSource } from "./source.js";
import { readBody, UnreadableBody, type BodyNode } from "./plpgsql-blocks.js";
import { splitByHand } from "./split.js";
import { COLUMN_TYPE_ENDS, CONSTRAINT_HEADS, qualifiedName, splitTopLevel, tokenize, tokenText, unqualified, type Token } from "./tokens.js";

const DDL_IN_CODE = /\b(create|alter|drop|rename)\s+table\b|\bexecute\b|\bexec\b|\bsp_executesql\b/i;
/** MySQL column positions and PostgreSQL `TYPE … USING` end a type too, in ALTER statements. */
const TYPE_ENDS = new Set([...COLUMN_TYPE_ENDS, "FIRST", "AFTER", "USING"]);
/** Statements that change no table, index, trigger, role or grant (for this model). */
const HARMLESS_HEADS = new Set([
  "INSERT",
  "UPDATE",
  "DELETE",
  "SELECT",
  "WITH",
  "SET",
  "BEGIN",
  "COMMIT",
  "END",
  "START",
  "ROLLBACK",
  "SAVEPOINT",
  "RELEASE",
  "COMMENT",
  "PRAGMA",
  "USE",
  "ANALYZE",
  "VACUUM",
  "REINDEX",
  "CLUSTER",
  "LOCK",
  "REFRESH",
  "NOTIFY",
  "TRUNCATE",
  "COPY",
  "SHOW",
  "EXPLAIN",
  "GO",
  "DECLARE",
  "PRINT",
  "REPLACE",
  "MERGE",
  "UPSERT",
  "VALUES",
]);

/** Replays one piece of SQL (the forward part of a migration) into the model. `where` names it for gaps. */
export function replaySql(model: SchemaModel, text: string, dialect: SqlDialect, where: string): void {
  const mysql = dialect === "mysql" || dialect === "mariadb" || dialect === "sqlite" || dialect === "bigquery";
  const source = new SqlSource(text);
  const ranges = splitByHand(source, { mysql, brackets: dialect === "sqlserver", batches: dialect === "sqlserver", delimiterCommand: mysql });
  for (const range of ranges) {
    const statement = source.slice(range.start, range.end);
    if (statement.trim() === "") continue;
    const tokens = tokenize(statement, 20_000);
    if (tokens.length === 0) continue;
    try {
      replayStatement(model, tokens, statement, where);
    } catch (error) {
      model.gap(`${where}: a statement could not be followed (${error instanceof Error ? error.message : String(error)})`);
    }
  }
}

function replayStatement(model: SchemaModel, t: Token[], text: string, where: string): void {
  const head = t[0]!.value;
  const word = (i: number) => (t[i]?.kind === "word" ? t[i]!.value : "");
  if (HARMLESS_HEADS.has(head)) return;
  switch (head) {
    case "CREATE":
      return replayCreate(model, t, text, where);
    case "DROP":
      return replayDrop(model, t);
    case "ALTER":
      if (word(1) === "TABLE") return replayAlterTable(model, t, where);
      if (word(1) === "ROLE" || word(1) === "USER" || word(1) === "INDEX" || word(1) === "SEQUENCE" || word(1) === "TYPE" || word(1) === "VIEW") return;
      return;
    case "RENAME":
      if (word(1) === "TABLE") {
        let at = 2;
        for (;;) {
          const from = qualifiedName(t, at);
          const to = from && word(from.next) === "TO" ? qualifiedName(t, from.next + 1) : undefined;
          if (!from || !to) return;
          model.renameTable(from.name, to.name);
          if (t[to.next]?.value !== ",") return;
          at = to.next + 1;
        }
      }
      return;
    case "GRANT":
    case "REVOKE": {
      const on = t.findIndex((x) => x.value === "ON" && x.kind === "word");
      const toAt = t.findIndex((x) => (x.value === "TO" || x.value === "FROM") && x.kind === "word");
      if (on < 0 || toAt < 0) return;
      const key = `${t.slice(1, on).map((x) => x.value).join(" ")} on ${t.slice(on + 1, toAt).map((x) => x.name.toLowerCase()).join(" ")} to ${t.slice(toAt + 1).map((x) => x.name.toLowerCase()).join(" ")}`;
      if (head === "GRANT") model.grants.add(key);
      else model.grants.delete(key);
      return;
    }
    case "DO":
      return replayDo(model, t, where);
    case "EXEC":
    case "EXECUTE":
    case "CALL":
      model.gap(`${where}: ${head} runs code the model cannot follow`);
      return;
    default:
      return;
  }
}

/** PL/pgSQL statements that change nothing the model follows. */
const PLPGSQL_HARMLESS = new Set(["PERFORM", "RAISE", "ASSERT", "NULL", "GET", "OPEN", "FETCH", "MOVE", "CLOSE"]);
/** Statements after which the rest of a body may not run. */
const PLPGSQL_LEAVING = new Set(["RETURN", "EXIT", "CONTINUE"]);

/**
 * A DO block: code run now. A body that names no table DDL and builds no SQL leaves the tables as
 * they were. A PL/pgSQL body is otherwise followed like a migration of its own: the statements that
 * always run are replayed in order, and one that may not run (under IF, CASE or a loop, in a block
 * with an exception handler, after a RETURN) only where running it or not leaves the model the same
 * (a foreign key, a query). Dynamic SQL (EXECUTE), another language, a body it cannot read, or
 * anything else that may or may not run is a gap, as before: the model never guesses.
 */
function replayDo(model: SchemaModel, t: Token[], where: string): void {
  const strings = t.filter((x) => x.kind === "string");
  if (!DDL_IN_CODE.test(strings.map((x) => x.name).join(" "))) return;
  const cannot = () => model.gap(`${where}: DO runs code the model cannot follow`);
  let language = "PLPGSQL";
  let body: string | undefined;
  for (let i = 1; i < t.length; i++) {
    if (t[i]!.kind === "word" && t[i]!.value === "LANGUAGE") {
      const name = t[i + 1];
      language = name?.kind === "string" ? stringText(name)?.toUpperCase() ?? "" : (name?.value ?? "");
      i++;
    } else if (t[i]!.kind === "string" && body === undefined) {
      body = stringText(t[i]!);
    } else if (!(t[i]!.kind === "punct" && t[i]!.value === ";")) {
      return cannot();
    }
  }
  if (language !== "PLPGSQL" || body === undefined) return cannot();
  const tokens = tokenize(body, 20_000);
  if (tokens.length >= 20_000) return cannot();
  let nodes: BodyNode[];
  try {
    nodes = readBody(tokens);
  } catch (error) {
    if (error instanceof UnreadableBody) return cannot();
    throw error;
  }
  let left = false;
  const follow = (list: readonly BodyNode[], conditional: boolean): boolean => {
    for (const node of list) {
      if (node.kind === "block") {
        if (!follow(node.body, conditional || node.handlers.length > 0) || !follow(node.handlers, true)) return false;
        continue;
      }
      if (node.kind === "conditional") {
        if (!follow(node.body, true)) return false;
        continue;
      }
      const s = node.tokens;
      const head = s[0]?.kind === "word" ? s[0].value : "";
      if (s.length === 0) continue;
      if (PLPGSQL_LEAVING.has(head)) {
        left = true;
        continue;
      }
      // An assignment (`x := …`, `x = …`), a query, or PL/pgSQL's own statements.
      if (s[1]?.value === ":" || s[1]?.value === "=" || PLPGSQL_HARMLESS.has(head) || HARMLESS_HEADS.has(head)) continue;
      if (head === "EXECUTE") return false;
      if (conditional || left) {
        if (addsForeignKeyOnly(s)) continue;
        const table = columnsAltered(model, s);
        if (table === undefined) return false;
        model.forgetColumns(table, `${where}: a DO block changes columns of ${table} only under a condition`);
        continue;
      }
      replayStatement(model, s, "", where);
    }
    return true;
  };
  if (!follow(nodes, false)) cannot();
}

/** `ALTER TABLE … ADD [CONSTRAINT name] FOREIGN KEY …`, one action: whether it runs or not, no column, index or check the model follows changes. */
function addsForeignKeyOnly(t: readonly Token[]): boolean {
  const alter = alterTable(t);
  if (alter?.actions.length !== 1) return false;
  const a = alter.actions[0]!;
  if (a[0]?.value !== "ADD") return false;
  const key = a[1]?.value === "CONSTRAINT" ? 3 : 1;
  return a[key]?.value === "FOREIGN" && a[key + 1]?.value === "KEY";
}

/**
 * The table of `ALTER TABLE t …` when t is in the model and every action adds, drops, alters or
 * renames a column: run or not, only t's columns can differ. Undefined for anything else.
 */
function columnsAltered(model: SchemaModel, t: readonly Token[]): string | undefined {
  const alter = alterTable(t);
  if (!alter || !model.table(alter.table)) return undefined;
  const columnAction = (a: Token[]) => {
    const verb = a[0]?.kind === "word" ? a[0].value : "";
    const next = a[1]?.kind === "word" ? a[1].value : a[1]?.kind === "quoted" ? "" : undefined;
    if (next === undefined) return false;
    if (verb === "RENAME") return next === "COLUMN";
    if (verb !== "ADD" && verb !== "DROP" && verb !== "ALTER") return false;
    return next === "COLUMN" || (next !== "CONSTRAINT" && !CONSTRAINT_HEADS.has(next) && next !== "DEFAULT");
  };
  return alter.actions.length > 0 && alter.actions.every(columnAction) ? alter.table : undefined;
}

/** A string literal's text: a dollar-quoted body without its tags, a quoted one with its quotes undoubled; undefined when it is not closed. */
function stringText(token: Token): string | undefined {
  if (token.value === "'") return token.name.replaceAll("''", "'");
  // The tokenizer made it from `$tag$ … $tag$`, so its tag ends at the second `$`.
  const tag = token.name.slice(0, token.name.indexOf("$", 1) + 1);
  if (tag === "" || token.name.length < tag.length * 2 || !token.name.endsWith(tag)) return undefined;
  return token.name.slice(tag.length, token.name.length - tag.length);
}

function replayCreate(model: SchemaModel, t: Token[], text: string, where: string): void {
  let at = 1;
  if (t[at]?.value === "OR" && t[at + 1]?.value === "REPLACE") at += 2;
  let temporary = false;
  while (["GLOBAL", "LOCAL", "TEMP", "TEMPORARY", "UNLOGGED", "VIRTUAL", "EXTERNAL", "TRANSIENT"].includes(t[at]?.value ?? "")) {
    if (t[at]!.value === "TEMP" || t[at]!.value === "TEMPORARY") temporary = true;
    at++;
  }
  const kind = t[at]?.value;
  if (kind === "TABLE") {
    if (temporary) return;
    at++;
    const guarded = t[at]?.value === "IF" && t[at + 1]?.value === "NOT" && t[at + 2]?.value === "EXISTS";
    if (guarded) at += 3;
    const name = qualifiedName(t, at);
    if (!name) return;
    const columns = t[name.next]?.value === "(" ? columnList(t, name.next + 1) : null;
    model.createTable(name.name, columns, guarded);
    return;
  }
  if (kind === "UNIQUE" || kind === "INDEX" || kind === "CLUSTERED" || kind === "NONCLUSTERED" || kind === "FULLTEXT" || kind === "SPATIAL") {
    const onAt = t.findIndex((x, i) => i > at && x.value === "ON" && x.kind === "word");
    if (onAt < 0) return;
    let nameAt = onAt - 1;
    const index = t[nameAt] && t[nameAt]!.kind !== "punct" && !["INDEX", "CONCURRENTLY", "EXISTS"].includes(t[nameAt]!.value) ? t[nameAt]!.name : undefined;
    let tableAt = onAt + 1;
    if (t[tableAt]?.value === "ONLY") tableAt++;
    const table = qualifiedName(t, tableAt);
    if (!table) return;
    while (nameAt > 0 && t[nameAt - 1]?.value === ".") nameAt -= 2;
    if (!model.table(table.name) && isLocal(table.name)) model.gap(`${where}: indexes ${table.name}, which no migration before it creates`);
    if (index !== undefined) model.indexes.set(index.toLowerCase(), unqualified(table.name));
    return;
  }
  if (kind === "SCHEMA" || kind === "DATABASE") {
    at++;
    if (t[at]?.value === "IF") at += 3;
    const name = t[at];
    if (name && name.kind !== "punct") model.schemas.add(name.name.toLowerCase());
    return;
  }
  if (kind === "TRIGGER" || (kind === "CONSTRAINT" && t[at + 1]?.value === "TRIGGER")) {
    const name = qualifiedName(t, kind === "TRIGGER" ? at + 1 : at + 2);
    const onAt = t.findIndex((x) => x.value === "ON" && x.kind === "word");
    const table = onAt >= 0 ? qualifiedName(t, onAt + 1) : undefined;
    if (name && table) model.triggers.add(`${unqualified(table.name)}.${unqualified(name.name)}`);
    return;
  }
  if (kind === "ROLE" || kind === "USER") {
    const name = t[at + 1];
    if (name && name.kind !== "punct") model.roles.add(name.name.toLowerCase());
    return;
  }
  if (kind === "PROCEDURE" || kind === "FUNCTION") return;
  void text;
}

function replayDrop(model: SchemaModel, t: Token[]): void {
  const kind = t[1]?.value;
  let at = 2;
  if (kind === "INDEX" && t[at]?.value === "CONCURRENTLY") at++;
  if (t[at]?.value === "IF" && t[at + 1]?.value === "EXISTS") at += 2;
  const names: string[] = [];
  for (;;) {
    const name = qualifiedName(t, at);
    if (!name) break;
    names.push(name.name);
    at = name.next;
    if (t[at]?.value !== ",") break;
    at++;
  }
  switch (kind) {
    case "TABLE":
      for (const name of names) model.dropTable(name);
      return;
    case "INDEX":
      for (const name of names) model.indexes.delete(unqualified(name));
      return;
    case "TRIGGER": {
      const onAt = t.findIndex((x) => x.value === "ON" && x.kind === "word");
      const table = onAt >= 0 ? qualifiedName(t, onAt + 1) : undefined;
      for (const name of names) {
        if (table) model.triggers.delete(`${unqualified(table.name)}.${unqualified(name)}`);
        else for (const trigger of model.triggers) if (trigger.endsWith(`.${unqualified(name)}`)) model.triggers.delete(trigger);
      }
      return;
    }
    case "ROLE":
    case "USER":
      for (const name of names) model.roles.delete(name.toLowerCase());
      return;
    case "SCHEMA":
      for (const name of names) model.schemas.delete(name.toLowerCase());
      return;
    default:
      return;
  }
}

/** `ALTER TABLE [IF EXISTS] [ONLY] name action, …`: the table and its actions; undefined when no name follows. */
function alterTable(t: readonly Token[]): { table: string; actions: Token[][] } | undefined {
  if (t[0]?.value !== "ALTER" || t[1]?.value !== "TABLE") return undefined;
  let at = 2;
  if (t[at]?.value === "IF" && t[at + 1]?.value === "EXISTS") at += 2;
  if (t[at]?.value === "ONLY") at++;
  const name = qualifiedName(t as Token[], at);
  return name ? { table: name.name, actions: splitTopLevel(t.slice(name.next)) } : undefined;
}

function replayAlterTable(model: SchemaModel, t: Token[], where: string): void {
  const alter = alterTable(t);
  if (!alter) return;
  const { table, actions } = alter;
  if (!model.table(table)) {
    if (isLocal(table)) model.gap(`${where}: alters ${table}, which no migration before it creates`);
    return;
  }
  for (const action of actions) replayAlterAction(model, table, action);
}

function replayAlterAction(model: SchemaModel, table: string, a: Token[]): void {
  const v = (i: number) => a[i]?.value ?? "";
  let at = 1;
  switch (v(0)) {
    case "ADD": {
      if (v(at) === "COLUMN") at++;
      if (v(at) === "CONSTRAINT" && a[at]?.kind === "word" && v(at + 2) === "CHECK" && v(at + 3) === "(") return replayAddCheck(model, table, a, at + 1);
      if (CONSTRAINT_HEADS.has(v(at)) && a[at]?.kind === "word") return;
      if (v(at) === "IF" && v(at + 1) === "NOT" && v(at + 2) === "EXISTS") at += 3;
      if (v(at) === "(") {
        for (const column of columnList(a, at + 1) ?? []) model.addColumn(table, column);
        return;
      }
      const column = columnDefinition(a.slice(at));
      if (column && !model.column(table, column.name)) model.addColumn(table, column);
      return;
    }
    case "DROP": {
      if (v(at) === "CONSTRAINT") {
        const name = v(at + 1) === "IF" && v(at + 2) === "EXISTS" ? a[at + 3] : a[at + 1];
        if (name && name.kind !== "punct") model.dropCheck(table, name.name);
        return;
      }
      if (v(at) === "COLUMN") at++;
      else if (a[at]?.kind === "word" && (CONSTRAINT_HEADS.has(v(at)) || v(at) === "DEFAULT")) return;
      if (v(at) === "IF" && v(at + 1) === "EXISTS") at += 2;
      const column = a[at];
      if (column && column.kind !== "punct") model.dropColumn(table, column.name);
      return;
    }
    case "ALTER": {
      if (v(at) === "COLUMN") at++;
      const column = a[at];
      if (!column || column.kind === "punct") return;
      at++;
      if (v(at) === "TYPE" || (v(at) === "SET" && v(at + 1) === "DATA" && v(at + 2) === "TYPE")) {
        const from = v(at) === "TYPE" ? at + 1 : at + 3;
        model.alterColumn(table, column.name, { type: typeText(a.slice(from, typeEnd(a, from))) });
      } else if (v(at) === "SET" && v(at + 1) === "NOT" && v(at + 2) === "NULL") {
        model.alterColumn(table, column.name, { nullable: false });
      } else if (v(at) === "DROP" && v(at + 1) === "NOT" && v(at + 2) === "NULL") {
        model.alterColumn(table, column.name, { nullable: true });
      } else if (v(at) === "SET" && v(at + 1) === "DEFAULT") {
        model.alterColumn(table, column.name, { default: tokensText(a.slice(at + 2)) });
      } else if (v(at) === "DROP" && v(at + 1) === "DEFAULT") {
        model.alterColumn(table, column.name, { default: null });
      }
      return;
    }
    case "VALIDATE": {
      const name = v(at) === "CONSTRAINT" ? a[at + 1] : undefined;
      if (name && name.kind !== "punct") model.validateCheck(table, name.name);
      return;
    }
    case "MODIFY": {
      if (v(at) === "COLUMN") at++;
      const column = columnDefinition(a.slice(at));
      if (column) model.addColumn(table, column);
      return;
    }
    case "CHANGE": {
      if (v(at) === "COLUMN") at++;
      const old = a[at];
      const column = columnDefinition(a.slice(at + 1));
      if (!old || !column) return;
      model.dropColumn(table, old.name);
      model.addColumn(table, column);
      return;
    }
    case "RENAME": {
      if (v(at) === "TO" || v(at) === "AS") {
        const to = qualifiedName(a, at + 1);
        if (to) model.renameTable(table, to.name);
        return;
      }
      if (v(at) === "COLUMN") at++;
      else if (a[at]?.kind === "word" && (v(at) === "CONSTRAINT" || v(at) === "INDEX" || v(at) === "KEY")) return;
      const from = a[at];
      const to = v(at + 1) === "TO" ? a[at + 2] : undefined;
      if (from && to) model.renameColumn(table, from.name, to.name);
      return;
    }
    default:
      return;
  }
}

/** `CONSTRAINT name CHECK (expression) [NOT VALID]` from the name at `at`. */
function replayAddCheck(model: SchemaModel, table: string, a: Token[], at: number): void {
  const name = a[at]!;
  if (name.kind === "punct") return;
  let depth = 0;
  let end = at + 2;
  for (; end < a.length; end++) {
    if (a[end]!.value === "(") depth++;
    else if (a[end]!.value === ")" && --depth === 0) break;
  }
  if (end >= a.length) return;
  const rest = a.slice(end + 1).map((x) => (x.kind === "word" ? x.value : ""));
  const notValid = rest.some((word, i) => word === "NOT" && rest[i + 1] === "VALID");
  // A NOT ENFORCED or NO INHERIT check proves nothing about every row SET NOT NULL reads.
  const weak = rest.some((word, i) => (word === "NOT" && rest[i + 1] === "ENFORCED") || (word === "NO" && rest[i + 1] === "INHERIT"));
  model.addCheck(table, name.name, weak ? "" : tokensText(a.slice(at + 2, end + 1)), !notValid);
}

/** `(col type …, CONSTRAINT …)` of CREATE TABLE from `at` (just after the parenthesis). */
function columnList(t: Token[], at: number): ColumnState[] | null {
  let depth = 0;
  let end = at;
  for (; end < t.length; end++) {
    if (t[end]!.value === "(") depth++;
    else if (t[end]!.value === ")") {
      if (depth === 0) break;
      depth--;
    }
  }
  if (end >= t.length) return null;
  const columns: ColumnState[] = [];
  const primary: string[] = [];
  for (const item of splitTopLevel(t.slice(at, end))) {
    const first = item[0];
    if (!first) continue;
    if (first.kind === "word" && first.value === "LIKE") return null;
    if (first.kind === "word" && CONSTRAINT_HEADS.has(first.value)) {
      const p = item.findIndex((x) => x.value === "PRIMARY");
      if (p >= 0 && item[p + 1]?.value === "KEY" && item[p + 2]?.value === "(") {
        for (let i = p + 3; i < item.length && item[i]!.value !== ")"; i++) if (item[i]!.kind !== "punct") primary.push(item[i]!.name.toLowerCase());
      }
      continue;
    }
    const column = columnDefinition(item);
    if (column) columns.push({ ...column, origin: "base" });
  }
  for (const column of columns) if (primary.includes(column.name.toLowerCase())) column.nullable = false;
  return columns;
}

/** `name type [NOT NULL] [DEFAULT x] …` */
function columnDefinition(item: Token[]): Omit<ColumnState, "origin"> | null {
  const first = item[0];
  if (!first || first.kind === "punct" || first.kind === "string") return null;
  const end = typeEnd(item, 1);
  const column: Omit<ColumnState, "origin"> = { name: first.name, type: typeText(item.slice(1, end)), nullable: true };
  for (let i = end; i < item.length; i++) {
    const x = item[i]!;
    if (x.kind !== "word") continue;
    if (x.value === "NOT" && item[i + 1]?.value === "NULL") column.nullable = false;
    else if (x.value === "PRIMARY" && item[i + 1]?.value === "KEY") column.nullable = false;
    else if (x.value === "DEFAULT") {
      let j = i + 1;
      let depth = 0;
      for (; j < item.length; j++) {
        const y = item[j]!;
        if (y.value === "(") depth++;
        else if (y.value === ")") depth--;
        else if (depth === 0 && y.kind === "word" && (TYPE_ENDS.has(y.value) || y.value === "REFERENCES") && j > i + 1) break;
      }
      column.default = tokensText(item.slice(i + 1, j));
    }
  }
  return column;
}

function typeEnd(t: Token[], from: number): number {
  let end = from;
  let depth = 0;
  while (end < t.length) {
    const x = t[end]!;
    if (x.value === "(") depth++;
    else if (x.value === ")") depth--;
    else if (depth === 0 && x.kind === "word" && TYPE_ENDS.has(x.value)) break;
    end++;
  }
  return end;
}

export function typeText(tokens: Token[]): string {
  return normaliseType(tokensText(tokens));
}

function tokensText(tokens: Token[]): string {
  let out = "";
  let previous: Token | undefined;
  for (const x of tokens) {
    // In a type, `[]` and `[3]` are array brackets, kept as written.
    const text = x.bracketed ? `[${x.name}]` : tokenText(x);
    const tight = x.bracketed || (x.kind === "punct" ? x.value !== "-" : previous?.kind === "punct" && previous.value !== ",");
    out += out === "" || tight ? text : ` ${text}`;
    previous = x;
  }
  return out.trim();
}

/** A table the migrations of this history should have created: not in a system or extension schema. */
function isLocal(name: string): boolean {
  const parts = name.toLowerCase().split(".");
  return parts.length === 1 || parts[parts.length - 2] === "public" || parts[parts.length - 2] === "dbo";
}
