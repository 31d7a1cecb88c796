import { SaxesParser } from "saxes";
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar, type Document, type Node as YamlNode, type Pair, type YAMLMap } from "yaml";
import type { Emitter } from "./emit.js";
import * as rules from "../../../rules/sql/index.js";

/** One change of a changeset, the same for YAML, JSON and XML changelogs. */
interface Change {
  type: string;
  attrs: Record<string, unknown>;
  line: number;
  /** For `sql` changes: the SQL text and the line it starts on. */
  sql?: { text: string; line: number };
}

interface ChangeSet {
  key: string;
  line: number;
  changes: Change[];
  rollback: Change[];
  /** Canonical content, to tell a changed changeset from an unchanged one. */
  body: string;
}

/**
 * Liquibase changelogs (YAML, JSON, XML). Each changeset's `changes` run forward; its
 * `rollback` is rollback code. `only`, when given, limits the analysis to those changesets
 * (`author:id`): the ones a pull request adds or changes in an existing changelog.
 */
export function readLiquibaseChangelog(text: string, emit: Emitter, path: string, only?: ReadonlySet<string>): void {
  const parsed = parseChangelog(text, path);
  if (parsed === "not-a-changelog") return;
  if (parsed === null) {
    emit.operation(rules.unparsed, 1, `This Liquibase changelog could not be parsed; nothing in it was checked`, { object: path });
    return;
  }
  for (const set of parsed) {
    if (only && !only.has(set.key)) continue;
    for (const change of set.changes) readChange(change, emit, false);
    for (const change of set.rollback) readChange(change, emit, true);
  }
}

/** The changesets of a changelog by `author:id`, or null when it is not one. */
export function changelogChangesets(text: string, path: string): Map<string, { line: number; body: string }> | null {
  const parsed = parseChangelog(text, path);
  if (parsed === null || parsed === "not-a-changelog") return null;
  return new Map(parsed.map((set) => [set.key, { line: set.line, body: set.body }]));
}

function parseChangelog(text: string, path: string): ChangeSet[] | null | "not-a-changelog" {
  if (!/databaseChangeLog/.test(text)) return text.trim() === "" ? "not-a-changelog" : "not-a-changelog";
  try {
    return /\.xml$/i.test(path) ? parseXml(text) : parseYaml(text);
  } catch {
    return null;
  }
}

function readChange(change: Change, emit: Emitter, rollback: boolean): void {
  // A change is bound to its type and every attribute, in a stable order.
  const attributes = () =>
    Object.keys(change.attrs)
      .sort()
      .map((key) => `${key}=${JSON.stringify(change.attrs[key])}`)
      .join(", ");
  emit.within(() => `${change.type}(${attributes()})`, "javascript", () => readChangeAttributes(change, emit, rollback));
}

function readChangeAttributes(change: Change, emit: Emitter, rollback: boolean): void {
  const a = change.attrs;
  const str = (key: string) => (typeof a[key] === "string" || typeof a[key] === "number" ? String(a[key]) : undefined);
  const table = [str("schemaName"), str("tableName")].filter(Boolean).join(".") || "?";
  const place = { rollback, ...(str("tableName") !== undefined ? { table } : {}) };
  const at = change.line;
  switch (change.type) {
    case "dropTable": {
      const cascade = a["cascadeConstraints"] === true || a["cascadeConstraints"] === "true";
      emit.operation(rules.dropTable, at, `Drops the table ${table}${cascade ? " with its constraints (cascadeConstraints)" : ""} (dropTable)`, {
        ...place,
        object: table,
        cascade,
      });
      return;
    }
    case "createTable":
      emit.noteCreated(str("tableName"), rollback);
      return;
    case "dropColumn":
    case "mergeColumns": {
      const names = change.type === "mergeColumns" ? [str("column1Name"), str("column2Name")] : [str("columnName"), ...columnNames(a["columns"])];
      for (const name of names.filter((n): n is string => n !== undefined)) {
        emit.operation(rules.dropColumn, at, `Drops the column ${table}.${name} (${change.type})`, { ...place, object: `${table}.${name}` });
      }
      return;
    }
    case "delete":
    case "update":
      if (a["where"] !== undefined && String(a["where"]).trim() !== "") return;
      emit.operation(
        change.type === "delete" ? rules.deleteAllRows : rules.updateAllRows,
        at,
        `${change.type === "delete" ? "Deletes" : "Updates"} every row of ${table} (${change.type} with no where)`,
        { ...place, object: table },
      );
      return;
    case "renameTable":
    case "renameView":
    case "renameSequence": {
      const object = str("oldTableName") ?? str("oldViewName") ?? str("oldSequenceName") ?? "?";
      emit.operation(rules.rename, at, `Renames ${object} (${change.type})`, { ...place, object, ...(change.type === "renameTable" ? { table: object } : {}) });
      return;
    }
    case "renameColumn": {
      const object = `${table}.${str("oldColumnName") ?? "?"}`;
      emit.operation(rules.rename, at, `Renames the column ${object} (renameColumn)`, { ...place, object });
      return;
    }
    case "modifyDataType": {
      const object = `${table}.${str("columnName") ?? "?"}`;
      emit.operation(rules.columnTypeChange, at, `Changes the type of ${object} to ${str("newDataType") ?? "?"} (modifyDataType)`, { ...place, object });
      return;
    }
    case "addNotNullConstraint": {
      const object = `${table}.${str("columnName") ?? "?"}`;
      emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (addNotNullConstraint)`, { ...place, object });
      return;
    }
    case "dropView":
    case "dropSequence":
    case "dropProcedure":
    case "dropFunction":
    case "dropTrigger":
    case "dropPackage": {
      const object = str("viewName") ?? str("sequenceName") ?? str("procedureName") ?? str("functionName") ?? str("triggerName") ?? str("packageName") ?? "?";
      emit.operation(rules.dropObject, at, `Drops ${object} (${change.type})`, { ...place, object });
      return;
    }
    case "dropIndex":
      emit.operation(rules.dropIndex, at, `Drops the index ${str("indexName") ?? "?"} (dropIndex)`, { ...place, object: str("indexName") ?? table });
      return;
    case "dropForeignKeyConstraint":
    case "dropAllForeignKeyConstraints":
    case "dropPrimaryKey":
    case "dropUniqueConstraint":
    case "dropCheckConstraint": {
      const object = str("constraintName") ?? str("baseTableName") ?? table;
      emit.operation(rules.dropConstraint, at, `Drops the constraint ${object} (${change.type})`, { ...place, object });
      return;
    }
    case "sql":
      if (change.sql) emit.sql(change.sql.text, change.sql.line, { rollback, embeddedIn: "Liquibase sql change" });
      return;
    case "sqlFile":
    case "executeCommand":
    case "customChange": {
      const object = str("path") ?? str("executable") ?? str("class") ?? change.type;
      emit.operation(rules.opaqueCode, at, `Runs ${object} (${change.type}); what it does cannot be checked here`, { ...place, object });
      return;
    }
  }
}

function columnNames(columns: unknown): string[] {
  if (!Array.isArray(columns)) return [];
  return columns.flatMap((c) => {
    const column = (c as { column?: { name?: unknown } }).column ?? c;
    const name = (column as { name?: unknown }).name;
    return typeof name === "string" ? [name] : [];
  });
}

// ---- YAML and JSON ----

function parseYaml(text: string): ChangeSet[] | null {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: false, merge: true });
  if (doc.errors.length > 0) return null;
  try {
    return yamlChangeSets(doc, counter);
  } catch {
    // An alias bomb (toJS stops past maxAliasCount) or an alias to nothing: not read, so unparsed.
    return null;
  }
}

/**
 * The change sets of a YAML changelog. Anchors, aliases and merge keys are followed wherever a
 * change may sit: a `dropTable` written once under an anchor and used as `*drop` is a change.
 */
function yamlChangeSets(doc: Document.Parsed, counter: LineCounter): ChangeSet[] | null {
  const lineOf = (node: unknown) => {
    const range = (node as YamlNode | null | undefined)?.range;
    return range ? counter.linePos(range[0]).line : 1;
  };
  const deref = (node: unknown): unknown => {
    let n = node;
    for (let i = 0; i < 100 && isAlias(n); i++) n = n.resolve(doc);
    if (isAlias(n)) throw new Error("alias chain too long");
    return n;
  };
  const toJS = (node: unknown): unknown => (node && typeof node === "object" && "toJS" in node ? (node as YamlNode).toJS(doc, { maxAliasCount: 100 }) : undefined);
  // The pairs of a map with its merge keys (`<<: *base`) expanded, each value dereferenced.
  const pairsOf = (map: YAMLMap, depth = 0): { key: unknown; value: unknown; keyNode: unknown }[] => {
    if (depth > 20) throw new Error("merge keys nested too deep");
    const out: { key: unknown; value: unknown; keyNode: unknown }[] = [];
    for (const pair of map.items as Pair[]) {
      const key = isScalar(pair.key) ? (typeof pair.key.value === "symbol" ? (pair.key.value.description ?? "") : String(pair.key.value)) : isAlias(pair.key) ? toJS(pair.key) : "";
      if (key === "<<") {
        const merged = deref(pair.value);
        for (const m of isSeq(merged) ? merged.items.map(deref) : [merged]) if (isMap(m)) out.push(...pairsOf(m, depth + 1).map((p) => ({ ...p, keyNode: pair.key })));
        continue;
      }
      out.push({ key, value: deref(pair.value), keyNode: pair.key });
    }
    return out;
  };
  const root = deref(doc.contents);
  if (!isMap(root)) return null;
  const log = deref(root.get("databaseChangeLog", true));
  if (!isSeq(log)) return null;
  const sets: ChangeSet[] = [];
  for (const rawItem of log.items) {
    const item = deref(rawItem);
    if (!isMap(item)) continue;
    const set = deref(item.get("changeSet", true));
    if (!isMap(set)) continue;
    const json = toJS(set) as Record<string, unknown>;
    const changes = (rawChanges: unknown): Change[] => {
      const changesNode = deref(rawChanges);
      if (isScalar(changesNode)) {
        // `rollback: DROP TABLE x` — SQL text.
        return [{ type: "sql", attrs: {}, line: lineOf(changesNode), sql: scalarSql(changesNode, lineOf(changesNode)) }];
      }
      const list = isSeq(changesNode) ? changesNode.items : isMap(changesNode) ? [changesNode] : [];
      const result: Change[] = [];
      for (const rawEntry of list) {
        const entry = deref(rawEntry);
        if (!isMap(entry)) continue;
        // A change used through an alias is reported where it is used.
        const aliased = isAlias(rawEntry);
        for (const { key, value, keyNode } of pairsOf(entry)) {
          const type = typeof key === "string" ? key : String(key ?? "");
          const attrs = (isMap(value) ? toJS(value) : {}) as Record<string, unknown>;
          const change: Change = { type, attrs, line: lineOf(aliased ? rawEntry : keyNode) };
          if (type === "sql") {
            const sqlNode = isMap(value) ? deref(value.get("sql", true)) : value;
            if (isScalar(sqlNode)) change.sql = scalarSql(sqlNode, aliased ? lineOf(rawEntry) : lineOf(sqlNode));
          }
          result.push(change);
        }
      }
      return result;
    };
    const key = `${String(json["author"] ?? "?")}:${String(json["id"] ?? "?")}`;
    sets.push({
      key,
      line: lineOf(rawItem),
      changes: changes(set.get("changes", true)),
      rollback: changes(set.get("rollback", true)),
      body: JSON.stringify(json),
    });
  }
  return sets;
}

function scalarSql(node: Scalar, line: number): { text: string; line: number } {
  const block = node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED;
  return { text: String(node.value ?? ""), line: block ? line + 1 : line };
}

// ---- XML ----

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  line: number;
  children: XmlElement[];
  text: string;
  /** Line where the element's text starts (right after its start tag). */
  textLine: number;
}

function parseXml(text: string): ChangeSet[] | null {
  const parser = new SaxesParser({ xmlns: false, position: true });
  const root: XmlElement = { name: "#root", attrs: {}, line: 1, children: [], text: "", textLine: 1 };
  const stack: XmlElement[] = [root];
  let failed = false;
  parser.on("error", () => {
    failed = true;
  });
  parser.on("opentag", (tag) => {
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(tag.attributes)) attrs[localName(k)] = String(v);
    const element: XmlElement = { name: localName(tag.name), attrs, line: parser.line, children: [], text: "", textLine: parser.line };
    stack[stack.length - 1]!.children.push(element);
    if (!tag.isSelfClosing) stack.push(element);
  });
  parser.on("text", (t) => {
    stack[stack.length - 1]!.text += t;
  });
  parser.on("cdata", (t) => {
    stack[stack.length - 1]!.text += t;
  });
  parser.on("closetag", (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  parser.write(text).close();
  if (failed) return null;
  const log = root.children.find((c) => c.name === "databaseChangeLog");
  if (!log) return null;
  const sets: ChangeSet[] = [];
  for (const set of log.children.filter((c) => c.name === "changeSet")) {
    const toChange = (element: XmlElement): Change => {
      const attrs: Record<string, unknown> = { ...element.attrs };
      const where = element.children.find((c) => c.name === "where");
      if (where) attrs["where"] = where.text;
      const columns = element.children.filter((c) => c.name === "column").map((c) => ({ column: { name: c.attrs["name"] } }));
      if (columns.length > 0) attrs["columns"] = columns;
      const change: Change = { type: element.name, attrs, line: element.line };
      if (element.name === "sql") change.sql = { text: element.text, line: element.textLine };
      return change;
    };
    const changes = set.children.filter((c) => !["rollback", "comment", "preConditions", "validCheckSum", "tagDatabase"].includes(c.name)).map(toChange);
    const rollback: Change[] = [];
    for (const block of set.children.filter((c) => c.name === "rollback")) {
      if (block.children.length === 0 && block.text.trim() !== "") {
        rollback.push({ type: "sql", attrs: {}, line: block.line, sql: { text: block.text, line: block.textLine } });
      }
      rollback.push(...block.children.map(toChange));
    }
    sets.push({
      key: `${set.attrs["author"] ?? "?"}:${set.attrs["id"] ?? "?"}`,
      line: set.line,
      changes,
      rollback,
      body: JSON.stringify(strip(set)),
    });
  }
  return sets;
}

function strip(element: XmlElement): unknown {
  return { n: element.name, a: element.attrs, t: element.text.trim(), c: element.children.map(strip) };
}

function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}
