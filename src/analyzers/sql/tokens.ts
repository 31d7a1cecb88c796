/**
 * The last line of defence: a keyword reading of a statement no parser understood, so that a DROP,
 * TRUNCATE or unbounded DELETE/UPDATE is still reported (next to `sql/unparsed`). It is deliberately
 * simple and dialect-neutral; the parsers do the real work.
 */
import type { RuleMeta } from "../../model/rule.js";
import * as rules from "../../../rules/sql/index.js";

export interface Token {
  /** Upper-cased word, unquoted identifier text, or the punctuation character. */
  value: string;
  /** Identifier as written, unquoted. */
  name: string;
  kind: "word" | "quoted" | "string" | "punct";
  /** Quoted with `[…]`: an identifier in SQL Server, an array type's brackets in PostgreSQL (`integer[]`). */
  bracketed?: true;
}

export interface TokenHit {
  rule: RuleMeta;
  message: string;
  object?: string;
  /** The table it acts on, for the reporter's created-in-this-change judgement. */
  table?: string;
  cascade?: boolean;
}

export function tokenize(text: string, limit = 10_000): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n && tokens.length < limit) {
    const c = text[i]!;
    if (isSpace(c)) {
      i++;
    } else if ((c === "-" && text[i + 1] === "-") || c === "#") {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close === -1 ? n : close + 2;
    } else if (c === "'") {
      let j = i + 1;
      while (j < n && !(text[j] === "'" && text[j + 1] !== "'")) j += text[j] === "'" || text[j] === "\\" ? 2 : 1;
      tokens.push({ value: "'", name: text.slice(i + 1, j), kind: "string" });
      i = j + 1;
    } else if (c === '"' || c === "`" || c === "[") {
      const closer = c === "[" ? "]" : c;
      const close = text.indexOf(closer, i + 1);
      const end = close === -1 ? n : close;
      const name = text.slice(i + 1, end);
      const token: Token = { value: name.toUpperCase(), name, kind: "quoted" };
      if (c === "[") token.bracketed = true;
      tokens.push(token);
      i = end + 1;
    } else if (c === "$") {
      const tag = /^\$[A-Za-z_]*\$/.exec(text.slice(i, i + 64));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        const end = close === -1 ? n : close + tag[0].length;
        tokens.push({ value: "$", name: text.slice(i, end), kind: "string" });
        i = end;
      } else {
        i++;
      }
    } else if (c !== "$" && isWordChar(c)) {
      let j = i + 1;
      while (j < n && isWordChar(text[j]!)) j++;
      const word = text.slice(i, j);
      tokens.push({ value: word.toUpperCase(), name: word, kind: "word" });
      i = j;
    } else {
      tokens.push({ value: c, name: c, kind: "punct" });
      i++;
    }
  }
  return tokens;
}

/** `/\s/`, answered without the expression for ASCII (every character of most migrations). */
export function isSpace(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return code === 32 || (code >= 9 && code <= 13);
  return /\s/.test(c);
}

/** `/[\p{L}\p{N}_$]/u`, answered without the expression for ASCII. */
export function isWordChar(c: string): boolean {
  const code = c.charCodeAt(0);
  if (code < 128) return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36;
  return /[\p{L}\p{N}_$]/u.test(c);
}

/** Reads a possibly qualified name (`a.b.c`) at `at`; returns it and the index after it. */
export function qualifiedName(tokens: Token[], at: number): { name: string; next: number } | undefined {
  const first = tokens[at];
  if (!first || (first.kind !== "word" && first.kind !== "quoted")) return undefined;
  const parts = [first.name];
  let i = at + 1;
  while (tokens[i]?.value === "." && tokens[i + 1] && (tokens[i + 1]!.kind === "word" || tokens[i + 1]!.kind === "quoted")) {
    parts.push(tokens[i + 1]!.name);
    i += 2;
  }
  return { name: parts.join("."), next: i };
}

function skipIfExists(tokens: Token[], at: number): number {
  if (tokens[at]?.value === "IF" && tokens[at + 1]?.value === "EXISTS") return at + 2;
  return at;
}

function has(tokens: Token[], value: string, from = 0): boolean {
  for (let i = from; i < tokens.length; i++) if (tokens[i]!.value === value && tokens[i]!.kind === "word") return true;
  return false;
}

const DROP_OBJECT_KINDS = new Set([
  "VIEW",
  "MATERIALIZED",
  "SEQUENCE",
  "TYPE",
  "DOMAIN",
  "FUNCTION",
  "PROCEDURE",
  "ROUTINE",
  "TRIGGER",
  "EXTENSION",
  "OWNED",
  "AGGREGATE",
  "RULE",
  "EVENT",
  "SERVER",
  "FOREIGN",
  "COLLATION",
  "OPERATOR",
  "TABLESPACE",
]);

/** Object kinds that make `DROP <kind>` a statement of its own rather than part of an ALTER. */
const DROP_KINDS = new Set([...DROP_OBJECT_KINDS, "TABLE", "DATABASE", "SCHEMA", "INDEX", "POLICY", "ROLE", "USER", "PUBLICATION", "SUBSCRIPTION", "TEMPORARY", "TEMP"]);
const TRIGGER_EVENT_WORDS = new Set(["ON", "BEFORE", "AFTER", "OR", "INSTEAD", "OF", "FOR"]);

/**
 * Whether token `i` starts another statement. Text that did not parse often lacks a `;` (or is a body
 * in an unknown language), and a DROP in the middle of it must still be read.
 */
function startsStatement(tokens: Token[], i: number): boolean {
  const token = tokens[i]!;
  if (token.kind !== "word") return false;
  const previous = tokens[i - 1]?.value ?? "";
  const next = tokens[i + 1]?.value;
  switch (token.value) {
    case "DROP":
      return next !== undefined && DROP_KINDS.has(next);
    case "TRUNCATE":
      return !TRIGGER_EVENT_WORDS.has(previous);
    case "DELETE":
      return next === "FROM" && !TRIGGER_EVENT_WORDS.has(previous);
    case "UPDATE":
      return tokens[i + 2]?.value === "SET" && !TRIGGER_EVENT_WORDS.has(previous);
    case "ALTER":
      return next === "TABLE";
    case "GRANT":
      return previous !== "WITH";
    case "REVOKE":
    case "CREATE":
      return true;
    case "INSERT":
      return next === "INTO";
    case "RENAME":
      return next === "TABLE";
    default:
      return false;
  }
}

/**
 * What the keywords of one statement say it does, read per statement-like segment. Whether the
 * table was created earlier in the same change is the reporter's judgement (`table` of each hit).
 */
export function readTokens(tokens: Token[]): TokenHit[] {
  const hits: TokenHit[] = [];
  let start = 0;
  for (let i = 1; i <= tokens.length; i++) {
    if (i === tokens.length || startsStatement(tokens, i)) {
      hits.push(...readSegment(tokens.slice(start, i)));
      start = i;
    }
  }
  return hits;
}

function readSegment(tokens: Token[]): TokenHit[] {
  const hits: TokenHit[] = [];
  const head = tokens[0]?.value;
  const cascade = has(tokens, "CASCADE");
  const withCascade = cascade ? " with CASCADE" : "";
  const crit = cascade ? { cascade: true } : {};
  if (head === "DROP") {
    let kind = tokens[1]?.value ?? "";
    let at = 2;
    if (kind === "TEMPORARY" || kind === "TEMP") {
      kind = tokens[2]?.value ?? "";
      at = 3;
    }
    if (kind === "MATERIALIZED" || kind === "FOREIGN" || kind === "EVENT") at++;
    at = skipIfExists(tokens, at);
    if (tokens[at]?.value === "CONCURRENTLY") at = skipIfExists(tokens, at + 1);
    const name = qualifiedName(tokens, at)?.name;
    const object = name !== undefined ? { object: name } : {};
    const label = name ?? "(unreadable name)";
    switch (kind) {
      case "DATABASE":
        hits.push({ rule: rules.dropDatabase, message: `Drops database ${label}${withCascade}`, ...object });
        break;
      case "SCHEMA":
        hits.push({ rule: rules.dropSchema, message: `Drops schema ${label}${withCascade}`, ...object });
        break;
      case "TABLE":
        hits.push({ rule: rules.dropTable, message: `Drops table ${label}${withCascade}`, ...object, ...(name !== undefined ? { table: name } : {}) });
        break;
      case "INDEX":
        hits.push({ rule: rules.dropIndex, message: `Drops index ${label}${withCascade}`, ...object });
        break;
      case "POLICY":
        hits.push({ rule: rules.disableRls, message: `Drops row-level security policy ${label}`, ...object });
        break;
      case "ROLE":
      case "USER":
      case "GROUP":
      case "LOGIN":
        hits.push({ rule: rules.dropRole, message: `Drops role ${label}`, ...object });
        break;
      case "PUBLICATION":
      case "SUBSCRIPTION":
        hits.push({ rule: rules.replication, message: `Drops ${kind.toLowerCase()} ${label}`, ...object });
        break;
      default:
        if (DROP_OBJECT_KINDS.has(kind)) {
          hits.push({ rule: rules.dropObject, message: `Drops ${kind.toLowerCase()} ${label}${withCascade}`, ...object, ...crit });
        } else {
          hits.push({ rule: rules.dropObject, message: `Drops something (DROP ${kind})${withCascade}`, ...crit });
        }
    }
  } else if (head === "TRUNCATE") {
    let at = tokens[1]?.value === "TABLE" ? 2 : 1;
    if (tokens[at]?.value === "ONLY") at++;
    const name = qualifiedName(tokens, at)?.name;
    hits.push({ rule: rules.truncate, message: `Empties table ${name ?? "(unreadable name)"}${withCascade}`, ...(name ? { object: name, table: name } : {}) });
  } else if (head === "DELETE" && has(tokens, "WHERE")) {
    let at = 1;
    if (tokens[at]?.value === "FROM") at++;
    if (tokens[at]?.value === "ONLY") at++;
    const name = qualifiedName(tokens, at)?.name;
    hits.push({ rule: rules.deleteRows, message: `Deletes the rows of ${name ?? "a table"} that match its WHERE clause`, ...(name ? { object: name, table: name } : {}) });
  } else if (head === "DELETE" && !has(tokens, "WHERE")) {
    let at = 1;
    if (tokens[at]?.value === "FROM") at++;
    if (tokens[at]?.value === "ONLY") at++;
    const name = qualifiedName(tokens, at)?.name;
    hits.push({ rule: rules.deleteAllRows, message: `Deletes every row of ${name ?? "a table"} (no WHERE clause)`, ...(name ? { object: name, table: name } : {}) });
  } else if (head === "UPDATE" && !has(tokens, "WHERE")) {
    const name = qualifiedName(tokens, tokens[1]?.value === "ONLY" ? 2 : 1)?.name;
    hits.push({ rule: rules.updateAllRows, message: `Updates every row of ${name ?? "a table"} (no WHERE clause)`, ...(name ? { object: name, table: name } : {}) });
  } else if (head === "ALTER" && tokens[1]?.value === "TABLE") {
    readAlterTable(tokens, hits);
  } else if (head === "GRANT") {
    if (tokens[1]?.value === "ALL" || has(tokens, "PUBLIC")) hits.push({ rule: rules.privilegeGrant, message: "Grants broad privileges (GRANT ALL or TO PUBLIC)" });
  } else if ((head === "EXEC" || head === "EXECUTE") && tokens[1]?.value === "SP_RENAME") {
    const name = tokens.find((t) => t.kind === "string")?.name;
    hits.push({ rule: rules.rename, message: `Renames ${name ?? "an object"} with sp_rename`, ...(name ? { object: name, table: name } : {}) });
  } else if (head === "RENAME" && tokens[1]?.value === "TABLE") {
    // MySQL `RENAME TABLE a TO b, c TO d`: every pair is a rename.
    let at = skipIfExists(tokens, 2);
    for (;;) {
      const from = qualifiedName(tokens, at);
      const to = from && tokens[from.next]?.value === "TO" ? qualifiedName(tokens, from.next + 1) : undefined;
      if (!from || !to) break;
      hits.push({ rule: rules.rename, message: `Renames table ${from.name} to ${to.name}`, object: from.name, table: from.name });
      if (tokens[to.next]?.value !== ",") break;
      at = to.next + 1;
    }
  } else if (head === "REVOKE") {
    hits.push({ rule: rules.dropRole, message: "Revokes privileges" });
  }
  return hits;
}

/** Words after DROP in an ALTER TABLE that do not start a column or constraint name. */
const NOT_DROPPED_NAMES = new Set(["DEFAULT", "NOT", "INDEX", "KEY", "PRIMARY", "FOREIGN", "CHECK", "PARTITION", "IDENTITY", "EXPRESSION", "PERIOD", "SYSTEM", "ROW"]);
/** Words that start the next action of a multi-action ALTER TABLE (`…, ADD COLUMN …`). */
const ALTER_ACTIONS = new Set(["ADD", "DROP", "ALTER", "MODIFY", "CHANGE", "RENAME", "ALGORITHM", "LOCK", "ENABLE", "DISABLE", "SET", "RESET", "OWNER", "VALIDATE", "ATTACH", "DETACH", "FORCE", "NO", "INHERIT", "CLUSTER", "REPLICA", "OF", "ORDER", "CONVERT", "CHARACTER", "DEFAULT", "ENGINE", "COMMENT", "AUTO_INCREMENT", "WITH"]);

function readAlterTable(tokens: Token[], hits: TokenHit[]): void {
  let at = skipIfExists(tokens, 2);
  if (tokens[at]?.value === "ONLY") at++;
  const table = qualifiedName(tokens, at);
  if (!table) return;
  const on = { table: table.name };
  const crit = has(tokens, "CASCADE") ? { cascade: true } : {};
  for (let i = table.next; i < tokens.length; i++) {
    const t = tokens[i]!.value;
    const next = tokens[i + 1]?.value;
    if (t === "DROP" && next !== undefined && !NOT_DROPPED_NAMES.has(next)) {
      // `DROP [COLUMN|CONSTRAINT] [IF EXISTS] x[, y …]`: T-SQL and Snowflake list several names after one
      // DROP, and T-SQL may switch kind within the list (`DROP CONSTRAINT c, COLUMN a`).
      let kind: "column" | "constraint" = next === "CONSTRAINT" ? "constraint" : "column";
      let at = next === "COLUMN" || next === "CONSTRAINT" ? i + 2 : i + 1;
      for (;;) {
        const name = qualifiedName(tokens, skipIfExists(tokens, at));
        if (!name) {
          if (kind === "constraint") hits.push({ rule: rules.dropConstraint, message: `Drops a constraint on ${table.name}`, object: table.name, ...on });
          break;
        }
        if (kind === "constraint") {
          hits.push({ rule: rules.dropConstraint, message: `Drops constraint ${name.name} on ${table.name}`, object: table.name, ...on });
        } else {
          hits.push({ rule: rules.dropColumn, message: `Drops column ${name.name} of ${table.name}`, object: `${table.name}.${name.name}`, ...on, ...crit });
        }
        if (tokens[name.next]?.value !== ",") break;
        const following = tokens[name.next + 1];
        if (following?.value === "COLUMN" || following?.value === "CONSTRAINT") {
          kind = following.value === "COLUMN" ? "column" : "constraint";
          at = name.next + 2;
        } else if (following === undefined || (following.kind === "word" && ALTER_ACTIONS.has(following.value))) {
          break;
        } else {
          at = name.next + 1;
        }
      }
    } else if (t === "DROP" && (next === "INDEX" || next === "KEY")) {
      const name = qualifiedName(tokens, skipIfExists(tokens, i + 2))?.name;
      hits.push({ rule: rules.dropIndex, message: `Drops index ${name ?? ""} on ${table.name}`.replace("  ", " "), object: table.name, ...on });
    } else if (t === "DROP" && (next === "PRIMARY" || next === "FOREIGN") && tokens[i + 2]?.value === "KEY") {
      const name = next === "FOREIGN" ? qualifiedName(tokens, skipIfExists(tokens, i + 3))?.name : undefined;
      hits.push({ rule: rules.dropConstraint, message: `Drops ${next === "PRIMARY" ? "the primary key" : `foreign key ${name ?? ""}`.trim()} on ${table.name}`, object: table.name, ...on });
    } else if (t === "RENAME") {
      hits.push({ rule: rules.rename, message: `Renames ${table.name} or one of its columns`, object: table.name, ...on });
    } else if (t === "MODIFY" || t === "CHANGE") {
      hits.push({ rule: rules.columnTypeChange, message: `Redefines a column of ${table.name} (${t})`, object: table.name, ...on });
    } else if (t === "TYPE" && tokens.slice(table.next, i).some((x) => x.value === "ALTER")) {
      hits.push({ rule: rules.columnTypeChange, message: `Changes a column type of ${table.name}`, object: table.name, ...on });
    } else if (t === "DISABLE" && next === "ROW") {
      hits.push({ rule: rules.disableRls, message: `Disables row-level security on ${table.name}`, object: table.name });
    } else if (t === "DISABLE" && next === "TRIGGER") {
      hits.push({ rule: rules.disableTriggers, message: `Disables triggers on ${table.name}`, object: table.name });
    }
  }
}

export { unqualified } from "../report.js";

/** Words that open a table constraint in a column list rather than a column definition. */
export const CONSTRAINT_HEADS: ReadonlySet<string> = new Set(["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN", "KEY", "INDEX", "EXCLUDE", "FULLTEXT", "SPATIAL", "PERIOD"]);

/** Words that end a column's type in a column definition (`name varchar(20) NOT NULL …`). */
export const COLUMN_TYPE_ENDS: ReadonlySet<string> = new Set([
  "NOT",
  "NULL",
  "DEFAULT",
  "PRIMARY",
  "UNIQUE",
  "CHECK",
  "REFERENCES",
  "CONSTRAINT",
  "COLLATE",
  "GENERATED",
  "AUTOINCREMENT",
  "AUTO_INCREMENT",
  "COMMENT",
  "AS",
  "IDENTITY",
  "ON",
  "CHARACTER",
  "CHARSET",
]);

/** The top-level comma-separated items of a token list (commas inside parentheses stay), empty ones left out. */
export function splitTopLevel(tokens: readonly Token[]): Token[][] {
  const lists: Token[][] = [[]];
  let depth = 0;
  for (const t of tokens) {
    if (t.value === "(") depth++;
    else if (t.value === ")") depth--;
    if (t.value === "," && depth === 0 && t.kind === "punct") lists.push([]);
    else lists[lists.length - 1]!.push(t);
  }
  return lists.filter((l) => l.length > 0);
}

/** A token as written: strings re-quoted, quoted identifiers and words by name, punctuation as is. */
export function tokenText(t: Token): string {
  return t.kind === "string" ? `'${t.name}'` : t.kind === "quoted" ? t.name : t.kind === "word" ? t.name : t.value;
}

/**
 * The text of a statement's top-level WHERE clause (not one inside parentheses), without RETURNING and
 * the final `;`, on one line and at most 200 characters; undefined when there is none.
 */
export function whereText(statement: string): string | undefined {
  let depth = 0;
  let quote = "";
  let start = -1;
  for (let i = 0; i < statement.length; i++) {
    const c = statement[i]!;
    if (quote !== "") {
      if (c === quote) quote = "";
    } else if (c === "'" || c === '"' || c === "`") {
      quote = c;
    } else if (c === "(") {
      depth++;
    } else if (c === ")") {
      depth--;
    } else if (depth === 0 && (c === "w" || c === "W") && /^where\b/i.test(statement.slice(i, i + 6)) && (i === 0 || !/[\w$]/.test(statement[i - 1]!))) {
      start = i + 5;
      break;
    }
  }
  if (start === -1) return undefined;
  let text = statement
    .slice(start)
    .replace(/\breturning\b[\s\S]*$/i, "")
    .replace(/--[^\n]*/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  while (text.endsWith(";")) text = text.slice(0, -1).trimEnd();
  if (text === "") return undefined;
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

/** Words that, anywhere in a statement, keep the keyword reading from calling it harmless. */
const UNSAFE_WORDS = new Set([
  "DROP",
  "TRUNCATE",
  "DELETE",
  "UPDATE",
  "ALTER",
  "RENAME",
  "REVOKE",
  "GRANT",
  "MODIFY",
  "CHANGE",
  "DISABLE",
  "REPLACE",
  "EXEC",
  "EXECUTE",
  "MERGE",
  "CALL",
  "DO",
  "LOAD",
  "COPY",
  "VACUUM",
  "REINDEX",
  "CLUSTER",
  "LOCK",
  "OWNER",
  "PASSWORD",
  "SUPERUSER",
  "BYPASSRLS",
  "CREATEROLE",
  "POLICY",
  "TRIGGER",
  "FUNCTION",
  "PROCEDURE",
  "RULE",
  "CASCADE",
  "TRANSACTION",
]);
/** SQLite pragmas that only set how this connection checks or stores, never what the schema holds. */
const HARMLESS_PRAGMAS = new Set([
  "FOREIGN_KEYS",
  "DEFER_FOREIGN_KEYS",
  "LEGACY_ALTER_TABLE",
  "FOREIGN_KEY_CHECK",
  "INTEGRITY_CHECK",
  "QUICK_CHECK",
  "OPTIMIZE",
  "JOURNAL_MODE",
  "SYNCHRONOUS",
  "BUSY_TIMEOUT",
  "USER_VERSION",
]);
/** In an ALTER TABLE … ADD, words that add more than a column (a constraint or an index over existing rows). */
const ADDS_MORE_THAN_A_COLUMN = new Set(["CONSTRAINT", "FOREIGN", "CHECK", "PRIMARY", "UNIQUE", "INDEX", "KEY", "PARTITION"]);

/**
 * For a statement no parser accepted: what it does, when every keyword of it is one the keyword
 * reading understands and none can lose data, lock a table for long or change privileges — a
 * CREATE TABLE or CREATE INDEX, an ALTER TABLE that only adds nullable or defaulted columns, an
 * INSERT, a SQLite PRAGMA that only sets connection checks. Undefined for anything else (it stays a
 * statement a person must read).
 */
export function harmlessReading(tokens: Token[]): string | undefined {
  const starts = [0];
  for (let i = 1; i < tokens.length; i++) if (startsStatement(tokens, i)) starts.push(i);
  const readings: string[] = [];
  for (const [n, start] of starts.entries()) {
    const reading = harmlessSegment(tokens.slice(start, starts[n + 1] ?? tokens.length));
    if (reading === undefined) return undefined;
    readings.push(reading);
  }
  return readings.length > 0 ? readings.join("; ") : undefined;
}

/** The message's tail for a rejected statement the keyword reading finds harmless (reported at low). */
export function harmlessNote(reading: string | undefined): string {
  return reading === undefined ? "" : `; its keywords read as ${reading}, with no keyword that drops, rewrites, revokes or deletes, so it is reported at low`;
}

function harmlessSegment(tokens: Token[]): string | undefined {
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== "word" || !UNSAFE_WORDS.has(t.value)) continue;
    // Referential actions of a foreign key (`ON DELETE CASCADE`, `ON UPDATE SET NULL`) describe later deletes, they do none.
    const previous = tokens[i - 1]?.value;
    if ((t.value === "DELETE" || t.value === "UPDATE") && previous === "ON") continue;
    if (t.value === "CASCADE" && (previous === "DELETE" || previous === "UPDATE") && tokens[i - 2]?.value === "ON") continue;
    return undefined;
  }
  const word = (i: number) => (tokens[i]?.kind === "word" ? tokens[i]!.value : undefined);
  const head = word(0);
  if (head === "CREATE") {
    let at = 1;
    if (word(at) === "UNIQUE") at++;
    if (word(at) === "TEMP" || word(at) === "TEMPORARY") at++;
    const kind = word(at);
    if (kind !== "TABLE" && kind !== "INDEX" && kind !== "VIEW" && kind !== "SEQUENCE") return undefined;
    at++;
    if (word(at) === "IF" && word(at + 1) === "NOT" && word(at + 2) === "EXISTS") at += 3;
    const name = qualifiedName(tokens, at);
    return name ? `CREATE ${kind} ${name.name}` : undefined;
  }
  if (head === "ALTER" && word(1) === "TABLE") {
    const table = qualifiedName(tokens, 2);
    if (!table || word(table.next) !== "ADD") return undefined;
    const rest = tokens.slice(table.next);
    // Each comma-separated action must be an ADD of a column.
    let depth = 0;
    let actionStart = true;
    let notNull = false;
    let withDefault = false;
    for (let i = 0; i <= rest.length; i++) {
      const t = rest[i];
      if (t === undefined || (depth === 0 && t.value === ",")) {
        if (notNull && !withDefault) return undefined;
        actionStart = true;
        notNull = withDefault = false;
        continue;
      }
      if (t.value === "(") depth++;
      else if (t.value === ")") depth--;
      if (t.kind !== "word") {
        actionStart = false;
        continue;
      }
      if (actionStart) {
        if (t.value !== "ADD") return undefined;
        actionStart = false;
        continue;
      }
      if (depth === 0 && ADDS_MORE_THAN_A_COLUMN.has(t.value)) return undefined;
      if (t.value === "NOT" && rest[i + 1]?.value === "NULL") notNull = true;
      if (t.value === "DEFAULT") withDefault = true;
    }
    return `ALTER TABLE ${table.name} ADD (columns only)`;
  }
  if (head === "INSERT" && word(1) === "INTO") {
    const name = qualifiedName(tokens, 2);
    return name ? `INSERT INTO ${name.name}` : undefined;
  }
  if (head === "PRAGMA") {
    const name = word(1);
    return name !== undefined && HARMLESS_PRAGMAS.has(name) ? `PRAGMA ${tokens[1]!.name}` : undefined;
  }
  return undefined;
}
