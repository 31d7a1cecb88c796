import nodeSqlParser from "node-sql-parser";
import type { SqlDialect } from "../types.js";
import type { Run, Spot } from "./run.js";
import { compareTypes } from "./schema.js";
import type { RuleMeta } from "../../model/rule.js";
import type { Severity } from "../../model/finding.js";
import { findAckMarkers, type SqlSource } from "./source.js";
import { splitByHand, type ByteRange } from "./split.js";
import { oneLine, summary } from "./ast.js";
import { normaliseStatement, sqlNormalisation } from "./statement.js";
import { harmlessNote, harmlessReading, readTokens, tokenize, unqualified, whereText } from "./tokens.js";
import * as rules from "../../../rules/sql/index.js";

const DATABASES: Record<Exclude<SqlDialect, "postgresql">, string> = {
  mysql: "MySQL",
  mariadb: "MariaDB",
  sqlite: "Sqlite",
  sqlserver: "TransactSQL",
  bigquery: "BigQuery",
  snowflake: "Snowflake",
};

const HARMLESS_HEAD = /^(insert|select|set|use|lock|unlock|begin|start|commit|rollback|show|values|print|declare|comment)\b/i;
const INTERESTING = /\b(drop|truncate|delete|update|alter|rename|create|grant|revoke|exec|execute|merge|replace|call)\b/i;

let parser: InstanceType<typeof nodeSqlParser.Parser> | undefined;

/* node-sql-parser's AST is loosely typed; these are the parts changegate reads. */
interface TableRef {
  db?: string | null;
  schema?: string | null;
  table?: string;
}
interface ColumnRef {
  column?: string | { expr?: { value?: string } };
}
interface AlterExpr {
  action?: string;
  resource?: string;
  column?: ColumnRef;
  old_column?: ColumnRef;
  definition?: { dataType?: string; length?: number; scale?: number };
  table?: string | TableRef;
  keyword?: string;
  key?: string;
  constraint?: string;
  index?: string;
}
interface Ast {
  type?: string;
  keyword?: string;
  name?: unknown;
  table?: unknown;
  where?: unknown;
  expr?: AlterExpr[];
  options?: unknown;
}

/**
 * MySQL, MariaDB, SQLite, SQL Server, BigQuery and Snowflake through node-sql-parser, one statement at a
 * time (it reports no positions). It covers drops, TRUNCATE, unbounded DELETE/UPDATE, dropped columns,
 * column type changes and renames; anything it cannot parse is `sql/unparsed` plus the keyword reading.
 */
export function analyzeOtherDialect(run: Run, source: SqlSource, dialect: Exclude<SqlDialect, "postgresql">): void {
  parser ??= new nodeSqlParser.Parser();
  const markers = findAckMarkers(source);
  const fileMarker = markers.find((m) => m.fileLevel);
  if (fileMarker && run.fileAck === undefined) run.fileAck = fileMarker.text;
  const mysqlLike = dialect === "mysql" || dialect === "mariadb" || dialect === "bigquery" || dialect === "sqlite";
  const ranges = joinCompoundBodies(
    source,
    splitByHand(source, { mysql: mysqlLike, brackets: dialect === "sqlserver", batches: dialect === "sqlserver", delimiterCommand: mysqlLike }),
  );
  for (const range of ranges) {
    const first = source.skipTrivia(range.start, range.end, mysqlLike);
    if (first >= range.end) continue;
    const text = source.slice(first, range.end);
    const last = Math.max(first + 1, source.trimEnd(first, range.end));
    const endLine = source.lineAt(last - 1);
    const previousLine = range.start > 0 ? source.lineAt(range.start - 1) : -1;
    const marker = markers.find(
      (m) => !m.fileLevel && ((m.offset >= range.start && m.offset < range.end && m.line !== previousLine) || m.line === endLine),
    );
    const spot: Spot = {
      line: source.lineAt(first),
      endLine,
      prefix: "",
      statement: () => normaliseStatement(text, sqlNormalisation(dialect)),
      ...(marker ? { ack: marker.text } : {}),
    };
    // A plain INSERT/SELECT/SET … without any destructive keyword (a data load of 100,000 INSERTs) is not
    // worth a parse: no rule could fire on it, parsed or not. Anything else is parsed, so junk still shows.
    if (HARMLESS_HEAD.test(text) && !INTERESTING.test(text)) {
      run.read.push({ start: first, end: range.end, verdict: "harmless" });
      run.noteStatement(text, spot, run.findings.length);
      continue;
    }
    if (dialect === "sqlserver" && spRename(run, spot, text)) {
      run.read.push({ start: first, end: range.end, verdict: "judged" });
      continue;
    }
    const before = run.findings.length;
    let asts: Ast[];
    try {
      asts = astify(text, dialect);
      run.read.push({ start: first, end: range.end, verdict: "judged" });
    } catch (error) {
      run.read.push({ start: first, end: range.end, verdict: "reported" });
      const message = error instanceof Error ? error.message : String(error);
      const tokens = tokenize(text);
      const harmless = harmlessReading(tokens);
      run.report(spot, rules.unparsed, `The ${DATABASES[dialect]} parser rejected this statement (${oneLine(message)})${harmlessNote(harmless)}`, {
        object: summary(text.slice(0, 200)),
        ...(harmless !== undefined ? { severity: "low" as const } : {}),
      });
      for (const hit of readTokens(tokens)) {
        run.report(spot, hit.rule, `${hit.message} (read from keywords only)`, {
          ...(hit.object !== undefined ? { object: hit.object } : {}),
          ...(hit.table !== undefined ? { table: hit.table } : {}),
          ...(hit.cascade ? { cascade: true } : {}),
        });
      }
      run.noteStatement(text, spot, before);
      continue;
    }
    for (const ast of asts) readAst(run, spot, ast, /\bCASCADE\b/i.test(text));
    run.noteStatement(text, spot, before);
  }
}

const COMPOUND_HEAD = /^create\s+(?:or\s+(?:replace|alter)\s+)?(?:definer\s*=\s*\S+\s+)?(?:temp\s+|temporary\s+)?(?:trigger|procedure|function|event)\b/i;
const BLOCK_ENDS = new Set(["IF", "LOOP", "WHILE", "REPEAT", "CASE"]);

/**
 * A trigger, procedure or function body (`BEGIN … END`) holds `;` that do not end the statement. Without
 * a DELIMITER line (SQLite triggers never have one, and migration tools send the file whole) the split
 * cuts such a body into pieces no parser reads; this joins the pieces back into one statement, so it is
 * judged (or reported) once, as what it is, and the statements after it are read on their own.
 */
export function joinCompoundBodies(source: SqlSource, ranges: ByteRange[]): ByteRange[] {
  const out: ByteRange[] = [];
  for (let i = 0; i < ranges.length; i++) {
    const range = ranges[i]!;
    const first = source.skipTrivia(range.start, range.end, true);
    if (!COMPOUND_HEAD.test(source.slice(first, Math.min(range.end, first + 200)))) {
      out.push(range);
      continue;
    }
    let depth = blockDepth(source.slice(first, range.end), 0);
    let end = range.end;
    let j = i;
    while (depth > 0 && j + 1 < ranges.length) {
      j++;
      depth = blockDepth(source.slice(ranges[j]!.start, ranges[j]!.end), depth);
      end = ranges[j]!.end;
    }
    // A body that never closes is not joined: the pieces are read as they are, nothing is swallowed.
    if (depth > 0) {
      out.push(range);
      continue;
    }
    out.push({ start: range.start, end });
    i = j;
  }
  return out;
}

/** The BEGIN … END nesting after `text`, starting from `depth`. */
function blockDepth(text: string, depth: number): number {
  const tokens = tokenize(text, 100_000);
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k]!;
    if (t.kind !== "word") continue;
    if (t.value === "BEGIN" && !["TRAN", "TRANSACTION", "WORK", "DEFERRED", "IMMEDIATE", "EXCLUSIVE"].includes(tokens[k + 1]?.value ?? "")) depth++;
    else if (t.value === "CASE" && depth > 0) depth++;
    else if (t.value === "END") {
      // END IF / END LOOP / … close statements that were not counted; END CASE closes a counted CASE.
      const next = tokens[k + 1]?.value ?? "";
      if (next !== "CASE") depth -= BLOCK_ENDS.has(next) ? 0 : 1;
      else depth--;
      if (BLOCK_ENDS.has(next)) k++;
    }
  }
  return depth;
}

/**
 * The statement's AST. MariaDB's and MySQL's `IF [NOT] EXISTS` on columns, indexes and keys, and MariaDB
 * syntax its own grammar lacks (MODIFY COLUMN … ENUM), are valid SQL node-sql-parser rejects: the text
 * is tried again without the guards and, for MariaDB, with the MySQL grammar, before it counts as unparsed.
 */
function astify(text: string, dialect: Exclude<SqlDialect, "postgresql">): Ast[] {
  const attempts: [string, string][] = [[text, DATABASES[dialect]]];
  if (dialect === "mysql" || dialect === "mariadb") {
    const unguarded = text.replace(/\bIF[ \t\r\n]+(?:NOT[ \t\r\n]+)?EXISTS\b/gi, " ");
    if (unguarded !== text) attempts.push([unguarded, DATABASES[dialect]]);
    if (dialect === "mariadb") attempts.push(...attempts.map(([t]) => [t, "MySQL"] as [string, string]));
  }
  let first: unknown;
  for (const [candidate, database] of attempts) {
    try {
      const result = parser!.astify(candidate, { database }) as unknown;
      return (Array.isArray(result) ? result : [result]) as Ast[];
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

/** T-SQL `EXEC sp_rename 'old', 'new' [, 'COLUMN' | 'INDEX' | 'OBJECT']`, which node-sql-parser does not read. */
function spRename(run: Run, spot: Spot, text: string): boolean {
  const tokens = tokenize(text, 64);
  let at = 0;
  if (tokens[at]?.value === "EXEC" || tokens[at]?.value === "EXECUTE") at++;
  if (tokens[at]?.value === "SP_RENAME" || (tokens[at]?.value === "SYS" && tokens[at + 2]?.value === "SP_RENAME")) at += tokens[at]?.value === "SYS" ? 3 : 1;
  else return false;
  const [from, to, kind] = tokens
    .slice(at)
    .filter((t) => t.kind === "string")
    .map((t) => t.name);
  if (from === undefined || to === undefined) return false;
  const what = (kind ?? "OBJECT").toUpperCase();
  const label = what === "COLUMN" ? "column" : what === "INDEX" ? "index" : what === "OBJECT" ? "object" : what.toLowerCase();
  run.report(spot, rules.rename, `Renames ${label} ${from} to ${to} (sp_rename)`, { object: from });
  return true;
}

function tableName(ref: unknown): string {
  if (typeof ref === "string") return ref;
  const t = ref as (TableRef & { as?: string | null }) | null | undefined;
  if (!t) return "?";
  // node-sql-parser's BigQuery grammar reads `DELETE FROM x` as table FROM with alias x.
  if (t.table?.toUpperCase() === "FROM" && t.as) return t.as;
  return [t.db ?? t.schema, t.table].filter((p) => p !== undefined && p !== null && p !== "").join(".");
}

function tables(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(tableName);
  return value === undefined || value === null ? [] : [tableName(value)];
}

function columnName(ref: ColumnRef | undefined): string {
  const column = ref?.column;
  if (typeof column === "string") return column;
  return column?.expr?.value ?? "?";
}

function isTautology(where: unknown): boolean {
  const w = where as { type?: string; value?: unknown; operator?: string; left?: { type?: string; value?: unknown; column?: unknown }; right?: { type?: string; value?: unknown; column?: unknown } } | null;
  if (!w) return false;
  if (w.type === "bool") return w.value === true;
  if (w.type === "number") return Number(w.value) !== 0;
  if (w.type === "binary_expr" && w.operator === "=" && w.left && w.right) {
    const literal = (x: { type?: string }) => x.type === "number" || x.type === "single_quote_string" || x.type === "string" || x.type === "bool";
    if (literal(w.left) && literal(w.right)) return String(w.left.value) === String(w.right.value);
    if (w.left.type === "column_ref" && w.right.type === "column_ref") return JSON.stringify(w.left.column) === JSON.stringify(w.right.column);
  }
  if (w.type === "binary_expr" && w.operator === "OR") return isTautology(w.left) || isTautology(w.right);
  return false;
}

function readAst(run: Run, spot: Spot, ast: Ast, cascade: boolean): void {
  const report = (rule: RuleMeta, message: string, object?: string, on: { table?: string; cascade?: boolean } = {}) =>
    run.report(spot, rule, message, { ...(object !== undefined ? { object } : {}), ...on });
  const cascadeNote = cascade ? " with CASCADE" : "";
  const keyword = String(ast.keyword ?? "").toLowerCase();
  switch (ast.type) {
    case "drop": {
      const names = keyword === "database" || keyword === "schema" ? tables(ast.name) : tables(ast.name);
      if (keyword === "database") for (const name of names) report(rules.dropDatabase, `Drops database ${name}`, name);
      else if (keyword === "schema") for (const name of names) report(rules.dropSchema, `Drops schema ${name}${cascadeNote}`, name);
      else if (keyword === "table") {
        for (const name of names) report(rules.dropTable, `Drops table ${name}${cascadeNote}`, name, { table: name });
      } else if (keyword === "index") {
        const index = columnName(ast.name as ColumnRef) !== "?" ? columnName(ast.name as ColumnRef) : tables(ast.name).join(", ");
        report(rules.dropIndex, `Drops index ${index}${ast.table ? ` on ${tableName(ast.table)}` : ""}`, index);
      } else {
        for (const name of names) report(rules.dropObject, `Drops ${keyword || "object"} ${name}${cascadeNote}`, name, { cascade });
      }
      return;
    }
    case "truncate":
      for (const name of tables(ast.name)) report(rules.truncate, `Empties table ${name}${cascadeNote}`, name, { table: name });
      return;
    case "delete":
    case "update": {
      // For DELETE, `table` lists the targets (`DELETE t FROM t JOIN u …` deletes from t only).
      const names = tables(ast.table ?? (ast as { from?: unknown }).from);
      const why = ast.where ? (isTautology(ast.where) ? "its WHERE clause is always true" : undefined) : "no WHERE clause";
      if (!why) {
        if (ast.type === "delete") {
          const clause = (spot.statement ? whereText(spot.statement()) : undefined) ?? "(a WHERE clause)";
          for (const name of names) report(rules.deleteRows, `Deletes the rows of ${name} WHERE ${clause}`, name, { table: name });
        }
        return;
      }
      for (const name of names) {
        if (ast.type === "delete") report(rules.deleteAllRows, `Deletes every row of ${name} (${why})`, name, { table: name });
        else report(rules.updateAllRows, `Updates every row of ${name} (${why})`, name, { table: name });
      }
      return;
    }
    case "create":
      if (keyword === "table") {
        const ifNotExists = (ast as { if_not_exists?: unknown }).if_not_exists;
        for (const name of tables(ast.table)) {
          if (!ifNotExists) run.created.add(unqualified(name));
          else run.guardedCreate(name);
        }
      }
      return;
    case "rename":
      for (const pair of (ast.table as TableRef[][] | undefined) ?? []) {
        const from = tableName(pair[0]);
        report(rules.rename, `Renames table ${from} to ${tableName(pair[1])}`, from);
      }
      return;
    case "alter": {
      const table = tables(ast.table)[0] ?? "?";
      for (const expr of ast.expr ?? []) readAlter(run, spot, table, expr, cascade);
      return;
    }
    default:
      return;
  }
}

function readAlter(run: Run, spot: Spot, table: string, expr: AlterExpr, cascade: boolean): void {
  const report = (rule: RuleMeta, message: string, object: string, severity?: Severity) => run.report(spot, rule, message, { object, table, ...(severity ? { severity } : {}) });
  const cascadeNote = cascade ? " with CASCADE" : "";
  const action = String(expr.action ?? "").toLowerCase();
  const resource = String(expr.resource ?? "").toLowerCase();
  const type = expr.definition?.dataType
    ? `${expr.definition.dataType}${expr.definition.length !== undefined ? `(${expr.definition.length}${expr.definition.scale !== undefined ? `,${expr.definition.scale}` : ""})` : ""}`
    : "?";
  if (action === "drop" && resource === "column") {
    const column = `${table}.${columnName(expr.column)}`;
    const dropped = run.report(spot, rules.dropColumn, `Drops column ${column}${cascadeNote}`, { object: column, table, cascade });
    if (dropped) run.droppedColumn(table, columnName(expr.column), dropped);
  } else if (action === "add" && resource === "column") {
    if (!run.created.has(unqualified(table))) run.addedColumn(table, columnName(expr.column));
  } else if (action === "drop" && (resource === "key" || resource === "constraint" || resource === "index")) {
    const name = expr.key ?? expr.constraint ?? expr.index ?? "";
    report(resource === "index" ? rules.dropIndex : rules.dropConstraint, `Drops ${expr.keyword ?? resource} ${name} on ${table}`.replace("  ", " "), table);
  } else if (action === "modify" || (action === "alter" && expr.definition)) {
    const column = `${table}.${columnName(expr.column)}`;
    if (!sameType(run, table, columnName(expr.column), type, expr, report, column)) {
      const before = typeBefore(run, table, columnName(expr.column), type);
      report(rules.columnTypeChange, `Redefines column ${column} as ${type}${before.text}`, column, before.severity);
    }
  } else if (action === "change") {
    const from = `${table}.${columnName(expr.old_column)}`;
    const to = columnName(expr.column);
    if (!sameType(run, table, columnName(expr.old_column), type, expr, report, from)) {
      const before = typeBefore(run, table, columnName(expr.old_column), type);
      report(rules.columnTypeChange, `Redefines column ${from} as ${to} ${type}${before.text}`, from, before.severity);
    }
    if (to !== columnName(expr.old_column)) report(rules.rename, `Renames column ${from} to ${to}`, from);
  } else if (action === "rename") {
    if (resource === "column") {
      const from = `${table}.${columnName(expr.old_column)}`;
      report(rules.rename, `Renames column ${from} to ${columnName(expr.column)}`, from);
    } else {
      report(rules.rename, `Renames table ${table} to ${tableName(expr.table)}`, table);
    }
  }
}

/**
 * MODIFY / CHANGE restate a column's whole definition. Where the schema model knows the column's type
 * and it stays the same, no type changes: only the NOT NULL it may add is reported. Returns whether
 * that settled it.
 */
function sameType(run: Run, table: string, column: string, type: string, expr: AlterExpr, report: (rule: RuleMeta, message: string, object: string) => void, object: string): boolean {
  const model = run.context.schema;
  if (!model?.trusted || run.created.has(unqualified(table))) return false;
  const before = model.column(table, column);
  if (!before || before.type === "" || type === "?" || compareTypes(before.type, type) !== "same") return false;
  const notNull = (expr as { nullable?: { type?: string } }).nullable?.type === "not null";
  if (notNull && before.nullable) report(rules.notNull, `Makes ${object} NOT NULL (its type, ${before.type}, stays), checking every row`, object);
  return true;
}

/** ` (it was varchar(20))`: the type before, where the model knows it; a widening, which keeps every value, is medium. */
function typeBefore(run: Run, table: string, column: string, type: string): { text: string; severity?: Severity } {
  const model = run.context.schema;
  const before = model?.trusted ? model.column(table, column) : undefined;
  if (!before || before.type === "") return { text: "" };
  if (type !== "?" && compareTypes(before.type, type) === "widens") return { text: ` (it was ${before.type}): it widens the column, so every value fits`, severity: "medium" };
  return { text: ` (it was ${before.type})` };
}
