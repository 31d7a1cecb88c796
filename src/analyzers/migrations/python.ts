import { parser } from "@lezer/python";
import { describeTypeChange, type ColumnState, type DjangoField, type DjangoModel, type TypeVerdict } from "../sql/schema.js";
import type { Emitter } from "./emit.js";
import { keepOnOneLine, LineIndex } from "./lines.js";
import { sqlalchemyType } from "./orm-types.js";
import * as rules from "../../../rules/sql/index.js";

/**
 * Django and Alembic migrations, read with the Lezer Python grammar (a real, error-tolerant
 * Python parser). Alembic: `upgrade*()` runs forward, `downgrade*()` is rollback. Django: the
 * `operations` list runs forward; `reverse_sql` and `reverse_code` are rollback;
 * `SeparateDatabaseAndState` runs only its `database_operations`; `RunPython` code is opaque,
 * and the row changes inside it are pointed out.
 */
export function readPythonMigration(text: string, emit: Emitter, path: string): void {
  const before = emit.findings.length;
  // Django migrations are atomic on PostgreSQL unless `atomic = False`; Alembic runs migrations in a
  // transaction (transactional DDL), except inside `autocommit_block()`.
  emit.transaction = /^[ \t]+atomic[ \t]*=[ \t]*False\b/m.test(text) ? "none" : "wrapped";
  new PythonReader(text, emit, path).read();
  // django-migration-linter's IgnoreMigration() silences its checks: shown as acknowledged, never obeyed.
  if (/\bIgnoreMigration\s*\(/.test(text)) {
    for (const f of emit.findings.slice(before)) f.acknowledged ??= "IgnoreMigration()";
  }
}

/** A node of the Lezer syntax tree (typed through the parser, so `@lezer/common` need not be a direct dependency). */
type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

interface Context {
  rollback: boolean;
  /** Inside a `RunPython` function: ORM row changes are reported. */
  dataCode: boolean;
  /** The table of an enclosing `with op.batch_alter_table("t") as batch_op:`. */
  batchTable?: string;
  /** Inside `with op.get_context().autocommit_block():`: statements run outside the migration's transaction. */
  autocommit?: boolean;
  /** Inside `SeparateDatabaseAndState(state_operations=…)`: Django's model state changes, the database does not. */
  stateOnly?: boolean;
  /** Inside a function named `upgrade…`: Alembic operations there run when the revision is applied. */
  upgrade?: boolean;
  /** Under an `if`, a loop or a `try`: whether it runs depends on the database at run time. */
  conditional?: boolean;
}

interface Args {
  positional: SyntaxNode[];
  keywords: Map<string, SyntaxNode>;
}

interface SqlText {
  text: string;
  line: number;
  interpolated: boolean;
}

class PythonReader {
  private readonly lines: LineIndex;
  private readonly functions = new Map<string, SyntaxNode>();
  private readonly constants = new Map<string, SyntaxNode>();
  private readonly forwardCode = new Set<string>();
  private readonly reverseCode = new Set<string>();

  constructor(
    private readonly text: string,
    private readonly emit: Emitter,
    private readonly path: string,
  ) {
    this.lines = new LineIndex(text);
  }

  read(): void {
    const tree = parser.parse(this.text);
    const top = tree.topNode;
    let firstError: SyntaxNode | null = null;
    tree.iterate({
      enter: (n) => {
        if (n.type.isError && firstError === null) firstError = n.node;
        return firstError === null;
      },
    });
    if (firstError !== null) {
      this.emit.operation(rules.unparsed, this.line(firstError), "This migration does not parse as Python; only what could be read was checked", {
        object: this.path,
      });
    }
    for (const statement of children(top)) {
      if (statement.name === "FunctionDefinition") {
        const name = this.functionName(statement);
        if (name) this.functions.set(name, statement);
      }
    }
    // Names assigned exactly once in the file (`sql = "DELETE …"` then `op.execute(sql)`) resolve to their value.
    const assigned = new Map<string, SyntaxNode | null>();
    for (const statement of descendants(top, "AssignStatement")) {
      const target = statement.firstChild;
      const value = statement.lastChild;
      if (target?.name !== "VariableName" || !value || statement.getChildren("AssignOp").length !== 1) continue;
      const name = this.source(target);
      assigned.set(name, assigned.has(name) ? null : value);
    }
    for (const [name, value] of assigned) if (value) this.constants.set(name, value);
    this.collectRunPython(top);
    for (const statement of children(top)) {
      if (statement.name === "FunctionDefinition") {
        const name = this.functionName(statement) ?? "";
        const rollback = /^downgrade/.test(name) || (this.reverseCode.has(name) && !this.forwardCode.has(name));
        const dataCode = this.forwardCode.has(name) || this.reverseCode.has(name);
        this.walk(statement, { rollback, dataCode, upgrade: name.startsWith("upgrade") });
      } else {
        this.walk(statement, { rollback: false, dataCode: false });
      }
    }
  }

  /** The functions `RunPython` runs forward and in reverse. */
  private collectRunPython(node: SyntaxNode): void {
    for (const call of descendants(node, "CallExpression")) {
      if (this.calleeName(call) !== "RunPython") continue;
      const args = this.args(call);
      const code = args.keywords.get("code") ?? args.positional[0];
      const reverse = args.keywords.get("reverse_code") ?? args.positional[1];
      if (code?.name === "VariableName") this.forwardCode.add(this.source(code));
      if (reverse?.name === "VariableName") this.reverseCode.add(this.source(reverse));
    }
  }

  private walk(node: SyntaxNode, context: Context): void {
    if (CONDITIONAL_STATEMENTS.has(node.name) && !context.conditional) {
      for (const child of children(node)) this.walk(child, { ...context, conditional: true });
      return;
    }
    if (node.name === "CallExpression") {
      if (this.call(node, context)) return;
    } else if (node.name === "WithStatement") {
      const batch = children(node).find((c) => c.name === "CallExpression" && this.calleeName(c) === "batch_alter_table");
      if (children(node).some((c) => c.name === "CallExpression" && this.calleeName(c) === "autocommit_block")) {
        for (const child of children(node)) this.walk(child, { ...context, autocommit: true });
        return;
      }
      if (batch) {
        const table = this.literal(this.args(batch).positional[0] ?? this.args(batch).keywords.get("table_name"));
        if (table === undefined && this.emit.schema && !context.rollback) this.emit.toModel((m) => m.gap(`${this.path}:${this.line(batch)}: batch_alter_table of a table named at run time, which the model does not follow`));
        for (const child of children(node)) this.walk(child, table ? { ...context, batchTable: table } : context);
        return;
      }
    }
    for (const child of children(node)) this.walk(child, context);
  }

  /** Django's default table for a model: `<app label>_<model name>`, the app being the folder above `migrations/`. */
  private djangoTable(model: string | undefined): string | undefined {
    const parts = this.path.split("/");
    const app = parts[parts.length - 3];
    return model === undefined || app === undefined || parts[parts.length - 2] !== "migrations" ? undefined : `${app}_${model}`.toLowerCase();
  }

  /** Handles one call; returns true when its arguments must not be walked (state-only operations). */
  private call(node: SyntaxNode, context: Context): boolean {
    return this.emit.within(() => this.source(node), "python", () => this.readCall(node, context));
  }

  private readCall(node: SyntaxNode, context: Context): boolean {
    const name = this.calleeName(node);
    if (name === undefined) return false;
    const args = this.args(node);
    const at = this.line(node);
    const place = { rollback: context.rollback };
    const kw = (key: string, index: number) => args.keywords.get(key) ?? args.positional[index];
    const str = (key: string, index: number) => this.literal(kw(key, index)) ?? this.describe(kw(key, index));
    // The table a Django operation acts on, for the reporter's created-in-this-change judgement.
    const modelTable = (key: string, index: number) => {
      const table = this.djangoTable(this.literal(kw(key, index)));
      return table === undefined ? {} : { table };
    };

    const inTransaction = this.emit.transaction === "wrapped" && !context.autocommit && this.emit.dialect === "postgresql";
    if (inTransaction && (name === "AddIndexConcurrently" || name === "RemoveIndexConcurrently")) {
      this.emit.operation(
        rules.transactionConflict,
        at,
        `${name} cannot run inside a transaction, and this Django migration is atomic (set atomic = False on the Migration); migrate fails`,
        { ...place, object: str("model_name", 0) },
      );
    } else if (inTransaction && (name === "create_index" || name === "drop_index") && args.keywords.get("postgresql_concurrently") && this.source(args.keywords.get("postgresql_concurrently")!) === "True") {
      this.emit.operation(
        rules.transactionConflict,
        at,
        `${name}(…, postgresql_concurrently=True) runs ${name === "create_index" ? "CREATE" : "DROP"} INDEX CONCURRENTLY inside the migration's transaction, which PostgreSQL refuses (wrap it in op.get_context().autocommit_block())`,
        { ...place, object: str(name === "create_index" ? "index_name" : "index_name", 0) },
      );
    }
    if (DJANGO_STATE_OPERATIONS.has(name) && this.emit.schema && !context.rollback && this.djangoState(name, args, at, context)) return false;
    if (context.stateOnly) return false;
    switch (name) {
      // Django operations
      case "CreateModel":
        this.emit.noteCreated(this.djangoTable(this.literal(kw("name", 0))), context.rollback);
        return false;
      case "DeleteModel":
        this.emit.operation(rules.dropTable, at, `Deletes the model ${str("name", 0)} and drops its table (DeleteModel)`, { ...place, object: str("name", 0), ...modelTable("name", 0) });
        return false;
      case "RemoveField": {
        const object = `${str("model_name", 0)}.${str("name", 1)}`;
        this.emit.operation(rules.dropColumn, at, `Removes the field ${object} and drops its column (RemoveField)`, { ...place, object, ...modelTable("model_name", 0) });
        return false;
      }
      case "RenameField": {
        const object = `${str("model_name", 0)}.${str("old_name", 1)}`;
        this.emit.operation(rules.rename, at, `Renames the field ${object} to ${str("new_name", 2)} (RenameField)`, { ...place, object, ...modelTable("model_name", 0) });
        return false;
      }
      case "RenameModel":
        this.emit.operation(rules.rename, at, `Renames the model ${str("old_name", 0)} to ${str("new_name", 1)} and its table (RenameModel)`, {
          ...place,
          object: str("old_name", 0),
          ...modelTable("old_name", 0),
        });
        return false;
      case "AlterModelTable":
        this.emit.operation(rules.rename, at, `Renames the table of ${str("name", 0)} to ${str("table", 1)} (AlterModelTable)`, { ...place, object: str("name", 0), ...modelTable("name", 0) });
        return false;
      case "AlterField": {
        const object = `${str("model_name", 0)}.${str("name", 1)}`;
        const unknown = this.emit.model && this.emit.model.files > 0 ? `; its previous definition is not known (${this.emit.model.why("all") ?? "no migration at base defines it"})` : "";
        this.emit.operation(rules.columnTypeChange, at, `Alters the field ${object}; its column type may change (AlterField)${unknown}`, { ...place, object, ...modelTable("model_name", 0) });
        return false;
      }
      case "RemoveIndex":
      case "RemoveIndexConcurrently": {
        const object = `${str("model_name", 0)}.${str("name", 1)}`;
        this.emit.operation(rules.dropIndex, at, `Removes the index ${object} (${name})`, { ...place, object, ...modelTable("model_name", 0) });
        return false;
      }
      case "RemoveConstraint": {
        const object = `${str("model_name", 0)}.${str("name", 1)}`;
        this.emit.operation(rules.dropConstraint, at, `Removes the constraint ${object} (RemoveConstraint)`, { ...place, object, ...modelTable("model_name", 0) });
        return false;
      }
      case "RunSQL":
        this.sqlArgument(kw("sql", 0), at, "RunSQL", context);
        this.sqlArgument(kw("reverse_sql", 1), at, "RunSQL reverse_sql", { ...context, rollback: true });
        return true;
      case "RunPython": {
        const code = kw("code", 0);
        if (code && !/noop$/.test(this.source(code)) && !context.rollback) {
          const inside = code.name === "VariableName" ? this.rowChanges(this.source(code)) : [];
          const detail = inside.length > 0 ? `; it changes rows at line ${inside.join(", ")}` : "";
          this.emit.operation(rules.opaqueCode, at, `Runs the Python function ${this.source(code)}, which cannot be checked (RunPython)${detail}`, {
            object: this.source(code),
          });
        }
        return true;
      }
      case "SeparateDatabaseAndState": {
        // Only database_operations touch the database; state_operations change Django's model state alone.
        const database = args.keywords.get("database_operations") ?? args.positional[1];
        if (database) this.walk(database, context);
        const state = args.keywords.get("state_operations") ?? args.positional[0];
        if (state && this.emit.schema && !context.rollback) this.walk(state, { ...context, stateOnly: true });
        return true;
      }
    }

    // Alembic operations (`op.x`, `batch_op.x`) and raw SQL in either framework.
    const receiver = this.receiver(node);
    const batch = context.batchTable !== undefined && receiver !== "op";
    const table = batch ? context.batchTable! : str("table_name", 0);
    const column = batch ? str("column_name", 0) : str("column_name", 1);
    const follows = this.emit.schema !== undefined && !context.rollback && !context.stateOnly && (receiver === "op" || batch) && ALEMBIC_SCHEMA_OPERATIONS.has(name);
    try {
      return this.alembicOperation(node, name, args, at, context, table, column, batch);
    } finally {
      // What the operation does is part of the state the operations after it are judged against.
      if (follows) this.followAlembic(name, args, at, context, batch);
    }
  }

  /** An Alembic operation (`op.x`, `batch_op.x`) or raw SQL in either framework; true when its arguments must not be walked. */
  private alembicOperation(node: SyntaxNode, name: string, args: Args, at: number, context: Context, table: string, column: string, batch: boolean): boolean {
    const place = { rollback: context.rollback };
    const kw = (key: string, index: number) => args.keywords.get(key) ?? args.positional[index];
    const str = (key: string, index: number) => this.literal(kw(key, index)) ?? this.describe(kw(key, index));
    const receiver = this.receiver(node);
    switch (name) {
      case "create_table":
        this.emit.noteCreated(this.literal(kw("table_name", 0)), context.rollback);
        return false;
      case "drop_table": {
        this.emit.operation(rules.dropTable, at, `Drops the table ${str("table_name", 0)} (op.drop_table)`, { ...place, object: str("table_name", 0), table: str("table_name", 0) });
        return false;
      }
      case "drop_column":
        this.emit.operation(rules.dropColumn, at, `Drops the column ${table}.${column} (drop_column)`, { ...place, object: `${table}.${column}`, table });
        return false;
      case "alter_column": {
        const object = `${table}.${column}`;
        const type = args.keywords.get("type_");
        if (type) this.alterColumnType(object, table, column, type, args.keywords.get("existing_type"), at, place);
        if (args.keywords.has("new_column_name")) {
          this.emit.operation(rules.rename, at, `Renames the column ${object} (alter_column new_column_name=)`, { ...place, object, table });
        }
        const nullable = args.keywords.get("nullable");
        const model = this.emit.model;
        // SET NOT NULL on a column that is NOT NULL already changes nothing and scans nothing.
        const notNullAlready = model?.trusted && model.column(table, column)?.nullable === false;
        if (nullable && this.source(nullable) === "False" && !notNullAlready) {
          this.emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (alter_column nullable=False)`, { ...place, object, table });
        }
        const fallback = args.keywords.get("server_default");
        if (fallback && this.source(fallback) === "None") {
          // A default is dropped where the trusted model, or existing_server_default=, says there was one.
          const stated = args.keywords.get("existing_server_default");
          const had = (model?.trusted && model.column(table, column)?.default !== undefined) || (stated !== undefined && this.source(stated) !== "None");
          if (had) this.emit.operation(rules.dropDefault, at, `Drops the default of ${object} (alter_column server_default=None), so inserts that leave it out store NULL or fail`, { ...place, object, table });
        }
        return false;
      }
      case "rename_table":
        this.emit.operation(rules.rename, at, `Renames the table ${str("old_table_name", 0)} (rename_table)`, { ...place, object: str("old_table_name", 0), table: str("old_table_name", 0) });
        return false;
      case "drop_index":
        this.emit.operation(rules.dropIndex, at, `Drops the index ${str("index_name", 0)} (drop_index)`, { ...place, object: str("index_name", 0) });
        return false;
      case "drop_constraint":
        this.emit.operation(rules.dropConstraint, at, `Drops the constraint ${str("constraint_name", 0)} (drop_constraint)`, {
          ...place,
          object: str("constraint_name", 0),
          ...(batch || args.keywords.has("table_name") || args.positional[1] ? { table: batch ? table : str("table_name", 1) } : {}),
        });
        return false;
      case "execute":
      case "exec_driver_sql":
        this.sqlArgument(kw("sqltext", 0), at, receiver ? `${receiver}.${name}` : name, context);
        return true;
    }

    if (context.dataCode && (name === "delete" || name === "update") && receiver !== undefined && receiver !== "op") {
      const verb = name === "delete" ? "Deletes rows" : "Updates rows";
      this.emit.operation(rules.opaqueCode, at, `${verb} through the ORM in Python code (${this.describe(node)})`, {
        ...place,
        object: receiver,
      });
    }
    return false;
  }

  /**
   * `alter_column(type_=…)` against the type the column had: the model's, where it is trusted and
   * knows the column, and the `existing_type=` the revision states; of the two, the judgement that
   * loses more values counts. Where neither is known the change stays a possible type change and says why.
   */
  private alterColumnType(object: string, table: string, column: string, typeNode: SyntaxNode, existingNode: SyntaxNode | undefined, at: number, place: { rollback: boolean }): void {
    const model = this.emit.model;
    const known = model?.trusted ? model.column(table, column)?.type : undefined;
    const stated = existingNode ? this.alembicType(existingNode) : "";
    const to = this.alembicType(typeNode);
    const befores = [known ?? "", stated].filter((t) => t !== "");
    if (to === "" || befores.length === 0) {
      const why = model && model.files > 0 && !this.emit.createdTables().has(table.toLowerCase()) ? `; its type before is not known (${model.whyColumnUnknown(table)})` : "";
      this.emit.operation(rules.columnTypeChange, at, `Changes the type of ${object} (alter_column type_=)${why}`, { ...place, object, table });
      return;
    }
    const change = befores.map((from) => describeTypeChange(from, to)).sort((a, b) => VERDICT_RANK[b.verdict] - VERDICT_RANK[a.verdict])[0]!;
    if (change.verdict === "same") return;
    const source = known !== undefined && known !== "" ? "" : " as existing_type= states it";
    this.emit.operation(rules.columnTypeChange, at, `Changes the type of ${object} ${change.text}${source} (alter_column type_=); ${change.effect}`, {
      ...place,
      object,
      table,
      ...(change.verdict === "widens" ? { severity: "medium" as const } : {}),
    });
  }

  /** An Alembic schema operation in forward code, applied to the model; what it cannot follow is a gap. */
  private followAlembic(name: string, args: Args, at: number, context: Context, batch: boolean): void {
    const gap = (what: string) => this.emit.toModel((m) => m.gap(`${this.path}:${at}: ${what}, which the model does not follow`, "all"));
    if (context.conditional) return gap(`op.${name} runs only under a condition`);
    if (!context.upgrade) return gap(`op.${name} outside upgrade()`);
    const kw = (key: string, index: number) => args.keywords.get(key) ?? args.positional[index];
    const table = batch ? context.batchTable : this.literal(kw("table_name", 0));
    const column = this.literal(batch ? kw("column_name", 0) : kw("column_name", 1));
    const replay = this.emit.schema?.replay === true;
    // An operation on a table no migration before it creates: the model cannot say what the table holds.
    const existing = () => {
      if (replay && table !== undefined && !this.emit.schema!.model.table(table)) this.emit.schema!.model.gap(`${this.path}:${at}: op.${name} on ${table}, which no migration before it creates`, "all");
    };
    switch (name) {
      case "create_table": {
        if (table === undefined) return gap("op.create_table of a table named at run time");
        const columns: ColumnState[] = [];
        const primary = new Set<string>();
        for (const item of args.positional.slice(1)) {
          const callee = item.name === "CallExpression" ? this.calleeName(item) : undefined;
          if (callee === "Column") {
            const declared = this.alembicColumn(item);
            if (!declared) return gap(`op.create_table(${table}) with a column named at run time`);
            columns.push({ ...declared, origin: "base" });
          } else if (callee === "PrimaryKeyConstraint") {
            for (const key of this.args(item).positional) if (this.literal(key) !== undefined) primary.add(this.literal(key)!.toLowerCase());
          } else if (callee === undefined) {
            return gap(`op.create_table(${table}) with columns built at run time`);
          }
        }
        this.emit.toModel((m) => m.createTable(table, columns.map((c) => (primary.has(c.name.toLowerCase()) ? { ...c, nullable: false } : c))));
        return;
      }
      case "drop_table":
        if (table === undefined) return gap("op.drop_table of a table named at run time");
        this.emit.toModel((m) => m.dropTable(table));
        return;
      case "rename_table": {
        const from = this.literal(kw("old_table_name", 0));
        const to = this.literal(kw("new_table_name", 1));
        if (from === undefined || to === undefined) return gap("op.rename_table of a table named at run time");
        this.emit.toModel((m) => m.renameTable(from, to));
        return;
      }
      case "add_column": {
        const node = args.keywords.get("column") ?? args.positional[batch ? 0 : 1];
        const declared = node?.name === "CallExpression" && this.calleeName(node) === "Column" ? this.alembicColumn(node) : undefined;
        if (table === undefined || !declared) return gap("op.add_column of a column the model cannot read");
        existing();
        this.emit.toModel((m) => m.addColumn(table, declared));
        return;
      }
      case "drop_column":
        if (table === undefined || column === undefined) return gap("op.drop_column of a column named at run time");
        existing();
        this.emit.toModel((m) => m.dropColumn(table, column));
        return;
      case "alter_column": {
        if (table === undefined || column === undefined) return gap("op.alter_column of a column named at run time");
        existing();
        const type = args.keywords.get("type_");
        const nullable = args.keywords.get("nullable");
        const fallback = args.keywords.get("server_default");
        const renamed = args.keywords.get("new_column_name");
        const to = renamed ? this.literal(renamed) : undefined;
        if (renamed && to === undefined) return gap("op.alter_column to a column name given at run time");
        const nullability = nullable ? this.source(nullable) : undefined;
        this.emit.toModel((m) => {
          m.alterColumn(table, column, {
            ...(type ? { type: this.alembicType(type) } : {}),
            ...(nullability === "True" || nullability === "False" ? { nullable: nullability === "True" } : {}),
            ...(fallback ? { default: this.source(fallback) === "None" ? null : this.describe(fallback) } : {}),
          });
          if (to !== undefined) m.renameColumn(table, column, to);
        });
        return;
      }
      case "create_primary_key": {
        // A primary key makes its columns NOT NULL.
        const list = kw("columns", batch ? 1 : 2);
        if (table === undefined || list?.name !== "ArrayExpression") return;
        for (const key of children(list)) {
          const keyColumn = this.literal(key);
          if (keyColumn !== undefined) this.emit.toModel((m) => m.alterColumn(table, keyColumn, { nullable: false }));
        }
        return;
      }
    }
    // Indexes, unique and foreign keys, dropped constraints: no column the model keeps changes.
  }

  /** `sa.Column("name", sa.String(80), nullable=False, server_default=…)`; undefined when its name is not a literal. */
  private alembicColumn(node: SyntaxNode): Omit<ColumnState, "origin"> | undefined {
    const args = this.args(node);
    const name = this.literal(args.keywords.get("name") ?? args.positional[0]);
    if (name === undefined) return undefined;
    const typeNode = args.keywords.get("type_") ?? args.positional[1];
    // sa.Column("owner_id", sa.ForeignKey("user.id")) takes its type from the key it points to.
    const typed = typeNode && !(typeNode.name === "CallExpression" && NOT_TYPES.has(this.calleeName(typeNode) ?? ""));
    const nullable = args.keywords.get("nullable");
    const primary = args.keywords.get("primary_key");
    const fallback = args.keywords.get("server_default");
    return {
      name,
      type: typed ? this.alembicType(typeNode) : "",
      nullable: nullable ? this.source(nullable) !== "False" : !(primary && this.source(primary) === "True"),
      ...(fallback && this.source(fallback) !== "None" ? { default: this.describe(fallback) } : {}),
    };
  }

  /** A SQLAlchemy type expression (`sa.String(length=80)`, `sa.Integer`, `postgresql.ARRAY(sa.Text())`) as the model's type; "" when unknown. */
  private alembicType(node: SyntaxNode): string {
    if (node.name === "VariableName" || node.name === "MemberExpression") {
      const name = this.source(node);
      return sqlalchemyType(name.slice(name.lastIndexOf(".") + 1), [], new Map());
    }
    if (node.name !== "CallExpression") return "";
    const className = this.calleeName(node);
    if (className === undefined) return "";
    const args = this.args(node);
    if (className === "ARRAY") {
      const item = args.keywords.get("item_type") ?? args.positional[0];
      const inner = item ? this.alembicType(item) : "";
      return inner === "" ? "" : `${inner}[]`;
    }
    const keywords = new Map([...args.keywords].map(([key, value]) => [key, this.compact(value)]));
    return sqlalchemyType(className, args.positional.map((p) => this.compact(p)), keywords);
  }

  /** The Django app this migration belongs to: the folder above `migrations/`. */
  private djangoApp(): string | undefined {
    const parts = this.path.split("/");
    return parts[parts.length - 2] === "migrations" ? parts[parts.length - 3] : undefined;
  }

  /**
   * Keeps Django's model state (the schema model's `django` part) and judges the operations that
   * depend on it. Returns true when the operation is fully judged here (nothing more to report).
   */
  private djangoState(name: string, args: Args, at: number, context: Context): boolean {
    const app = this.djangoApp();
    const schema = this.emit.schema!;
    const model = schema.model;
    if (app === undefined) return false;
    const kw = (key: string, index: number) => args.keywords.get(key) ?? args.positional[index];
    const modelName = this.literal(kw(MODEL_NAMED_BY_NAME.has(name) ? "name" : name === "RenameModel" ? "old_name" : "model_name", 0));
    if (modelName === undefined) {
      if (schema.replay) model.gap(`${this.path}:${at}: ${name} names its model with an expression`, "all");
      return false;
    }
    const state = model.djangoModel(app, modelName);
    const table = (m: { name: string; table?: string }) => m.table ?? `${app}_${m.name}`.toLowerCase();
    // Operations on a model without a table (managed = False, proxy) change nothing in the database.
    const tableless = state !== undefined && (!state.managed || state.proxy);
    switch (name) {
      case "CreateModel": {
        const options = this.dict(kw("options", 2));
        const fields = new Map<string, DjangoField>();
        const list = kw("fields", 1);
        for (const item of list ? children(list).filter((c) => c.name === "TupleExpression") : []) {
          const [fieldName, definition] = children(item).filter((c) => !isPunctuation(c));
          const key = this.literal(fieldName);
          if (key !== undefined && definition) fields.set(key.toLowerCase(), this.field(definition));
        }
        const created: DjangoModel & { table?: string } = {
          name: modelName,
          fields,
          managed: options.get("managed") !== "False",
          proxy: options.get("proxy") === "True",
          origin: model.origin,
        };
        const dbTable = options.get("db_table");
        if (dbTable !== undefined) created.table = dbTable.replace(/^['"]|['"]$/g, "");
        model.setDjangoModel(app, created, modelName);
        if (created.managed && !created.proxy) {
          const columns = [...fields].filter(([, f]) => f.className !== "ManyToManyField").map(([n, f]) => ({ name: columnName(n, f), type: "", nullable: f.kwargs.get("null") === "True", origin: model.origin }));
          model.createTable(table(created), columns);
        }
        return context.stateOnly === true || tableless;
      }
      case "DeleteModel":
        model.setDjangoModel(app, null, modelName);
        if (!tableless && state) model.dropTable(table(state));
        return tableless;
      case "RenameModel": {
        const to = this.literal(kw("new_name", 1));
        if (state && to !== undefined) {
          model.setDjangoModel(app, null, modelName);
          model.setDjangoModel(app, { ...state, name: to }, to);
          if (!tableless) model.renameTable(table(state), table({ ...state, name: to }));
        }
        return tableless;
      }
      case "AlterModelOptions": {
        const options = this.dict(kw("options", 1));
        if (state && options.has("managed")) state.managed = options.get("managed") !== "False";
        return true;
      }
      case "AlterModelTable":
        return tableless;
      case "AddField": {
        const field = kw("field", 2);
        const fieldName = this.literal(kw("name", 1));
        if (state && field && fieldName !== undefined) {
          const definition = this.field(field);
          state.fields.set(fieldName.toLowerCase(), definition);
          if (!tableless && definition.className !== "ManyToManyField") model.addColumn(table(state), { name: columnName(fieldName, definition), type: "", nullable: definition.kwargs.get("null") === "True" });
        }
        return tableless;
      }
      case "RemoveField": {
        const fieldName = this.literal(kw("name", 1));
        const before = fieldName === undefined ? undefined : state?.fields.get(fieldName.toLowerCase());
        if (state && fieldName !== undefined) {
          state.fields.delete(fieldName.toLowerCase());
          if (before && !tableless) model.dropColumn(table(state), columnName(fieldName, before));
        }
        return tableless;
      }
      case "RenameField": {
        const from = this.literal(kw("old_name", 1));
        const to = this.literal(kw("new_name", 2));
        const before = from === undefined ? undefined : state?.fields.get(from.toLowerCase());
        if (state && before && from !== undefined && to !== undefined) {
          state.fields.delete(from.toLowerCase());
          state.fields.set(to.toLowerCase(), before);
          if (!tableless) model.renameColumn(table(state), columnName(from, before), columnName(to, before));
        }
        return tableless;
      }
      case "AlterField": {
        const fieldName = this.literal(kw("name", 1));
        const field = kw("field", 2);
        if (fieldName === undefined || !field) return tableless;
        const after = this.field(field);
        const before = state?.fields.get(fieldName.toLowerCase());
        if (state) state.fields.set(fieldName.toLowerCase(), after);
        if (tableless || schema.replay || context.stateOnly) return true;
        if (!before || !model.djangoTrusted) return false;
        this.judgeAlterField(`${modelName}.${fieldName}`, before, after, at, table(state!));
        return true;
      }
      default:
        // Index and constraint operations: only whether the model has a table matters.
        return context.stateOnly === true || tableless;
    }
  }

  /** AlterField against the field's previous definition: only what changes in the database is reported. */
  private judgeAlterField(object: string, before: DjangoField, after: DjangoField, at: number, table: string): void {
    const place = { object, table };
    const typeBefore = columnKind(before);
    const typeAfter = columnKind(after);
    if (typeBefore !== typeAfter) {
      const sqlBefore = sqlType(before);
      const sqlAfter = sqlType(after);
      const change = sqlBefore && sqlAfter ? describeTypeChange(sqlBefore, sqlAfter) : undefined;
      if (change?.verdict === "same") {
        // The column keeps its type: a field class that only changes Django's validation (PositiveIntegerField →
        // IntegerField) loses nothing; a new collation rebuilds the column's indexes and changes how it sorts and compares.
        const collation = before.kwargs.get("db_collation") !== after.kwargs.get("db_collation");
        this.emit.operation(
          rules.columnTypeChange,
          at,
          collation
            ? `Alters the collation of the field ${object} (${before.text} → ${after.text}): the type stays ${sqlAfter}, but its indexes are rebuilt under an exclusive lock, and its values sort and compare by the new collation (AlterField)`
            : `Alters the field ${object} (${before.text} → ${after.text}); its column type stays ${sqlAfter} (AlterField)`,
          { ...place, severity: collation ? ("medium" as const) : ("low" as const) },
        );
      } else if (change) {
        this.emit.operation(
          rules.columnTypeChange,
          at,
          `Alters the field ${object} ${change.text} (${before.text} → ${after.text}); ${change.effect} (AlterField)`,
          { ...place, ...(change.verdict === "widens" ? { severity: "medium" as const } : {}) },
        );
      } else {
        this.emit.operation(rules.columnTypeChange, at, `Alters the field ${object} from ${before.text} to ${after.text}, which changes its column type (AlterField)`, place);
      }
    }
    if (before.kwargs.get("db_column") !== after.kwargs.get("db_column")) {
      this.emit.operation(rules.rename, at, `Alters the field ${object} to use the column ${after.kwargs.get("db_column") ?? "named after the field"} (AlterField db_column)`, place);
    }
    if (before.kwargs.get("null") === "True" && after.kwargs.get("null") !== "True" && after.className !== "ManyToManyField") {
      this.emit.operation(rules.notNull, at, `Makes the field ${object} NOT NULL (AlterField null=True → null=False), scanning the whole table`, place);
    }
    if (this.emit.dialect === "postgresql" && after.className !== "ManyToManyField") {
      for (const key of ["unique", "db_index"]) {
        if (before.kwargs.get(key) !== "True" && after.kwargs.get(key) === "True" && !(key === "db_index" && isForeignKey(before))) {
          this.emit.operation(rules.blockingIndex, at, `Alters the field ${object} to ${key}=True, building an index while writes are blocked (AlterField)`, place);
        }
      }
    }
  }

  /** A field declaration: its class and keyword arguments. */
  private field(node: SyntaxNode): DjangoField {
    const className = (this.calleeName(node) ?? this.source(node)).replace(/^.*\./, "");
    const kwargs = new Map<string, string>();
    if (node.name === "CallExpression") {
      const args = this.args(node);
      for (const [key, value] of args.keywords) kwargs.set(key, this.source(value).replace(/\s+/g, "").replace(/"/g, "'"));
      // ForeignKey's first positional argument is `to`.
      const first = args.positional[0];
      if (first && !kwargs.has("to")) kwargs.set("to", this.source(first).replace(/\s+/g, "").replace(/"/g, "'"));
    }
    return { className, kwargs, text: this.describe(node).replace(/^models\./, "") };
  }

  /** A literal dict's entries: key → value source. */
  private dict(node: SyntaxNode | undefined): Map<string, string> {
    const entries = new Map<string, string>();
    if (!node || node.name !== "DictionaryExpression") return entries;
    const items = children(node).filter((c) => !isPunctuation(c));
    for (let i = 0; i + 1 < items.length; i += 2) {
      const key = this.literal(items[i]);
      if (key !== undefined) entries.set(key, this.source(items[i + 1]!).trim());
    }
    return entries;
  }

  /** Lines of `.delete()` / `.update()` calls inside a top-level function. */
  private rowChanges(functionName: string): number[] {
    const fn = this.functions.get(functionName);
    if (!fn) return [];
    return descendants(fn, "CallExpression")
      .filter((c) => ["delete", "update"].includes(this.calleeName(c) ?? "") && this.receiver(c) !== undefined)
      .map((c) => this.line(c));
  }

  private sqlArgument(value: SyntaxNode | undefined, at: number, construct: string, context: Context): void {
    if (!value || /(^|\.)noop$/.test(this.source(value)) || this.source(value) === "None") return;
    const items = value.name === "ArrayExpression" || value.name === "TupleExpression" ? children(value).filter((c) => !isPunctuation(c)) : [value];
    for (const item of items) {
      // RunSQL accepts (sql, params) tuples inside a list.
      const sqlNode = item.name === "TupleExpression" ? children(item).find((c) => !isPunctuation(c)) : item;
      const sql = this.sqlText(sqlNode);
      if (!sql) {
        this.emit.operation(rules.opaqueCode, at, `Runs SQL built at run time (${construct}); its statements cannot be checked`, {
          rollback: context.rollback,
          object: construct,
        });
        continue;
      }
      if (sql.interpolated) {
        this.emit.operation(rules.opaqueCode, sql.line, `Builds SQL with interpolated values (${construct}); only its literal parts could be checked`, {
          rollback: context.rollback,
          object: construct,
        });
      }
      this.emit.sql(sql.text, sql.line, { rollback: context.rollback, embeddedIn: construct, ...(context.autocommit ? { transaction: "none" as const } : {}) });
    }
  }

  private sqlText(node: SyntaxNode | undefined | null, depth = 0): SqlText | null {
    if (!node || depth > 8) return null;
    switch (node.name) {
      case "String":
        return { text: keepOnOneLine(decodeString(this.source(node)), this.source(node)), line: this.line(node), interpolated: false };
      case "FormatString": {
        let raw = "";
        let cursor = node.from;
        for (const part of children(node).filter((c) => c.name === "FormatReplacement")) {
          raw += this.text.slice(cursor, part.from) + "__expr__";
          cursor = part.to;
        }
        raw += this.text.slice(cursor, node.to);
        return { text: decodeString(raw), line: this.line(node), interpolated: true };
      }
      case "ContinuedString": {
        const parts = children(node).map((c) => this.sqlText(c, depth + 1));
        if (parts.some((p) => p === null)) return null;
        return { text: parts.map((p) => p!.text).join(""), line: this.line(node), interpolated: parts.some((p) => p!.interpolated) };
      }
      case "ParenthesizedExpression":
        return this.sqlText(children(node).find((c) => !isPunctuation(c)), depth + 1);
      case "VariableName": {
        const value = this.constants.get(this.source(node));
        return value ? this.sqlText(value, depth + 1) : null;
      }
      case "BinaryExpression": {
        const [left, operator, right] = children(node);
        const op = operator ? this.source(operator) : "";
        const l = this.sqlText(left, depth + 1);
        if (op === "%") return l ? { ...l, text: l.text.replace(/%[sd]|%\(\w+\)s/g, "__expr__"), interpolated: true } : null;
        if (op !== "+") return null;
        const r = this.sqlText(right, depth + 1);
        if (!l && !r) return null;
        return { text: (l?.text ?? "__expr__") + (r?.text ?? "__expr__"), line: l?.line ?? this.line(node), interpolated: !l || !r || l.interpolated || r.interpolated };
      }
      case "CallExpression": {
        const name = this.calleeName(node);
        // sa.text("…"), sqlalchemy.text("…"), text("…")
        if (name === "text" || name === "literal_column") return this.sqlText(this.args(node).positional[0], depth + 1);
        // "…".format(…)
        if (name === "format") {
          const callee = node.firstChild;
          const base = callee?.name === "MemberExpression" ? this.sqlText(callee.firstChild, depth + 1) : null;
          return base ? { ...base, text: formatFieldsReplaced(base.text), interpolated: true } : null;
        }
        return null;
      }
    }
    return null;
  }

  private args(call: SyntaxNode): Args {
    const list = call.lastChild;
    const result: Args = { positional: [], keywords: new Map() };
    if (!list || list.name !== "ArgList") return result;
    const items = children(list).filter((c) => !isPunctuation(c) && !c.type.isError);
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      if (item.name === "VariableName" && items[i + 1]?.name === "AssignOp" && items[i + 2]) {
        result.keywords.set(this.source(item), items[i + 2]!);
        i += 2;
      } else if (item.name !== "*" && item.name !== "**") {
        result.positional.push(item);
      }
    }
    return result;
  }

  private calleeName(call: SyntaxNode): string | undefined {
    const callee = call.firstChild;
    if (!callee) return undefined;
    if (callee.name === "VariableName") return this.source(callee);
    if (callee.name === "MemberExpression") {
      const property = callee.lastChild;
      return property?.name === "PropertyName" ? this.source(property) : undefined;
    }
    return undefined;
  }

  /** The text before the last `.` of a member call: `op` in `op.drop_table(…)`. */
  private receiver(call: SyntaxNode): string | undefined {
    const callee = call.firstChild;
    if (callee?.name !== "MemberExpression" || !callee.firstChild) return undefined;
    return this.source(callee.firstChild);
  }

  private functionName(fn: SyntaxNode): string | undefined {
    const name = children(fn).find((c) => c.name === "VariableName");
    return name ? this.source(name) : undefined;
  }

  private literal(node: SyntaxNode | undefined): string | undefined {
    return node?.name === "String" ? decodeString(this.source(node)) : undefined;
  }

  private describe(node: SyntaxNode | undefined): string {
    return node ? this.source(node).replace(/\s+/g, " ").slice(0, 80) : "?";
  }

  /** The source of a node without its whitespace, as arguments are compared. */
  private compact(node: SyntaxNode): string {
    return this.source(node).split(/\s+/).join("");
  }

  private source(node: SyntaxNode): string {
    return this.text.slice(node.from, node.to);
  }

  private line(node: SyntaxNode): number {
    return this.lines.line(node.from);
  }
}

function children(node: SyntaxNode): SyntaxNode[] {
  const result: SyntaxNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) result.push(child);
  return result;
}

function descendants(node: SyntaxNode, name: string): SyntaxNode[] {
  const result: SyntaxNode[] = [];
  const cursor = node.cursor();
  const end = node.to;
  while (cursor.next() && cursor.from < end) {
    if (cursor.name === name) result.push(cursor.node);
  }
  return result;
}

function isPunctuation(node: SyntaxNode): boolean {
  return /^[()[\]{},:]$/.test(node.name);
}

const ESCAPES: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", "'": "'", '"': '"', "0": "\0", "\n": "" };

/** The value of a Python string literal (prefixes r/b/u/f, single or triple quotes). */
export function decodeString(literal: string): string {
  const match = /^([rRbBuUfF]*)('''|"""|'|")([\s\S]*)$/.exec(literal);
  if (!match) return literal;
  const [, prefix = "", quote = "", rest = ""] = match;
  const body = rest.endsWith(quote) ? rest.slice(0, rest.length - quote.length) : rest;
  if (/r/i.test(prefix)) return body;
  return body.replace(/\\([\s\S])/g, (all, c: string) => ESCAPES[c] ?? all);
}

/**
 * `str.format` fields replaced by a placeholder: each `{` up to the next `}` (what
 * `/\{[^}]*\}/g` does), in one pass: the pattern rescans to the end from every `{` that has no `}`.
 */
export function formatFieldsReplaced(text: string): string {
  let out = "";
  let at = 0;
  for (;;) {
    const open = text.indexOf("{", at);
    if (open < 0) break;
    const close = text.indexOf("}", open + 1);
    if (close < 0) break;
    out += `${text.slice(at, open)}__expr__`;
    at = close + 1;
  }
  return out + text.slice(at);
}

/** Django operations that read or change the model state kept in the schema model. */
const DJANGO_STATE_OPERATIONS = new Set([
  "CreateModel",
  "DeleteModel",
  "RenameModel",
  "AlterModelOptions",
  "AlterModelTable",
  "AddField",
  "RemoveField",
  "RenameField",
  "AlterField",
  "AddIndex",
  "RemoveIndex",
  "AddConstraint",
  "RemoveConstraint",
  "AlterUniqueTogether",
  "AlterIndexTogether",
  "RenameIndex",
]);

/** Django operations whose model is their `name` argument (the others name it `model_name`; RenameModel `old_name`). */
const MODEL_NAMED_BY_NAME = new Set(["CreateModel", "DeleteModel", "AlterModelOptions", "AlterModelTable", "AlterModelTableComment", "AlterModelManagers", "AlterUniqueTogether", "AlterIndexTogether", "AlterOrderWithRespectTo"]);

/** Alembic operations that change the schema: followed in the model (followAlembic), or a gap in it. */
const ALEMBIC_SCHEMA_OPERATIONS = new Set(["create_table", "drop_table", "rename_table", "add_column", "drop_column", "alter_column", "create_index", "drop_index", "create_unique_constraint", "create_foreign_key", "drop_constraint", "create_primary_key"]);

/** Statements whose body may or may not run: the schema the model follows must not depend on the database. */
const CONDITIONAL_STATEMENTS = new Set(["IfStatement", "ForStatement", "WhileStatement", "TryStatement"]);

/** Calls that may stand where a Column's type goes but are not types. */
const NOT_TYPES = new Set(["ForeignKey", "Sequence", "Identity", "Computed"]);

/** How many values a type change loses, for taking the worse of two judgements. */
const VERDICT_RANK: Record<TypeVerdict, number> = { same: 0, widens: 1, narrows: 2, converts: 2 };

/** The arguments that decide a field's column type (others: null, blank, validators, related_name, on_delete, help_text … do not). */
const TYPE_KWARGS = ["max_length", "max_digits", "decimal_places", "db_collation", "base_field", "size", "primary_key", "srid", "dim", "geography", "through", "db_table"];

function isForeignKey(field: DjangoField): boolean {
  return field.className === "ForeignKey" || field.className === "OneToOneField";
}

/** What a field stores, for comparing two definitions: its class (foreign keys alike) and the type arguments. */
function columnKind(field: DjangoField): string {
  const className = isForeignKey(field) ? "ForeignKey" : field.className;
  const parts = TYPE_KWARGS.map((key) => `${key}=${field.kwargs.get(key) ?? ""}`);
  // A foreign key's column takes the type of the key it points to.
  if (isForeignKey(field) || field.className === "ManyToManyField") parts.push(`to=${(field.kwargs.get("to") ?? "").toLowerCase()}`);
  return `${className}(${parts.join(",")})`;
}

const DEFAULT_LENGTHS: Record<string, number> = { EmailField: 254, SlugField: 50, URLField: 200 };
const SQL_TYPES: Record<string, string> = {
  TextField: "text",
  IntegerField: "integer",
  PositiveIntegerField: "integer",
  BigIntegerField: "bigint",
  PositiveBigIntegerField: "bigint",
  SmallIntegerField: "smallint",
  PositiveSmallIntegerField: "smallint",
  BooleanField: "boolean",
  NullBooleanField: "boolean",
  FloatField: "float8",
  DateField: "date",
  DateTimeField: "timestamp with time zone",
  UUIDField: "uuid",
  JSONField: "jsonb",
};

/** The column type a field gets on PostgreSQL, where the model knows it; undefined otherwise. */
function sqlType(field: DjangoField): string | undefined {
  const length = field.kwargs.get("max_length") ?? (DEFAULT_LENGTHS[field.className] !== undefined ? String(DEFAULT_LENGTHS[field.className]) : undefined);
  if (field.className === "CharField" || field.className in DEFAULT_LENGTHS) return length !== undefined && /^\d+$/.test(length) ? `varchar(${length})` : undefined;
  if (field.className === "DecimalField") {
    const p = field.kwargs.get("max_digits");
    const s = field.kwargs.get("decimal_places");
    return p && s && /^\d+$/.test(p) && /^\d+$/.test(s) ? `numeric(${p},${s})` : undefined;
  }
  return SQL_TYPES[field.className];
}

/** A field's column: `db_column`, or its name (`_id` added for foreign keys). */
function columnName(name: string, field: DjangoField): string {
  const column = field.kwargs.get("db_column");
  if (column !== undefined) return column.replace(/^'|'$/g, "");
  return isForeignKey(field) ? `${name}_id` : name;
}
