import { parse as parseToml, TomlError } from "smol-toml";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import type { RuleMeta } from "../../model/rule.js";
import type { Emitter } from "./emit.js";
import { keepOnOneLine } from "./lines.js";
import * as rules from "../../../rules/sql/index.js";

/**
 * Migration tools whose migrations are data, not code: pgroll (JSON or YAML `operations`) and Reshape
 * (TOML or JSON `actions`). Each operation is read statically and reported under the rule its SQL
 * equivalent gets; the raw SQL they carry (pgroll `sql`, Reshape `custom`) goes to the SQL analyzer.
 * A file that does not parse, or an operation changegate has no reading of, is `sql/unparsed`.
 */
export function readDeclarativeMigration(text: string, emit: Emitter, path: string): void {
  let parsed: Parsed;
  try {
    parsed = /\.toml$/i.test(path) ? parseTomlFile(text) : parseYamlFile(text);
  } catch (error) {
    const line = error instanceof TomlError ? error.line : 1;
    emit.operation(rules.unparsed, line, `This migration could not be parsed (${oneLine(error)}); nothing in it was checked`, { object: path });
    return;
  }
  if (parsed.error) {
    emit.operation(rules.unparsed, parsed.error.line, `This migration could not be read: ${parsed.error.message}; nothing in it was checked`, { object: path });
    return;
  }
  // Both tools run each migration's DDL in a transaction of their own making (pgroll's start phase).
  emit.transaction = undefined;
  for (const op of parsed.ops) {
    if (parsed.tool === "pgroll") readPgroll(op, emit);
    else readReshape(op, emit);
  }
}

interface Op {
  kind: string;
  attrs: Record<string, unknown>;
  line: number;
  /** Where each string attribute's text starts (block scalars: the line after the key), and whether it spans lines in the file. */
  lines: Record<string, { line: number; multiline: boolean }>;
}

type Parsed = { tool: "pgroll" | "reshape"; ops: Op[]; error?: undefined } | { error: { line: number; message: string }; tool?: undefined; ops?: undefined };

function parseYamlFile(text: string): Parsed {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false });
  const line = (node: YamlNode | null | undefined) => (node?.range ? lineCounter.linePos(node.range[0]).line : 1);
  if (doc.errors.length > 0) return { error: { line: doc.errors[0]!.linePos?.[0]?.line ?? 1, message: oneLine(doc.errors[0]!.message) } };
  const root = doc.contents;
  if (!isMap(root)) return { error: { line: 1, message: "the file is not a mapping with `operations` (pgroll) or `actions` (Reshape)" } };
  const operations = root.get("operations", true) as YamlNode | undefined;
  const actions = root.get("actions", true) as YamlNode | undefined;
  const list = operations ?? actions;
  const tool = operations !== undefined ? "pgroll" : "reshape";
  if (!isSeq(list)) return { error: { line: line(root), message: `\`${tool === "pgroll" ? "operations" : "actions"}\` is not a list` } };
  const ops: Op[] = [];
  for (const item of list.items) {
    const node = item as YamlNode;
    if (!isMap(node)) return { error: { line: line(node), message: "an operation is not a mapping" } };
    let body: YamlNode = node;
    let kind: string | undefined;
    if (tool === "pgroll") {
      // `{ drop_table: { name: t } }`: one key naming the operation.
      const pair = node.items[0];
      if (node.items.length !== 1 || !pair || !isScalar(pair.key) || !isMap(pair.value)) return { error: { line: line(node), message: "a pgroll operation must be one key with a mapping of its fields" } };
      kind = String(pair.key.value);
      body = pair.value as YamlNode;
    } else {
      const type = node.get("type");
      kind = typeof type === "string" ? type : undefined;
      if (kind === undefined) return { error: { line: line(node), message: "a Reshape action has no `type`" } };
    }
    const attrs = (body as unknown as { toJS(doc: unknown, options: { maxAliasCount: number }): unknown }).toJS(doc, { maxAliasCount: 50 }) as Record<string, unknown>;
    const lines: Op["lines"] = {};
    for (const pair of (body as unknown as { items: { key: unknown; value: unknown }[] }).items) {
      if (!isScalar(pair.key) || !isScalar(pair.value)) continue;
      const value = pair.value as YamlNode & { type?: string };
      const block = value.type === "BLOCK_LITERAL" || value.type === "BLOCK_FOLDED";
      const spans = value.range ? lineCounter.linePos(value.range[1]).line > lineCounter.linePos(value.range[0]).line : false;
      lines[String(pair.key.value)] = { line: line(value) + (block ? 1 : 0), multiline: block || spans };
    }
    ops.push({ kind, attrs: attrs ?? {}, line: line(node), lines });
  }
  return { tool, ops };
}

function parseTomlFile(text: string): Parsed {
  const data = parseToml(text, { maxDepth: 100 }) as Record<string, unknown>;
  const actions = data["actions"];
  if (!Array.isArray(actions)) return { error: { line: 1, message: "there is no `[[actions]]` list" } };
  // smol-toml gives no positions: the n-th `[[actions]]` header is the n-th action.
  const headers = [...text.matchAll(/^[ \t]*\[\[[ \t]*actions[ \t]*\]\][ \t]*(?:#.*)?$/gm)].map((m) => m.index);
  const lineOf = (offset: number) => text.slice(0, offset).split("\n").length;
  const ops: Op[] = [];
  actions.forEach((action, i) => {
    const start = headers[i] ?? 0;
    const end = headers[i + 1] ?? text.length;
    const attrs = (typeof action === "object" && action !== null && !Array.isArray(action) ? action : {}) as Record<string, unknown>;
    const lines: Op["lines"] = {};
    // `key = value` lines of this action (the first of each key), found by a plain scan of its lines.
    const first = lineOf(start);
    text
      .slice(start, end)
      .split("\n")
      .forEach((raw, i) => {
        const row = raw.trimStart();
        const eq = row.indexOf("=");
        if (eq <= 0) return;
        const key = row.slice(0, eq).trimEnd();
        if (!(key in attrs) || key in lines) return;
        const value = row.slice(eq + 1).trim();
        const quotes = value.startsWith('"""') || value.startsWith("'''");
        // A multi-line string's text starts on the next line when the opening quotes end theirs.
        lines[key] = { line: first + i + (quotes && value.length === 3 ? 1 : 0), multiline: quotes };
      });
    ops.push({ kind: typeof attrs["type"] === "string" ? attrs["type"] : "(no type)", attrs, line: lineOf(start), lines });
  });
  return { tool: "reshape", ops };
}

/** The operation as a sign-off binds it: its kind and every field, keys sorted. */
function statementOf(op: Op): string {
  return `${op.kind} ${stableJson(op.attrs)}`;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(record[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

function str(attrs: Record<string, unknown>, key: string): string {
  const value = attrs[key];
  return typeof value === "string" || typeof value === "number" ? String(value) : "?";
}

function report(emit: Emitter, op: Op, rule: RuleMeta, message: string, object: string, table?: string, severity?: "low"): void {
  emit.operation(rule, op.line, message, { object, statement: statementOf(op), ...(table !== undefined ? { table } : {}), ...(severity ? { severity } : {}) });
}

function sqlField(emit: Emitter, op: Op, key: string, construct: string, rollback: boolean): void {
  const value = op.attrs[key];
  if (value === undefined) return;
  if (typeof value !== "string") {
    emit.operation(rules.unparsed, op.line, `${construct} is not a string of SQL; it was not checked`, { object: construct, rollback });
    return;
  }
  const where = op.lines[key] ?? { line: op.line, multiline: false };
  // A JSON string holds its SQL on one line of the file: escaped newlines must not move the findings.
  emit.sql(keepOnOneLine(value, where.multiline ? "\n" : ""), where.line, { rollback, embeddedIn: construct });
}

/** Operations that change nothing that exists (or only add to it). */
const PGROLL_ADDITIVE = new Set(["add_column", "create_index", "create_constraint", "set_replica_identity"]);

function readPgroll(op: Op, emit: Emitter): void {
  const a = op.attrs;
  const name = (key: string) => str(a, key);
  switch (op.kind) {
    case "create_table":
      emit.noteCreated(typeof a["name"] === "string" ? a["name"] : undefined);
      return;
    case "drop_table":
      return report(emit, op, rules.dropTable, `Drops the table ${name("name")} (pgroll drop_table)`, name("name"), name("name"));
    case "drop_column":
      return report(emit, op, rules.dropColumn, `Drops the column ${name("table")}.${name("column")} (pgroll drop_column)`, `${name("table")}.${name("column")}`, name("table"));
    case "drop_constraint":
    case "drop_multicolumn_constraint":
      return report(emit, op, rules.dropConstraint, `Drops the constraint ${name("name")} on ${name("table")} (pgroll ${op.kind})`, `${name("table")}.${name("name")}`, name("table"));
    case "drop_index":
      return report(emit, op, rules.dropIndex, `Drops the index ${name("name")} (pgroll drop_index)`, name("name"));
    case "rename_table":
      return report(emit, op, rules.rename, `Renames the table ${name("from")} to ${name("to")} (pgroll rename_table)`, name("from"), name("from"));
    case "rename_column":
      return report(emit, op, rules.rename, `Renames the column ${name("table")}.${name("from")} to ${name("to")} (pgroll rename_column)`, `${name("table")}.${name("from")}`, name("table"));
    case "rename_constraint":
      // Nothing is lost and no query breaks; code that matches constraint names in errors may.
      return report(emit, op, rules.rename, `Renames the constraint ${name("from")} on ${name("table")} to ${name("to")} (pgroll rename_constraint)`, `${name("table")}.${name("from")}`, name("table"), "low");
    case "alter_column": {
      const column = `${name("table")}.${name("column")}`;
      if (a["type"] !== undefined) report(emit, op, rules.columnTypeChange, `Changes the type of ${column} to ${name("type")} (pgroll alter_column)`, column, name("table"));
      if (a["name"] !== undefined) report(emit, op, rules.rename, `Renames the column ${column} to ${name("name")} (pgroll alter_column)`, column, name("table"));
      if (a["nullable"] === false) report(emit, op, rules.notNull, `Makes ${column} NOT NULL (pgroll alter_column nullable: false)`, column, name("table"));
      return;
    }
    case "sql":
      sqlField(emit, op, "up", "pgroll sql up", false);
      sqlField(emit, op, "down", "pgroll sql down", true);
      return;
    default:
      if (PGROLL_ADDITIVE.has(op.kind)) return;
      emit.operation(rules.unparsed, op.line, `changegate has no reading of the pgroll operation ${op.kind}, so a person must judge it`, { object: op.kind, statement: statementOf(op) });
  }
}

const RESHAPE_ADDITIVE = new Set(["add_column", "add_index", "create_enum", "add_foreign_key"]);

function readReshape(op: Op, emit: Emitter): void {
  const a = op.attrs;
  const name = (key: string) => str(a, key);
  switch (op.kind) {
    case "create_table":
      emit.noteCreated(typeof a["name"] === "string" ? a["name"] : undefined);
      return;
    case "remove_table":
      return report(emit, op, rules.dropTable, `Drops the table ${name("table")} (Reshape remove_table)`, name("table"), name("table"));
    case "remove_column":
      return report(emit, op, rules.dropColumn, `Drops the column ${name("table")}.${name("column")} (Reshape remove_column)`, `${name("table")}.${name("column")}`, name("table"));
    case "rename_table":
      return report(emit, op, rules.rename, `Renames the table ${name("table")} to ${name("new_name")} (Reshape rename_table)`, name("table"), name("table"));
    case "remove_index":
      return report(emit, op, rules.dropIndex, `Drops the index ${name("index")} (Reshape remove_index)`, name("index"));
    case "remove_enum":
      return report(emit, op, rules.dropObject, `Drops the enum type ${name("enum")} (Reshape remove_enum)`, name("enum"));
    case "remove_foreign_key":
      return report(emit, op, rules.dropConstraint, `Drops the foreign key ${name("foreign_key")} on ${name("table")} (Reshape remove_foreign_key)`, `${name("table")}.${name("foreign_key")}`, name("table"));
    case "alter_column": {
      const column = `${name("table")}.${name("column")}`;
      const changes = (typeof a["changes"] === "object" && a["changes"] !== null ? a["changes"] : {}) as Record<string, unknown>;
      if (changes["type"] !== undefined) report(emit, op, rules.columnTypeChange, `Changes the type of ${column} to ${str(changes, "type")} (Reshape alter_column)`, column, name("table"));
      if (changes["name"] !== undefined) report(emit, op, rules.rename, `Renames the column ${column} to ${str(changes, "name")} (Reshape alter_column)`, column, name("table"));
      if (changes["nullable"] === false) report(emit, op, rules.notNull, `Makes ${column} NOT NULL (Reshape alter_column nullable = false)`, column, name("table"));
      return;
    }
    case "custom":
      sqlField(emit, op, "start", "Reshape custom start", false);
      sqlField(emit, op, "complete", "Reshape custom complete", false);
      sqlField(emit, op, "abort", "Reshape custom abort", true);
      return;
    default:
      if (RESHAPE_ADDITIVE.has(op.kind)) return;
      emit.operation(rules.unparsed, op.line, `changegate has no reading of the Reshape action ${op.kind}, so a person must judge it`, { object: op.kind, statement: statementOf(op) });
  }
}

function oneLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 200);
}
