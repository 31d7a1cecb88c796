import ts from "typescript";
import { describeTypeChange, type ColumnState } from "../sql/schema.js";
import type { Emitter } from "./emit.js";
import { keepOnOneLine } from "./lines.js";
import { KNEX_COLUMN_BUILDERS, knexType } from "./orm-types.js";
import * as rules from "../../../rules/sql/index.js";

/**
 * Knex, TypeORM and Sequelize migrations (JavaScript or TypeScript), read with the TypeScript
 * compiler's parser. Code inside a function named `down` (an `exports.down`, a `down()` method,
 * `export function down`) is rollback code; everything else is treated as running forward.
 */
export function readJavaScriptMigration(text: string, emit: Emitter, path: string): void {
  emit.transaction = javascriptTransaction(text);
  const typed = /\.[cm]?ts$/i.test(path);
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true, typed ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const knex = isKnexMigration(text);
  if (emit.schema?.replay && !knex) {
    // Their schema calls (queryRunner.addColumn, queryInterface.changeColumn, db.schema.alterTable(…).addColumn) are not followed.
    emit.schema.model.gap(`${path} is a TypeORM, Sequelize or Kysely migration, which the model does not follow`, "all");
    return;
  }
  const reader = new JsReader(source, emit, knex);
  const problems = (source as unknown as { parseDiagnostics?: readonly ts.DiagnosticWithLocation[] }).parseDiagnostics ?? [];
  const first = problems[0];
  if (first) {
    emit.operation(
      rules.unparsed,
      reader.lineOf(first.start),
      `This migration does not parse as ${typed ? "TypeScript" : "JavaScript"} (${ts.flattenDiagnosticMessageText(first.messageText, " ")}); only what could be read was checked`,
      { object: path },
    );
  }
  reader.visit(source);
}

const DROP_TABLE = new Set(["dropTable", "dropTableIfExists"]);
const DROP_COLUMN = new Set(["dropColumn", "dropColumns", "removeColumn", "dropTimestamps"]);
const RENAME = new Set(["renameColumn", "renameTable"]);
const TYPE_CHANGE = new Set(["changeColumn", "changeColumns"]);
const DROP_INDEX = new Set(["dropIndex", "dropIndices", "removeIndex"]);
const DROP_CONSTRAINT = new Set([
  "dropForeign",
  "dropForeignKey",
  "dropForeignKeys",
  "removeConstraint",
  "dropUnique",
  "dropUniqueConstraint",
  "dropUniqueConstraints",
  "dropPrimary",
  "dropPrimaryKey",
  "dropCheckConstraint",
  "dropCheckConstraints",
  "dropChecks",
  "dropExclusionConstraint",
]);
const DROP_OBJECT = new Set(["dropView", "dropMaterializedView", "dropEnum", "dropAllEnums", "dropFunction"]);
const DROP_SCHEMA = new Set(["dropSchema", "dropSchemaIfExists", "dropAllSchemas"]);
const RAW_SQL = new Set(["raw", "query", "execute", "executeSql"]);
/** Knex builder calls whose first argument names the table of the callback's builder. */
const TABLE_CALLBACK = new Set(["alterTable", "table", "createTable", "createTableIfNotExists"]);
/** `knex.schema` calls that change no table the model keeps. */
const KNEX_SCHEMA_READS = new Set(["hasTable", "hasColumn", "withSchema", "createSchema", "createSchemaIfNotExists", "raw"]);
/** Table-builder calls that change no column the model keeps: indexes, keys, comments, storage options. */
const KNEX_TABLE_OPTIONS = new Set([
  "index",
  "unique",
  "primary",
  "foreign",
  "comment",
  "engine",
  "charset",
  "collate",
  "inherits",
  "dropIndex",
  "dropUnique",
  "dropForeign",
  "dropPrimary",
  "check",
  "dropChecks",
  "queryContext",
]);

/** A Knex column builder and the modifiers chained on it: `table.string("name", 80).notNullable().alter()`. */
interface ColumnChain {
  builder: string;
  /** The builder call, `table.string("name", 80)`. */
  root: ts.CallExpression;
  /** The modifiers by name with their arguments (`defaultTo` → `[0]`), `alter` included. */
  modifiers: Map<string, readonly ts.Expression[]>;
}

/** The callback of `createTable("t", (table) => …)` / `alterTable`: its table and the name of its builder. */
interface TableCallback {
  method: string;
  table: string | undefined;
  variable: string | undefined;
  /** Whether the call is on `knex.schema` (a Knex schema builder, not a query builder's `.table()`). */
  schema: boolean;
}

interface SqlText {
  text: string;
  line: number;
  interpolated: boolean;
}

class JsReader {
  private readonly constants = new Map<string, ts.Expression>();

  constructor(
    private readonly source: ts.SourceFile,
    private readonly emit: Emitter,
    /** A Knex migration: its schema builder calls are followed in the schema model. */
    private readonly knex: boolean,
  ) {
    const collect = (node: ts.Node): void => {
      if (ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && node.initializer && ts.isVariableDeclarationList(node.parent)) {
        if (node.parent.flags & ts.NodeFlags.Const) this.constants.set(node.name.text, node.initializer);
      }
      ts.forEachChild(node, collect);
    };
    collect(source);
  }

  lineOf(position: number): number {
    return this.source.getLineAndCharacterOfPosition(position).line + 1;
  }

  private line(node: ts.Node): number {
    return this.lineOf(node.getStart(this.source));
  }

  visit(node: ts.Node): void {
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression)) {
      // A chain runs left to right: `createTable("a", …).alterTable("a", …)` creates before it alters.
      this.visit(node.expression.expression);
      this.call(node);
      for (const argument of node.arguments) this.visit(argument);
      return;
    }
    if (ts.isCallExpression(node)) this.call(node);
    else if (ts.isTaggedTemplateExpression(node)) this.tagged(node);
    ts.forEachChild(node, (child) => this.visit(child));
  }

  private tagged(node: ts.TaggedTemplateExpression): void {
    const tag = node.tag.getText(this.source);
    if (tag !== "sql" && !tag.endsWith(".raw") && !tag.endsWith(".sql")) return;
    const sql = this.sqlText(node.template);
    if (sql) this.embedded(sql, node, tag);
  }

  private call(node: ts.CallExpression): void {
    this.emit.within(() => node.getText(this.source), "javascript", () => {
      this.readCall(node);
      // What the call does is part of the state the calls after it are judged against.
      if (this.knex && this.emit.schema && !isRollback(node)) this.follow(node);
    });
  }

  private readCall(node: ts.CallExpression): void {
    const callee = node.expression;
    if (!ts.isPropertyAccessExpression(callee)) return;
    const method = callee.name.text;
    const rollback = isRollback(node);
    const at = this.line(node);
    const args = node.arguments;
    const first = this.literal(args[0]);
    const place = { rollback };
    // The table a column operation acts on, for the reporter's created-in-this-change judgement.
    const tableOf = (column: string) => (column.includes(".") ? { table: column.slice(0, column.lastIndexOf(".")) } : {});

    if (RAW_SQL.has(method)) {
      // A builder's `.execute()` (Kysely's `db.schema.dropTable(…).execute()`, `sql\`…\`.execute(db)`):
      // the builder call or the template is what counts, and it is read on its own.
      if (method === "execute" && (args.length === 0 || ts.isCallExpression(callee.expression) || ts.isTaggedTemplateExpression(callee.expression))) return;
      const sql = this.sqlText(args[0]);
      const construct = callee.getText(this.source);
      if (sql) this.embedded(sql, node, construct);
      else if (args[0]) {
        this.emit.operation(rules.opaqueCode, at, `Runs SQL built at run time through ${construct}(); its statements cannot be checked`, {
          ...place,
          object: args[0].getText(this.source).slice(0, 80),
        });
      }
      return;
    }
    if (TABLE_CALLBACK.has(method) && method.startsWith("create") && first) this.emit.noteCreated(first, rollback);
    if (method === "createTable" && first) return;

    if (DROP_TABLE.has(method)) {
      const table = first ?? this.describe(args[0]);
      this.emit.operation(rules.dropTable, at, `Drops the table ${table} (${method})`, { ...place, object: table, table });
    } else if (method === "dropAllTables" || method === "clearDatabase") {
      this.emit.operation(rules.dropTable, at, `Drops every table (${method})`, { ...place, object: "*" });
    } else if (DROP_SCHEMA.has(method)) {
      const schema = first ?? (method === "dropAllSchemas" ? "*" : this.describe(args[0]));
      this.emit.operation(rules.dropSchema, at, `Drops the schema ${schema} (${method})`, { ...place, object: schema });
    } else if (method === "dropDatabase") {
      const database = first ?? this.describe(args[0]);
      this.emit.operation(rules.dropDatabase, at, `Drops the database ${database} (${method})`, { ...place, object: database });
    } else if (DROP_COLUMN.has(method)) {
      for (const column of this.columns(node, method)) {
        this.emit.operation(rules.dropColumn, at, `Drops the column ${column} (${method})`, { ...place, object: column, ...tableOf(column) });
      }
    } else if (RENAME.has(method)) {
      const object = method === "renameTable" ? (first ?? this.describe(args[0])) : (this.columns(node, method)[0] ?? "?");
      const on = method === "renameTable" ? { table: object } : tableOf(object);
      this.emit.operation(rules.rename, at, `Renames ${method === "renameTable" ? "the table" : "the column"} ${object} (${method})`, { ...place, object, ...on });
    } else if (TYPE_CHANGE.has(method)) {
      const object = this.columns(node, method)[0] ?? "?";
      this.emit.operation(rules.columnTypeChange, at, `Changes the definition of the column ${object} (${method})`, { ...place, object, ...tableOf(object) });
    } else if (method === "alter" && this.isColumnBuilder(callee.expression)) {
      this.alter(node, at, place);
    } else if (method === "dropNullable") {
      const object = this.columns(node, method)[0] ?? "?";
      const table = this.enclosingTable(node);
      const column = this.literal(args[0]);
      const model = this.emit.model;
      // SET NOT NULL on a column the trusted model knows is NOT NULL changes nothing and scans nothing.
      const already = model?.trusted && table !== undefined && column !== undefined && args.length === 1 && model.column(table, column)?.nullable === false;
      if (!already) this.emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (dropNullable)`, { ...place, object, ...tableOf(object) });
    } else if (method === "clearTable") {
      const table = first ?? this.describe(args[0]);
      this.emit.operation(rules.truncate, at, `Empties the table ${table} (clearTable runs TRUNCATE)`, { ...place, object: table, table });
    } else if (method === "truncate" || method === "del" || method === "delete" || method === "update") {
      this.queryBuilder(node, method, at, rollback);
    } else if (method === "bulkDelete" || method === "bulkUpdate") {
      const where = args[method === "bulkDelete" ? 1 : 2];
      if (!this.isEmptyWhere(where)) return;
      const table = first ?? this.describe(args[0]);
      const rule = method === "bulkDelete" ? rules.deleteAllRows : rules.updateAllRows;
      const verb = method === "bulkDelete" ? "Deletes" : "Updates";
      this.emit.operation(rule, at, `${verb} every row of ${table} (${method} with an empty where)`, { ...place, object: table, table });
    } else if (DROP_INDEX.has(method)) {
      const object = this.describe(args[args.length > 1 && method === "removeIndex" ? 1 : 0]);
      this.emit.operation(rules.dropIndex, at, `Drops the index ${object} (${method})`, { ...place, object });
    } else if (DROP_CONSTRAINT.has(method)) {
      const object = args.map((a) => this.literal(a) ?? this.describe(a)).join(".") || (this.enclosingTable(node) ?? "?");
      this.emit.operation(rules.dropConstraint, at, `Drops the constraint ${object} (${method})`, { ...place, object });
    } else if (DROP_OBJECT.has(method)) {
      const object = first ?? this.describe(args[0]);
      this.emit.operation(rules.dropObject, at, `Drops ${object} (${method})`, { ...place, object });
    }
  }

  /**
   * `.alter()` against the column the model knows: Knex alters a column to exactly the definition
   * given, so the type changes from what to what, NOT NULL is set unless `.notNullable()` is left
   * out, and a default not restated with `.defaultTo()` is dropped. Where the model cannot say, the
   * alteration stays a possible type change and says why.
   */
  private alter(node: ts.CallExpression, at: number, place: { rollback: boolean }): void {
    const object = this.builderColumn(node);
    const chain = this.columnChain(node);
    const callback = chain ? this.tableCallback(chain.root) : undefined;
    const table = callback?.schema ? callback.table : undefined;
    const declared = chain && table !== undefined ? this.declaredColumn(chain) : undefined;
    const options = this.alterOptions(chain?.modifiers.get("alter")?.[0]);
    const model = this.emit.model;
    const known = model?.trusted && table !== undefined && declared ? model.column(table, declared.name) : undefined;
    const on = table !== undefined ? { table } : {};
    if (!known || known.type === "" || !declared || declared.type === "") {
      const why = model && model.files > 0 && table !== undefined && !this.emit.createdTables().has(table.toLowerCase()) ? `; its type before is not known (${model.whyColumnUnknown(table)})` : "";
      this.emit.operation(rules.columnTypeChange, at, `Changes the definition of the column ${object} (.alter())${why}`, { ...place, object, ...on });
    } else {
      const change = describeTypeChange(known.type, declared.type);
      if (options.type && change.verdict !== "same") {
        this.emit.operation(rules.columnTypeChange, at, `Changes the type of ${object} ${change.text} (.alter()); ${change.effect}`, {
          ...place,
          object,
          ...on,
          ...(change.verdict === "widens" ? { severity: "medium" as const } : {}),
        });
      }
      if (options.nullable && !declared.nullable && known.nullable) this.emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (.notNullable().alter())`, { ...place, object, ...on });
      if (known.default !== undefined && declared.default === undefined) {
        this.emit.operation(rules.dropDefault, at, `Drops the default of ${object}: .alter() without .defaultTo() removes it, so inserts that leave it out store NULL or fail`, {
          ...place,
          object,
          ...on,
        });
      }
    }
    if (!this.knex || place.rollback || !this.emit.schema) return;
    if (table === undefined || !declared) {
      this.emit.toModel((m) => m.gap(`${this.emit.file}:${at}: ${object} is altered in a way the model cannot follow`));
      return;
    }
    this.emit.toModel((m) =>
      m.alterColumn(table, declared.name, {
        ...(options.type ? { type: declared.type } : {}),
        ...(options.nullable ? { nullable: declared.nullable } : {}),
        default: declared.default ?? null,
      }),
    );
  }

  /** `.alter({ alterType: false, alterNullable: false })`: which parts of the definition Knex alters. */
  private alterOptions(argument: ts.Expression | undefined): { type: boolean; nullable: boolean } {
    const result = { type: true, nullable: true };
    if (!argument || !ts.isObjectLiteralExpression(argument)) return result;
    for (const property of argument.properties) {
      if (!ts.isPropertyAssignment(property) || property.initializer.kind !== ts.SyntaxKind.FalseKeyword) continue;
      if (property.name.getText(this.source) === "alterType") result.type = false;
      if (property.name.getText(this.source) === "alterNullable") result.nullable = false;
    }
    return result;
  }

  /** A Knex schema call in forward code, applied to the model; what it cannot follow is a gap. */
  private follow(node: ts.CallExpression): void {
    const callee = node.expression;
    if (!ts.isPropertyAccessExpression(callee)) return;
    const method = callee.name.text;
    const at = this.line(node);
    const gap = (what: string) => this.emit.toModel((m) => m.gap(`${this.emit.file}:${at}: ${what}, which the model does not follow`));
    if (this.onSchema(callee.expression)) {
      const table = this.literal(node.arguments[0]);
      if (KNEX_SCHEMA_READS.has(method)) return;
      if (TABLE_CALLBACK.has(method)) {
        const callback = node.arguments[1];
        if (table === undefined || !callback || !(ts.isArrowFunction(callback) || ts.isFunctionExpression(callback))) return gap(`knex.schema.${method} without a literal table and a callback`);
        if (!this.builderStaysInCallback(callback)) gap(`knex.schema.${method}(${table}) with a builder used other than by its own calls`);
        if (method.startsWith("create")) this.emit.toModel((m) => m.createTable(table, [], method === "createTableIfNotExists"));
        else if (this.emit.schema?.replay && !this.emit.schema.model.table(table)) this.emit.schema.model.gap(`${this.emit.file}:${at}: knex.schema.${method} on ${table}, which no migration before it creates`);
        return;
      }
      if (DROP_TABLE.has(method) && table !== undefined) return this.emit.toModel((m) => m.dropTable(table));
      const to = this.literal(node.arguments[1]);
      if (method === "renameTable" && table !== undefined && to !== undefined) return this.emit.toModel((m) => m.renameTable(table, to));
      return gap(`knex.schema.${method}`);
    }
    const receiver = callee.expression;
    if (!ts.isIdentifier(receiver)) return;
    const callback = this.tableCallback(node);
    if (!callback?.schema || callback.variable !== receiver.text) return;
    const table = callback.table;
    if (table === undefined) return;
    const names = node.arguments.map((a) => this.literal(a));
    const literalNames = names.every((n) => n !== undefined) ? (names as string[]) : undefined;
    if (KNEX_COLUMN_BUILDERS.has(method)) {
      const chain = this.columnChainFrom(node);
      if (chain.modifiers.has("alter")) return; // applied where the alter is judged
      const column = this.declaredColumn(chain);
      if (!column) return gap(`${table}.${method} of a column named at run time`);
      this.emit.toModel((m) => m.addColumn(table, column));
      return;
    }
    switch (method) {
      case "timestamps": {
        const [useTimestamps, defaultToNow, camelCase] = node.arguments.map((a) => a.kind === ts.SyntaxKind.TrueKeyword);
        const type = knexType(useTimestamps ? "timestamp" : "datetime", [], this.emit.dialect) ?? "";
        const columns = camelCase ? ["createdAt", "updatedAt"] : ["created_at", "updated_at"];
        for (const name of columns) this.emit.toModel((m) => m.addColumn(table, { name, type, nullable: !defaultToNow, ...(defaultToNow ? { default: "now()" } : {}) }));
        return;
      }
      case "dropTimestamps": {
        const camelCase = node.arguments[0]?.kind === ts.SyntaxKind.TrueKeyword;
        for (const name of camelCase ? ["createdAt", "updatedAt"] : ["created_at", "updated_at"]) this.emit.toModel((m) => m.dropColumn(table, name));
        return;
      }
      case "dropColumn":
      case "dropColumns":
        if (!literalNames) return gap(`${table}.${method} of a column named at run time`);
        for (const name of literalNames) this.emit.toModel((m) => m.dropColumn(table, name));
        return;
      case "renameColumn":
        if (!literalNames || literalNames.length !== 2) return gap(`${table}.renameColumn of a column named at run time`);
        this.emit.toModel((m) => m.renameColumn(table, literalNames[0]!, literalNames[1]!));
        return;
      case "setNullable":
      case "dropNullable":
        if (!literalNames || literalNames.length !== 1) return gap(`${table}.${method} of a column named at run time`);
        this.emit.toModel((m) => m.alterColumn(table, literalNames[0]!, { nullable: method === "setNullable" }));
        return;
    }
    if (!KNEX_TABLE_OPTIONS.has(method)) gap(`${table}.${method}`);
  }

  /**
   * Whether every use of a table callback's builder is a call on it (`table.string(…)`): a builder
   * handed to a helper, or `this` in an old-style callback, declares columns the model cannot see.
   */
  private builderStaysInCallback(callback: ts.ArrowFunction | ts.FunctionExpression): boolean {
    const parameter = callback.parameters[0]?.name;
    if (callback.parameters.length > 0 && (!parameter || !ts.isIdentifier(parameter))) return false;
    const variable = parameter && ts.isIdentifier(parameter) ? parameter.text : undefined;
    let contained = true;
    const check = (node: ts.Node): void => {
      if (!contained) return;
      if (node.kind === ts.SyntaxKind.ThisKeyword) contained = false;
      else if (ts.isIdentifier(node) && node.text === variable && node !== parameter) {
        const parent = node.parent;
        const aName = (ts.isPropertyAccessExpression(parent) && parent.name === node) || (ts.isPropertyAssignment(parent) && parent.name === node);
        if (!aName && !(ts.isPropertyAccessExpression(parent) && parent.expression === node && ts.isCallExpression(parent.parent) && parent.parent.expression === parent)) contained = false;
      }
      ts.forEachChild(node, check);
    };
    check(callback.body);
    return contained;
  }

  /** Whether an expression is, or is chained on, `knex.schema` (`trx.schema.withSchema("s")` too). */
  private onSchema(expression: ts.Expression): boolean {
    let current: ts.Expression = expression;
    for (;;) {
      if (ts.isPropertyAccessExpression(current)) {
        if (current.name.text === "schema") return true;
        current = current.expression;
      } else if (ts.isCallExpression(current) || ts.isParenthesizedExpression(current)) {
        current = current.expression;
      } else {
        return false;
      }
    }
  }

  /** The Knex table callback a node sits in: `alterTable('users', (table) => …)`. */
  private tableCallback(node: ts.Node): TableCallback | undefined {
    for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
      if (!ts.isArrowFunction(current) && !ts.isFunctionExpression(current)) continue;
      const call = current.parent;
      if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression) || !TABLE_CALLBACK.has(call.expression.name.text)) continue;
      const parameter = current.parameters[0]?.name;
      return {
        method: call.expression.name.text,
        table: this.literal(call.arguments[0]),
        variable: parameter && ts.isIdentifier(parameter) ? parameter.text : undefined,
        schema: this.onSchema(call.expression.expression),
      };
    }
    return undefined;
  }

  /** The builder chain below a call (`….notNullable().alter()` down to `table.integer("c")`); undefined if it does not start at a variable. */
  private columnChain(node: ts.CallExpression): ColumnChain | undefined {
    const modifiers = new Map<string, readonly ts.Expression[]>();
    let current: ts.Expression = node;
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      const callee: ts.PropertyAccessExpression = current.expression;
      if (ts.isIdentifier(callee.expression)) return { builder: callee.name.text, root: current, modifiers };
      modifiers.set(callee.name.text, current.arguments);
      current = callee.expression;
    }
    return undefined;
  }

  /** The builder call `table.string("c")` and the modifiers chained after it. */
  private columnChainFrom(root: ts.CallExpression): ColumnChain {
    const modifiers = new Map<string, readonly ts.Expression[]>();
    let current: ts.Node = root;
    while (ts.isPropertyAccessExpression(current.parent) && current.parent.expression === current && ts.isCallExpression(current.parent.parent) && current.parent.parent.expression === current.parent) {
      modifiers.set(current.parent.name.text, current.parent.parent.arguments);
      current = current.parent.parent;
    }
    return { builder: (root.expression as ts.PropertyAccessExpression).name.text, root, modifiers };
  }

  /** The column a builder chain declares; undefined when its name is not a literal. */
  private declaredColumn(chain: ColumnChain): Omit<ColumnState, "origin"> | undefined {
    const args = chain.root.arguments.map((a) => this.literal(a) ?? (ts.isNumericLiteral(a) ? Number(a.text) : undefined));
    const increments = chain.builder === "increments" || chain.builder === "bigIncrements";
    const name = args[0] ?? (increments && chain.root.arguments.length === 0 ? "id" : undefined);
    if (typeof name !== "string") return undefined;
    let type = knexType(chain.builder, args, this.emit.dialect) ?? "";
    if (type !== "" && chain.modifiers.has("unsigned") && (this.emit.dialect === "mysql" || this.emit.dialect === "mariadb")) type = `${type} unsigned`;
    const notNull = increments || chain.modifiers.has("notNullable") || chain.modifiers.has("primary");
    const value = chain.modifiers.get("defaultTo")?.[0];
    return { name, type, nullable: !notNull, ...(value !== undefined ? { default: this.describe(value) } : {}) };
  }

  /** `knex('t').del()` / `.update()` / `.truncate()` without any `.where…` in the chain. */
  private queryBuilder(node: ts.CallExpression, method: string, at: number, rollback: boolean): void {
    const chain = this.chain(node);
    if (chain.table === undefined) return; // not a query builder rooted at a table: `map.delete(k)` and the like
    if (method === "truncate") {
      this.emit.operation(rules.truncate, at, `Empties the table ${chain.table} (.truncate())`, { rollback, object: chain.table, table: chain.table });
      return;
    }
    if (chain.methods.some((m) => /^(where|andWhere|orWhere|whereIn|whereNot|whereRaw|whereExists|whereNull|whereNotNull|whereBetween)/.test(m))) return;
    if (method === "update") {
      this.emit.operation(rules.updateAllRows, at, `Updates every row of ${chain.table} (.update() with no .where())`, { rollback, object: chain.table, table: chain.table });
    } else {
      this.emit.operation(rules.deleteAllRows, at, `Deletes every row of ${chain.table} (.${method}() with no .where())`, { rollback, object: chain.table, table: chain.table });
    }
  }

  /** The methods called before `node` on its receiver chain, and the table the chain starts from. */
  private chain(node: ts.CallExpression): { methods: string[]; table?: string } {
    const methods: string[] = [];
    let table: string | undefined;
    let current: ts.Expression = (node.expression as ts.PropertyAccessExpression).expression;
    for (;;) {
      if (ts.isCallExpression(current)) {
        const callee = current.expression;
        if (ts.isPropertyAccessExpression(callee)) {
          methods.push(callee.name.text);
          if (["from", "table", "into"].includes(callee.name.text)) table ??= this.literal(current.arguments[0]);
          current = callee.expression;
          continue;
        }
        // knex('table') / trx('table'): the root call names the table.
        if (ts.isIdentifier(callee)) table ??= this.literal(current.arguments[0]);
        break;
      }
      if (ts.isPropertyAccessExpression(current) || ts.isParenthesizedExpression(current) || ts.isAwaitExpression(current)) {
        current = current.expression;
        continue;
      }
      break;
    }
    return table === undefined ? { methods } : { methods, table };
  }

  /** `table.integer('total').alter()`: a column builder of a Knex table callback. */
  private isColumnBuilder(expression: ts.Expression): boolean {
    return ts.isCallExpression(expression);
  }

  private builderColumn(node: ts.CallExpression): string {
    let current: ts.Expression = (node.expression as ts.PropertyAccessExpression).expression;
    let column: string | undefined;
    while (ts.isCallExpression(current) && ts.isPropertyAccessExpression(current.expression)) {
      column = this.literal(current.arguments[0]) ?? column;
      current = current.expression.expression;
    }
    const table = this.enclosingTable(node);
    return column === undefined ? (table ?? "?") : table ? `${table}.${column}` : column;
  }

  /** Columns named by a column operation: `(table, column)` on TypeORM/Sequelize, `(column…)` inside a Knex table callback. */
  private columns(node: ts.CallExpression, method: string): string[] {
    const args = node.arguments;
    const enclosing = this.enclosingTable(node);
    if (method === "dropTimestamps") return [`${enclosing ?? "?"}.created_at`, `${enclosing ?? "?"}.updated_at`];
    const knexStyle = enclosing !== undefined && (args.length === 1 || method === "dropColumns" || (method === "renameColumn" && args.length === 2));
    if (knexStyle) {
      const names = method === "renameColumn" ? args.slice(0, 1) : args;
      return names.map((a) => `${enclosing}.${this.literal(a) ?? this.describe(a)}`);
    }
    const table = this.literal(args[0]) ?? this.describe(args[0]);
    const second = args[1];
    if (second && ts.isArrayLiteralExpression(second)) return second.elements.map((e) => `${table}.${this.literal(e) ?? this.describe(e)}`);
    return [`${table}.${this.literal(second) ?? this.describe(second)}`];
  }

  /** The table of the Knex builder callback the node sits in: `alterTable('users', (t) => …)`. */
  private enclosingTable(node: ts.Node): string | undefined {
    for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
      if (ts.isArrowFunction(current) || ts.isFunctionExpression(current)) {
        const call = current.parent;
        if (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && TABLE_CALLBACK.has(call.expression.name.text)) {
          return this.literal(call.arguments[0]);
        }
      }
    }
    return undefined;
  }

  private isEmptyWhere(where: ts.Expression | undefined): boolean {
    if (where === undefined) return true;
    if (where.kind === ts.SyntaxKind.NullKeyword) return true;
    if (ts.isIdentifier(where) && where.text === "undefined") return true;
    return ts.isObjectLiteralExpression(where) && where.properties.length === 0;
  }

  private embedded(sql: SqlText, node: ts.Node, construct: string): void {
    const rollback = isRollback(node);
    if (sql.interpolated) {
      this.emit.operation(rules.opaqueCode, this.line(node), `Builds SQL with interpolated values in ${construct}; only its literal parts could be checked`, {
        rollback,
        object: construct,
      });
    }
    this.emit.sql(sql.text, sql.line, { rollback, embeddedIn: construct });
  }

  /** The SQL text an expression evaluates to, where the file says it: literals, templates, `+`, local constants. */
  private sqlText(expression: ts.Node | undefined, depth = 0): SqlText | null {
    if (!expression || depth > 8) return null;
    if (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression)) {
      return { text: keepOnOneLine(expression.text, expression.getText(this.source)), line: this.line(expression), interpolated: false };
    }
    if (ts.isTemplateExpression(expression)) {
      const text = expression.head.text + expression.templateSpans.map((span) => `__expr__${span.literal.text}`).join("");
      return { text, line: this.line(expression), interpolated: true };
    }
    if (ts.isParenthesizedExpression(expression) || ts.isAsExpression(expression)) return this.sqlText(expression.expression, depth + 1);
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      const left = this.sqlText(expression.left, depth + 1);
      const right = this.sqlText(expression.right, depth + 1);
      if (!left && !right) return null;
      return {
        text: (left?.text ?? "__expr__") + (right?.text ?? "__expr__"),
        line: left?.line ?? this.line(expression),
        interpolated: !left || !right || left.interpolated || right.interpolated,
      };
    }
    if (ts.isIdentifier(expression)) {
      const value = this.constants.get(expression.text);
      return value ? this.sqlText(value, depth + 1) : null;
    }
    return null;
  }

  private literal(expression: ts.Expression | undefined): string | undefined {
    if (expression && (ts.isStringLiteral(expression) || ts.isNoSubstitutionTemplateLiteral(expression))) return expression.text;
    return undefined;
  }

  private describe(expression: ts.Node | undefined): string {
    if (!expression) return "?";
    return expression.getText(this.source).replace(/\s+/g, " ").slice(0, 80);
  }
}

/** Whether the node runs inside the migration's `down`. */
function isRollback(node: ts.Node): boolean {
  for (let current: ts.Node | undefined = node.parent; current; current = current.parent) {
    const name = functionName(current);
    if (name === "down") return true;
    if (name === "up") return false;
  }
  return false;
}

function functionName(node: ts.Node): string | undefined {
  if (ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node)) return node.name?.getText();
  if (!ts.isFunctionExpression(node) && !ts.isArrowFunction(node)) return undefined;
  const parent = node.parent;
  if (ts.isPropertyAssignment(parent) || ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent)) return parent.name.getText();
  if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(parent.left)) {
    return parent.left.name.text;
  }
  if (ts.isFunctionExpression(node) && node.name) return node.name.text;
  return undefined;
}

/**
 * Knex runs each migration in a transaction unless `exports.config = { transaction: false }` (or
 * `disableTransactions`); TypeORM runs migrations in one transaction unless the class sets
 * `transaction = false`. Sequelize wraps nothing: unknown.
 */
function javascriptTransaction(text: string): "wrapped" | "none" | undefined {
  if (/\btransaction\s*[:=]\s*false\b|\bdisableTransactions\s*:\s*true\b/.test(text)) return "none";
  if (/\bqueryInterface\b|\bSequelize\b/.test(text)) return undefined;
  if (/\bknex\b|\bMigrationInterface\b|\bqueryRunner\b/.test(text)) return "wrapped";
  return undefined;
}

/** Knex migrations are the JavaScript ones that are not TypeORM, Sequelize or Kysely code: the schema model follows only Knex's builder. */
function isKnexMigration(text: string): boolean {
  return !/\bqueryRunner\b|\bMigrationInterface\b|\bqueryInterface\b|\bSequelize\b|\bKysely\b/.test(text);
}
