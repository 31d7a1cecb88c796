import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import {
  ArgumentsNode,
  AssocNode,
  BlockNode,
  CallNode,
  ConstantReadNode,
  ConstantWriteNode,
  DefNode,
  FalseNode,
  InterpolatedStringNode,
  KeywordHashNode,
  LocalVariableReadNode,
  StringNode,
  SymbolNode,
  TrueNode,
} from "@ruby/prism/src/nodes.js";
import { parsePrism } from "@ruby/prism/src/parsePrism.js";
import type { Emitter } from "./emit.js";
import { keepOnOneLine, LineIndex } from "./lines.js";
import * as rules from "../../../rules/sql/index.js";

/**
 * Rails migrations, read with Prism (Ruby's own parser, shipped as WASM inside the
 * `@ruby/prism` npm package). The module is instantiated synchronously on first use, with
 * inert WASI imports: the parser does no I/O, and Node's WASI module is still experimental.
 */
type PrismExports = Parameters<typeof parsePrism>[0];

/** The slice of the WebAssembly JS API used here (the project's `lib` has no DOM types). */
interface WasmApi {
  Module: { new (bytes: Uint8Array): object; imports(module: object): { module: string; name: string }[] };
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}
const WebAssembly = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
let prism: PrismExports | null = null;

function loadPrism(): PrismExports {
  if (prism) return prism;
  const wasm = readFileSync(createRequire(import.meta.url).resolve("@ruby/prism/src/prism.wasm"));
  const module = new WebAssembly.Module(wasm);
  const imports: Record<string, Record<string, () => number>> = {};
  for (const entry of WebAssembly.Module.imports(module)) {
    // 52 is WASI's ENOSYS: any call the parser might make to the outside world fails cleanly.
    (imports[entry.module] ??= {})[entry.name] = () => 52;
  }
  const instance = new WebAssembly.Instance(module, imports);
  (instance.exports._initialize as (() => void) | undefined)?.();
  prism = instance.exports as unknown as PrismExports;
  return prism;
}

interface Context {
  rollback: boolean;
  acknowledged?: string;
  /** Inside `change_table :t do |t|`: the table and the block's variable name. */
  changeTable?: { table: string; variable: string };
}

interface SqlText {
  text: string;
  line: number;
  interpolated: boolean;
}

type RubyNode = { location: { startOffset: number; length: number } };

const DROP_CONSTRAINT = new Set(["remove_foreign_key", "remove_check_constraint", "remove_exclusion_constraint", "remove_unique_constraint"]);
const DROP_OBJECT = new Set(["drop_enum", "drop_view", "drop_function", "drop_trigger", "drop_virtual_table"]);
const RAW_SQL = new Set(["execute", "exec_query", "exec_update", "exec_delete", "select_all", "select_value", "select_values"]);
const ROW_SCOPES = /^(where|find|find_by|find_by!|rewhere|limit|excluding|without|first|last|take)$/;

export function readRubyMigration(text: string, emit: Emitter): void {
  // Rails runs each migration in a DDL transaction on PostgreSQL unless it says disable_ddl_transaction!.
  emit.transaction = /^[ \t]*disable_ddl_transaction!/m.test(text) ? "none" : "wrapped";
  new RubyReader(text, emit).read();
}

class RubyReader {
  private readonly bytes: Uint8Array;
  private readonly lines: LineIndex;
  private readonly constants = new Map<string, unknown>();

  constructor(
    private readonly text: string,
    private readonly emit: Emitter,
  ) {
    this.bytes = new TextEncoder().encode(text);
    this.lines = new LineIndex(this.bytes);
  }

  read(): void {
    let result: ReturnType<typeof parsePrism>;
    try {
      result = parsePrism(loadPrism(), this.text);
    } catch (error) {
      // A trap inside the WASM parser (pathological nesting) leaves its memory in an unknown state:
      // drop the instance so the next file gets a fresh one, and report this file unread.
      prism = null;
      this.emit.operation(rules.unparsed, 1, `The Ruby parser failed on this migration (${error instanceof Error ? error.message : String(error)}); nothing in it was checked`);
      return;
    }
    const error = result.errors[0];
    if (error) {
      this.emit.operation(
        rules.unparsed,
        this.lines.line(error.location.startOffset),
        `This migration does not parse as Ruby (${error.message}); only what could be read was checked`,
      );
    }
    this.eachNode(result.value, (node) => {
      if (node instanceof ConstantWriteNode) this.constants.set(node.name, node.value);
    });
    this.walk(result.value, { rollback: false });
  }

  private walk(node: unknown, context: Context): void {
    if (node instanceof DefNode) {
      const rollback = node.name === "down" ? true : node.name === "up" || node.name === "change" ? false : context.rollback;
      this.walkChildren(node, { ...context, rollback });
      return;
    }
    if (node instanceof CallNode) {
      this.call(node, context);
      const block = node.block instanceof BlockNode ? node.block : null;
      if (block) {
        const inner = this.blockContext(node, block, context);
        if (node.receiver) this.walk(node.receiver, context);
        if (node.arguments_) this.walk(node.arguments_, context);
        this.walkChildren(block, inner);
        return;
      }
    }
    this.walkChildren(node, context);
  }

  private blockContext(call: CallNode, block: BlockNode, context: Context): Context {
    switch (call.name) {
      case "safety_assured":
        return { ...context, acknowledged: "safety_assured" };
      case "up":
      case "down":
        // reversible do |dir| dir.up { … }; dir.down { … } end
        return call.receiver instanceof LocalVariableReadNode ? { ...context, rollback: call.name === "down" } : context;
      case "up_only":
        return { ...context, rollback: false };
      case "change_table": {
        const table = this.name(this.positional(call)[0]);
        const parameters = block.parameters as { parameters?: { requireds?: { name?: string }[] } } | null;
        const variable = parameters?.parameters?.requireds?.[0]?.name;
        return table && variable ? { ...context, changeTable: { table, variable } } : context;
      }
    }
    return context;
  }

  private call(node: CallNode, context: Context): void {
    this.emit.within(() => this.slice(node.location), "ruby", () => this.readCall(node, context));
  }

  private readCall(node: CallNode, context: Context): void {
    const name = node.name;
    const at = this.line(node);
    const args = this.positional(node);
    const options = this.keywords(node);
    const place = { rollback: context.rollback, ...(context.acknowledged ? { acknowledged: context.acknowledged } : {}) };
    const arg = (i: number) => this.name(args[i]) ?? this.describe(args[i]);

    // t.remove / t.rename / t.change inside change_table.
    const table = context.changeTable;
    if (table && node.receiver instanceof LocalVariableReadNode && node.receiver.name === table.variable) {
      this.changeTableCall(node, table.table, context);
      return;
    }
    if (node.receiver === null || this.isConnection(node.receiver)) {
      if ((name === "add_index" || name === "remove_index") && this.emit.transaction === "wrapped" && this.emit.dialect === "postgresql") {
        const algorithm = options.get("algorithm");
        if (algorithm && /concurrently/.test(this.describe(algorithm))) {
          this.emit.operation(
            rules.transactionConflict,
            at,
            `${name} ${arg(0)} with algorithm: :concurrently runs CREATE/DROP INDEX CONCURRENTLY, which PostgreSQL refuses inside the DDL transaction Rails wraps this migration in (add disable_ddl_transaction!)`,
            { ...place, object: arg(0) },
          );
        }
      }
      switch (name) {
        case "drop_table": {
          const force = options.get("force");
          const detail = force ? `, force: ${this.describe(force)}` : "";
          this.emit.operation(rules.dropTable, at, `Drops the table ${arg(0)} (drop_table${detail})`, { ...place, object: arg(0), table: arg(0) });
          return;
        }
        case "drop_join_table": {
          const object = this.joinTable(args, options) ?? [arg(0), arg(1)].sort().join("_");
          this.emit.operation(rules.dropTable, at, `Drops the join table of ${arg(0)} and ${arg(1)} (drop_join_table)`, { ...place, object, table: object });
          return;
        }
        case "create_join_table":
          this.emit.noteCreated(this.joinTable(args, options), context.rollback);
          return;
        case "create_table": {
          const force = options.get("force");
          if (force && !(force instanceof FalseNode)) {
            this.emit.operation(rules.dropTable, at, `Drops the existing table ${arg(0)} before creating it (create_table force: ${this.describe(force)})`, {
              ...place,
              object: arg(0),
            });
          } else {
            this.emit.noteCreated(this.name(args[0]), context.rollback);
          }
          return;
        }
        case "remove_column":
        case "remove_columns": {
          const columns = name === "remove_column" ? args.slice(1, 2) : args.slice(1);
          for (const column of columns) {
            const object = `${arg(0)}.${this.name(column) ?? this.describe(column)}`;
            this.emit.operation(rules.dropColumn, at, `Drops the column ${object} (${name})`, { ...place, object, table: arg(0) });
          }
          return;
        }
        case "remove_timestamps":
          this.emit.operation(rules.dropColumn, at, `Drops the columns ${arg(0)}.created_at and updated_at (remove_timestamps)`, {
            ...place,
            object: `${arg(0)}.created_at`,
            table: arg(0),
          });
          return;
        case "remove_reference":
        case "remove_belongs_to": {
          const object = `${arg(0)}.${arg(1)}_id`;
          this.emit.operation(rules.dropColumn, at, `Drops the reference column ${object} (${name})`, { ...place, object, table: arg(0) });
          return;
        }
        case "rename_column": {
          const object = `${arg(0)}.${arg(1)}`;
          this.emit.operation(rules.rename, at, `Renames the column ${object} to ${arg(2)} (rename_column)`, { ...place, object, table: arg(0) });
          return;
        }
        case "rename_table":
        case "rename_schema":
          this.emit.operation(rules.rename, at, `Renames ${name === "rename_table" ? "the table" : "the schema"} ${arg(0)} to ${arg(1)} (${name})`, {
            ...place,
            object: arg(0),
            ...(name === "rename_table" ? { table: arg(0) } : {}),
          });
          return;
        case "change_column": {
          const object = `${arg(0)}.${arg(1)}`;
          this.emit.operation(rules.columnTypeChange, at, `Changes the column ${object} to ${arg(2)} (change_column)`, { ...place, object, table: arg(0) });
          return;
        }
        case "change_column_null":
          if (args[2] instanceof FalseNode) {
            const object = `${arg(0)}.${arg(1)}`;
            this.emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (change_column_null)`, { ...place, object, table: arg(0) });
          }
          return;
        case "remove_index":
          this.emit.operation(rules.dropIndex, at, `Drops an index on ${arg(0)} (remove_index)`, { ...place, object: arg(0), table: arg(0) });
          return;
        case "drop_schema":
          this.emit.operation(rules.dropSchema, at, `Drops the schema ${arg(0)} (drop_schema)`, { ...place, object: arg(0) });
          return;
        case "truncate":
        case "truncate_tables":
          for (let i = 0; i < Math.max(args.length, 1); i++) {
            this.emit.operation(rules.truncate, at, `Empties the table ${arg(i)} (${name})`, { ...place, object: arg(i), table: arg(i) });
          }
          return;
      }
      if (DROP_CONSTRAINT.has(name)) {
        this.emit.operation(rules.dropConstraint, at, `Drops a constraint of ${arg(0)} (${name})`, { ...place, object: arg(0), table: arg(0) });
        return;
      }
      if (DROP_OBJECT.has(name)) {
        this.emit.operation(rules.dropObject, at, `Drops ${arg(0)} (${name})`, { ...place, object: arg(0) });
        return;
      }
      if (RAW_SQL.has(name) && args[0]) {
        this.embedded(args[0], at, name, place);
        return;
      }
    }
    if ((name === "delete_all" || name === "update_all" || name === "destroy_all") && node.receiver && !this.isScoped(node.receiver)) {
      const model = this.describe(node.receiver);
      const rule = name === "update_all" ? rules.updateAllRows : rules.deleteAllRows;
      const verb = name === "update_all" ? "Updates" : "Deletes";
      const table = /^[A-Z]\w*$/.test(model) ? { table: tableize(model) } : {};
      this.emit.operation(rule, at, `${verb} every row of ${model} (${name} with no where)`, { ...place, object: model, ...table });
    }
  }

  /** Rails' name for a join table: `table_name:`, or the two names sorted, a shared prefix kept once (`music_artists_records`). */
  private joinTable(args: unknown[], options: Map<string, unknown>): string | undefined {
    const given = options.get("table_name");
    if (given) return this.name(given);
    const [a, b] = [this.name(args[0]), this.name(args[1])];
    if (a === undefined || b === undefined) return undefined;
    const [first, second] = [a, b].sort() as [string, string];
    return railsJoinTableName(first, second);
  }

  private changeTableCall(node: CallNode, table: string, context: Context): void {
    const at = this.line(node);
    const args = this.positional(node);
    const place = { rollback: context.rollback, table, ...(context.acknowledged ? { acknowledged: context.acknowledged } : {}) };
    const column = (i: number) => `${table}.${this.name(args[i]) ?? this.describe(args[i])}`;
    switch (node.name) {
      case "remove":
        args.forEach((_, i) => this.emit.operation(rules.dropColumn, at, `Drops the column ${column(i)} (t.remove)`, { ...place, object: column(i) }));
        return;
      case "remove_references":
      case "remove_belongs_to":
        this.emit.operation(rules.dropColumn, at, `Drops the reference column ${column(0)}_id (t.${node.name})`, { ...place, object: `${column(0)}_id` });
        return;
      case "remove_timestamps":
        this.emit.operation(rules.dropColumn, at, `Drops the columns ${table}.created_at and updated_at (t.remove_timestamps)`, {
          ...place,
          object: `${table}.created_at`,
        });
        return;
      case "rename":
        this.emit.operation(rules.rename, at, `Renames the column ${column(0)} (t.rename)`, { ...place, object: column(0) });
        return;
      case "change":
        this.emit.operation(rules.columnTypeChange, at, `Changes the column ${column(0)} (t.change)`, { ...place, object: column(0) });
        return;
      case "remove_index":
        this.emit.operation(rules.dropIndex, at, `Drops an index on ${table} (t.remove_index)`, { ...place, object: table });
        return;
    }
  }

  private embedded(argument: unknown, at: number, construct: string, place: { rollback: boolean; acknowledged?: string }): void {
    const sql = this.sqlText(argument);
    if (!sql) {
      this.emit.operation(rules.opaqueCode, at, `Runs SQL built at run time (${construct}); its statements cannot be checked`, { ...place, object: construct });
      return;
    }
    if (sql.interpolated) {
      this.emit.operation(rules.opaqueCode, at, `Builds SQL with interpolation (${construct}); only its literal parts could be checked`, {
        ...place,
        object: construct,
      });
    }
    this.emit.sql(sql.text, sql.line, { ...place, embeddedIn: construct });
  }

  private sqlText(node: unknown, depth = 0): SqlText | null {
    if (depth > 8) return null;
    if (node instanceof StringNode) {
      const text = keepOnOneLine(node.unescaped.value, this.slice(node.contentLoc));
      return { text, line: this.lines.line(node.contentLoc.startOffset), interpolated: false };
    }
    if (node instanceof InterpolatedStringNode) {
      let text = "";
      let line: number | undefined;
      for (const part of node.parts) {
        if (part instanceof StringNode) {
          line ??= this.lines.line(part.contentLoc.startOffset);
          text += part.unescaped.value;
        } else {
          line ??= this.line(part as RubyNode);
          text += "__expr__";
        }
      }
      return { text, line: line ?? this.line(node), interpolated: true };
    }
    // <<~SQL.squish, "…".strip, "…".freeze: the receiver holds the text (and its lines).
    if (node instanceof CallNode && node.receiver && ["squish", "strip", "freeze", "chomp", "dup", "strip_heredoc"].includes(node.name)) {
      return this.sqlText(node.receiver, depth + 1);
    }
    if (node instanceof ConstantReadNode && this.constants.has(node.name)) return this.sqlText(this.constants.get(node.name), depth + 1);
    return null;
  }

  /** `connection.execute`, `ActiveRecord::Base.connection.execute`. */
  private isConnection(receiver: unknown): boolean {
    return receiver instanceof CallNode && receiver.name === "connection";
  }

  /** Whether a relation is narrowed (`where`, `find_by` …) somewhere on its receiver chain. */
  private isScoped(receiver: unknown): boolean {
    for (let current: unknown = receiver; current instanceof CallNode; current = current.receiver) {
      if (ROW_SCOPES.test(current.name)) return true;
    }
    return false;
  }

  private positional(call: CallNode): unknown[] {
    const args = call.arguments_ instanceof ArgumentsNode ? call.arguments_.arguments_ : [];
    return args.filter((a) => !(a instanceof KeywordHashNode));
  }

  private keywords(call: CallNode): Map<string, unknown> {
    const result = new Map<string, unknown>();
    const args = call.arguments_ instanceof ArgumentsNode ? call.arguments_.arguments_ : [];
    for (const a of args) {
      if (!(a instanceof KeywordHashNode)) continue;
      for (const element of a.elements) {
        if (element instanceof AssocNode) {
          const key = this.name(element.key);
          if (key) result.set(key, element.value);
        }
      }
    }
    return result;
  }

  /** A symbol's or plain string's value. */
  private name(node: unknown): string | undefined {
    if (node instanceof SymbolNode || node instanceof StringNode) return node.unescaped.value;
    return undefined;
  }

  private slice(location: { startOffset: number; length: number }): string {
    return new TextDecoder().decode(this.bytes.subarray(location.startOffset, location.startOffset + location.length));
  }

  private describe(node: unknown): string {
    if (node === undefined || node === null) return "?";
    if (node instanceof TrueNode) return "true";
    if (node instanceof SymbolNode) return `:${node.unescaped.value}`;
    return this.slice((node as RubyNode).location).replace(/\s+/g, " ").slice(0, 80);
  }

  private line(node: RubyNode): number {
    return this.lines.line(node.location.startOffset);
  }

  private walkChildren(node: unknown, context: Context): void {
    for (const child of childNodes(node)) this.walk(child, context);
  }

  private eachNode(node: unknown, visit: (node: unknown) => void): void {
    visit(node);
    for (const child of childNodes(node)) this.eachNode(child, visit);
  }
}

/** A Prism node's child nodes, in field order. */
function childNodes(node: unknown): unknown[] {
  if (node === null || typeof node !== "object") return [];
  const result: unknown[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "location" || key.endsWith("Loc")) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) result.push(item);
    } else if (isNode(value)) {
      result.push(value);
    }
  }
  return result;
}

function isNode(value: unknown): boolean {
  return value !== null && typeof value === "object" && "nodeID" in value && "location" in value;
}

/** Rails' default table of a model class, for the common case: `AccountEvent` → `account_events` (irregular plurals aside). */
function tableize(model: string): string {
  const snake = model.replace(/([a-z\d])([A-Z])/g, "$1_$2").toLowerCase();
  if (/(s|x|z|ch|sh)$/.test(snake)) return `${snake}es`;
  if (/[^aeiou]y$/.test(snake)) return `${snake.slice(0, -1)}ies`;
  return `${snake}s`;
}

const LINE_END = /[\n\r\u2028\u2029]/;

/**
 * Rails' join table name for two sorted table names: `join("\0").gsub(/^(.*_)(.+)\0\1(.+)/,
 * '\1\2_\3').tr("\0", "_")` — the longest shared prefix ending in `_` kept once — computed
 * without the back-reference, which backtracks quadratically on names full of underscores.
 */
export function railsJoinTableName(a: string, b: string): string {
  let best = -1;
  for (let k = 0; k < a.length && k < b.length && a[k] === b[k] && !LINE_END.test(a[k]!); k++) {
    if (a[k] === "_") best = k + 1;
  }
  // Greedy `(.*_)` takes the longest candidate; `(.+)\0` needs the rest of `a` non-empty and on one line, `(.+)` a character of `b`.
  for (let k = best; k > 0; k = a.lastIndexOf("_", k - 2) + 1) {
    const rest = a.slice(k);
    if (rest.length > 0 && !LINE_END.test(rest) && k < b.length && !LINE_END.test(b[k]!)) return `${a.slice(0, k)}${rest}_${b.slice(k)}`;
    if (k === 1) break;
  }
  return `${a}_${b}`;
}
