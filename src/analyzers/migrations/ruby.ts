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
  HashNode,
  IntegerNode,
  InterpolatedStringNode,
  KeywordHashNode,
  LocalVariableReadNode,
  NilNode,
  StringNode,
  SymbolNode,
  TrueNode,
} from "@ruby/prism/src/nodes.js";
import { parsePrism } from "@ruby/prism/src/parsePrism.js";
import { describeTypeChange, type ColumnState, type SchemaModel } from "../sql/schema.js";
import type { Emitter } from "./emit.js";
import { keepOnOneLine, LineIndex } from "./lines.js";
import { railsType, type TypeOptions } from "./orm-types.js";
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
  /** Inside `create_table :t do |t|`: its column declarations go to the schema model. */
  createTable?: { table: string; variable: string };
}

interface SqlText {
  text: string;
  line: number;
  interpolated: boolean;
}

type RubyNode = { location: { startOffset: number; length: number } };
type Place = { rollback: boolean; acknowledged?: string };

/** Top-level calls that act on an existing table: one no migration created is a gap in the model. */
const TABLE_OPERATIONS = new Set([
  "add_column",
  "add_reference",
  "add_belongs_to",
  "add_timestamps",
  "remove_column",
  "remove_columns",
  "remove_timestamps",
  "remove_reference",
  "remove_belongs_to",
  "rename_column",
  "change_column",
  "change_column_null",
  "change_column_default",
  "change_table",
  "rename_table",
]);

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
  /** The migration's Rails version (`ActiveRecord::Migration[7.1]`): defaults such as the id type changed with it. */
  private readonly version: number;
  /** `table.column` made NOT NULL by this migration. */
  private readonly madeNotNull = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly emit: Emitter,
  ) {
    this.bytes = new TextEncoder().encode(text);
    this.lines = new LineIndex(this.bytes);
    const version = /Migration\[(\d+\.\d+)\]/.exec(text);
    this.version = version ? Number(version[1]) : 4.2;
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
      case "change_table":
      case "create_table": {
        const table = this.name(this.positional(call)[0]);
        const parameters = block.parameters as { parameters?: { requireds?: { name?: string }[] } } | null;
        const variable = parameters?.parameters?.requireds?.[0]?.name;
        if (!table || !variable) return context;
        return call.name === "change_table" ? { ...context, changeTable: { table, variable } } : { ...context, createTable: { table, variable } };
      }
    }
    return context;
  }

  private call(node: CallNode, context: Context): void {
    this.emit.within(() => this.slice(node.location), "ruby", () => this.readCall(node, context));
  }

  private readCall(node: CallNode, context: Context): void {
    const at = this.line(node);
    const args = this.positional(node);
    const options = this.keywords(node);

    // t.remove / t.rename / t.change inside change_table.
    const table = context.changeTable;
    if (table && node.receiver instanceof LocalVariableReadNode && node.receiver.name === table.variable) {
      this.changeTableCall(node, table.table, context);
      return;
    }
    // t.string :name … inside create_table: the new table's columns.
    const creating = context.createTable;
    if (creating && node.receiver instanceof LocalVariableReadNode && node.receiver.name === creating.variable) {
      const model = this.modelFor(context);
      if (model) this.tableBlockCall(model, creating.table, node);
      return;
    }
    const model = node.receiver === null ? this.modelFor(context) : undefined;
    if (model) this.modelBefore(model, node, args);
    this.judgeCall(node, context, at, args, options);
    // What the call does is part of the state the calls after it are judged against.
    if (model) this.modelAfter(model, node, args, options);
  }

  private judgeCall(node: CallNode, context: Context, at: number, args: unknown[], options: Map<string, unknown>): void {
    const name = node.name;
    const place = { rollback: context.rollback, ...(context.acknowledged ? { acknowledged: context.acknowledged } : {}) };
    const arg = (i: number) => this.name(args[i]) ?? this.describe(args[i]);
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
        case "change_column":
          this.changeColumn(arg(0), arg(1), args[2], options, at, place, "change_column");
          return;
        case "change_column_null":
          if (args[2] instanceof FalseNode) this.notNull(arg(0), arg(1), at, place, "change_column_null");
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
      // Still reported (every drop is), low: nothing is lost.
      if (name === "remove_check_constraint" && this.redundantCheck(arg(0), args, options)) {
        this.emit.operation(rules.dropConstraint, at, `Drops a CHECK (… IS NOT NULL) of ${arg(0)} whose column is NOT NULL now: the column enforces what it did (${name})`, { ...place, object: arg(0), table: arg(0), severity: "low" });
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

  /** The model this code changes: the one of the file's migration, forward code only. */
  private modelFor(context: Context): SchemaModel | undefined {
    return this.emit.schema && !context.rollback ? this.emit.schema.model : undefined;
  }

  /**
   * `change_column` and `t.change`: against the column the model knows, only what changes is
   * reported — the type from what to what, NOT NULL on a nullable column, a default removed.
   */
  private changeColumn(table: string, column: string, typeNode: unknown, options: Map<string, unknown>, at: number, place: Place, construct: string): void {
    const object = `${table}.${column}`;
    const model = this.emit.model;
    const type = this.name(typeNode);
    const known = model?.trusted ? model.column(table, column) : undefined;
    if (!known || known.type === "" || type === undefined) {
      const unknown = model && model.files > 0 && !this.emit.createdTables().has(table.toLowerCase()) ? `; its type before is not known (${model.whyColumnUnknown(table)})` : "";
      this.emit.operation(rules.columnTypeChange, at, `Changes the column ${object} to ${this.describe(typeNode)} (${construct})${unknown}`, { ...place, object, table });
      return;
    }
    const change = describeTypeChange(known.type, railsType(type, this.typeOptions(options), this.emit.dialect));
    if (change.verdict !== "same") {
      this.emit.operation(rules.columnTypeChange, at, `Changes the type of ${object} ${change.text} (${construct}); ${change.effect}`, {
        ...place,
        object,
        table,
        ...(change.verdict === "widens" ? { severity: "medium" as const } : {}),
      });
    }
    if (options.get("null") instanceof FalseNode && known.nullable) this.notNull(table, column, at, place, `${construct} null: false`);
    if (options.has("default") && options.get("default") instanceof NilNode && known.default !== undefined) {
      this.emit.operation(rules.dropDefault, at, `Drops the default of ${object} (${construct} default: nil), so inserts that leave it out store NULL or fail`, { ...place, object, table });
    }
  }

  /**
   * NOT NULL on an existing column. Not reported where it costs nothing: the column is NOT NULL
   * already (by a trusted model), or a valid CHECK (column IS NOT NULL) lets PostgreSQL skip the scan —
   * the pattern `explain sql/not-null` recommends (add_check_constraint … validate: false,
   * validate_check_constraint, then change_column_null).
   */
  private notNull(table: string, column: string, at: number, place: Place, construct: string): void {
    const object = `${table}.${column}`;
    if (!place.rollback) this.madeNotNull.add(object.toLowerCase());
    const model = this.emit.model;
    if (model) {
      const known = model.trusted ? model.column(table, column) : undefined;
      if (known && !known.nullable) return;
      if (this.emit.dialect === "postgresql" && model.notNullCheck(table, column)) return;
    }
    this.emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (${construct})`, { ...place, object, table });
  }

  /**
   * `remove_check_constraint` of a `column IS NOT NULL` check whose column is NOT NULL now: the last
   * step of the safe NOT NULL pattern, which enforces nothing the column does not.
   */
  private redundantCheck(table: string, args: unknown[], options: Map<string, unknown>): boolean {
    const model = this.emit.model;
    const name = this.name(options.get("name")) ?? (this.name(args[1]) !== undefined ? `chk:${this.name(args[1])}` : undefined);
    const check = model && name !== undefined ? model.check(table, name) : undefined;
    if (!model || !check?.notNullOf) return false;
    const column = model.column(table, check.notNullOf);
    return column !== undefined && !column.nullable && (model.trusted || this.madeNotNull.has(`${table}.${check.notNullOf}`.toLowerCase()));
  }

  /** `limit:`, `precision:`, `scale:`, `array:` of a column declaration. */
  private typeOptions(options: Map<string, unknown>): TypeOptions {
    const result: TypeOptions = {};
    for (const key of ["limit", "precision", "scale"] as const) {
      const value = options.get(key);
      if (value instanceof IntegerNode) result[key] = Number(value.value);
    }
    if (options.get("array") instanceof TrueNode) result.array = true;
    return result;
  }

  /** A column as a declaration states it: `(name, type, null:, default:, limit: …)`. */
  private columnState(name: string, type: string, options: Map<string, unknown>): Omit<ColumnState, "origin"> {
    const nullable = !(options.get("null") instanceof FalseNode) && !(options.get("primary_key") instanceof TrueNode);
    const value = options.get("default");
    return {
      name,
      type: railsType(type, this.typeOptions(options), this.emit.dialect),
      nullable,
      ...(value !== undefined && !(value instanceof NilNode) ? { default: this.describe(value) } : {}),
    };
  }

  /** The columns of `t.references :user` / `add_reference :posts, :user`: `user_id`, and `user_type` when polymorphic. */
  private referenceColumns(reference: string, options: Map<string, unknown>): Omit<ColumnState, "origin">[] {
    const type = this.name(options.get("type")) ?? (this.version >= 5.1 ? "bigint" : "integer");
    const columns = [this.columnState(`${reference}_id`, type, options)];
    if (options.get("polymorphic") instanceof TrueNode) columns.push(this.columnState(`${reference}_type`, "string", options));
    return columns;
  }

  private timestampColumns(options: Map<string, unknown>): Omit<ColumnState, "origin">[] {
    // Rails 5 and later make timestamps NOT NULL unless told otherwise.
    const nullable = options.has("null") ? !(options.get("null") instanceof FalseNode) : this.version < 5;
    return ["created_at", "updated_at"].map((name) => ({ ...this.columnState(name, "datetime", options), nullable }));
  }

  /**
   * The model before a top-level schema call is judged: what must exist for it (a table altered
   * that no migration created is a gap while replaying the base).
   */
  private modelBefore(model: SchemaModel, node: CallNode, args: unknown[]): void {
    if (!this.emit.schema?.replay) return;
    const table = this.name(args[0]);
    if (table === undefined || !TABLE_OPERATIONS.has(node.name)) return;
    if (!model.table(table)) model.gap(`${this.emit.file}:${this.line(node)}: ${node.name} on ${table}, which no migration before it creates`);
  }

  /** A top-level schema call, applied to the model once judged. */
  private modelAfter(model: SchemaModel, node: CallNode, args: unknown[], options: Map<string, unknown>): void {
    const table = this.name(args[0]);
    const column = this.name(args[1]);
    const at = this.line(node);
    switch (node.name) {
      case "create_table": {
        if (table === undefined) return model.gap(`${this.emit.file}:${at}: create_table of a table named at run time`);
        const force = options.get("force");
        if (force && !(force instanceof FalseNode)) model.dropTable(table);
        const id = options.get("id");
        const columns: ColumnState[] = [];
        if (!(id instanceof FalseNode)) {
          const key = this.name(options.get("primary_key")) ?? "id";
          const type = this.name(id) ?? (this.version >= 5.1 ? "primary_key" : "integer");
          columns.push({ ...this.columnState(key, type, new Map()), nullable: false, origin: model.origin });
        }
        model.createTable(table, columns, options.get("if_not_exists") instanceof TrueNode);
        return;
      }
      case "create_join_table": {
        const name = this.joinTable(args, options);
        if (name) model.createTable(name, null);
        return;
      }
      case "drop_table":
        if (table) model.dropTable(table);
        return;
      case "drop_join_table": {
        const name = this.joinTable(args, options);
        if (name) model.dropTable(name);
        return;
      }
      case "rename_table": {
        const to = this.name(args[1]);
        if (table && to) model.renameTable(table, to);
        return;
      }
      case "add_column": {
        const type = this.name(args[2]);
        if (table && column && type) model.addColumn(table, this.columnState(column, type, options));
        else if (table && column) model.addColumn(table, { name: column, type: "", nullable: true });
        return;
      }
      case "add_reference":
      case "add_belongs_to":
        if (table && column) for (const c of this.referenceColumns(column, options)) model.addColumn(table, c);
        return;
      case "add_timestamps":
        if (table) for (const c of this.timestampColumns(options)) model.addColumn(table, c);
        return;
      case "remove_column":
      case "remove_columns":
        if (table) for (const c of args.slice(1)) if (this.name(c)) model.dropColumn(table, this.name(c)!);
        return;
      case "remove_timestamps":
        if (table) for (const c of ["created_at", "updated_at"]) model.dropColumn(table, c);
        return;
      case "remove_reference":
      case "remove_belongs_to":
        if (table && column) for (const c of [`${column}_id`, `${column}_type`]) model.dropColumn(table, c);
        return;
      case "rename_column": {
        const to = this.name(args[2]);
        if (table && column && to) model.renameColumn(table, column, to);
        return;
      }
      case "change_column": {
        const type = this.name(args[2]);
        if (!table || !column) return;
        model.alterColumn(table, column, {
          type: type === undefined ? "" : railsType(type, this.typeOptions(options), this.emit.dialect),
          ...(options.has("null") ? { nullable: !(options.get("null") instanceof FalseNode) } : {}),
          ...(options.has("default") ? { default: options.get("default") instanceof NilNode ? null : this.describe(options.get("default")) } : {}),
        });
        return;
      }
      case "change_column_null":
        if (table && column && (args[2] instanceof TrueNode || args[2] instanceof FalseNode)) model.alterColumn(table, column, { nullable: args[2] instanceof TrueNode });
        return;
      case "change_column_default": {
        if (!table || !column) return;
        // change_column_default :t, :c, value — or from: x, to: y (reversible).
        const value = args[2] instanceof HashNode ? undefined : (args[2] ?? options.get("to"));
        if (value !== undefined || options.has("to")) model.alterColumn(table, column, { default: value === undefined || value instanceof NilNode ? null : this.describe(value) });
        return;
      }
      case "add_check_constraint": {
        const expression = this.name(args[1]);
        if (!table || expression === undefined) return;
        const name = this.name(options.get("name")) ?? `chk:${expression}`;
        model.addCheck(table, name, expression, !(options.get("validate") instanceof FalseNode));
        return;
      }
      case "validate_check_constraint": {
        const name = this.name(options.get("name")) ?? (this.name(args[1]) !== undefined ? `chk:${this.name(args[1])}` : undefined);
        if (table && name) model.validateCheck(table, name);
        return;
      }
      case "remove_check_constraint": {
        const name = this.name(options.get("name")) ?? (this.name(args[1]) !== undefined ? `chk:${this.name(args[1])}` : undefined);
        if (table && name) model.dropCheck(table, name);
        return;
      }
    }
  }

  /** A call on the variable of a `create_table` or `change_table` block: a column declared, removed, renamed or changed. */
  private tableBlockCall(model: SchemaModel, table: string, node: CallNode): void {
    const args = this.positional(node);
    const options = this.keywords(node);
    const names = args.map((a) => this.name(a)).filter((n): n is string => n !== undefined);
    switch (node.name) {
      case "column":
        if (names[0] !== undefined) model.addColumn(table, this.columnState(names[0], names[1] ?? "", options));
        return;
      case "references":
      case "belongs_to":
        for (const name of names) for (const c of this.referenceColumns(name, options)) model.addColumn(table, c);
        return;
      case "timestamps":
        for (const c of this.timestampColumns(options)) model.addColumn(table, c);
        return;
      case "remove":
        for (const name of names) model.dropColumn(table, name);
        return;
      case "remove_references":
      case "remove_belongs_to":
        for (const name of names) for (const c of [`${name}_id`, `${name}_type`]) model.dropColumn(table, c);
        return;
      case "remove_timestamps":
        for (const c of ["created_at", "updated_at"]) model.dropColumn(table, c);
        return;
      case "rename":
        if (names[0] !== undefined && names[1] !== undefined) model.renameColumn(table, names[0], names[1]);
        return;
      case "change":
        if (names[0] !== undefined) {
          model.alterColumn(table, names[0], {
            type: names[1] === undefined ? "" : railsType(names[1], this.typeOptions(options), this.emit.dialect),
            ...(options.has("null") ? { nullable: !(options.get("null") instanceof FalseNode) } : {}),
            ...(options.has("default") ? { default: options.get("default") instanceof NilNode ? null : this.describe(options.get("default")) } : {}),
          });
        }
        return;
      case "change_null":
        if (names[0] !== undefined && (args[1] instanceof TrueNode || args[1] instanceof FalseNode)) model.alterColumn(table, names[0], { nullable: args[1] instanceof TrueNode });
        return;
      case "change_default": {
        const value = args[1] instanceof HashNode ? undefined : (args[1] ?? options.get("to"));
        if (names[0] !== undefined && (value !== undefined || options.has("to"))) model.alterColumn(table, names[0], { default: value === undefined || value instanceof NilNode ? null : this.describe(value) });
        return;
      }
      case "check_constraint": {
        const expression = names[0];
        if (expression !== undefined) model.addCheck(table, this.name(options.get("name")) ?? `chk:${expression}`, expression, !(options.get("validate") instanceof FalseNode));
        return;
      }
      case "index":
      case "remove_index":
      case "foreign_key":
      case "remove_foreign_key":
      case "primary_key":
      case "remove_check_constraint":
        return;
      default:
        // t.string :a, :b, null: false — and the adapter's other types (t.inet, t.st_point …).
        for (const name of names) model.addColumn(table, this.columnState(name, node.name, options));
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
    this.changeTableFinding(node, table, context);
    const model = this.modelFor(context);
    if (model) this.tableBlockCall(model, table, node);
  }

  private changeTableFinding(node: CallNode, table: string, context: Context): void {
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
        this.changeColumn(table, this.name(args[0]) ?? this.describe(args[0]), args[1], this.keywords(node), at, place, "t.change");
        return;
      case "change_null":
        if (args[1] instanceof FalseNode) this.notNull(table, this.name(args[0]) ?? this.describe(args[0]), at, place, "t.change_null");
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
