import { parser } from "@lezer/python";
import type { Emitter } from "./emit.js";
import { keepOnOneLine, LineIndex } from "./lines.js";
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
        this.walk(statement, { rollback, dataCode });
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
        this.emit.operation(rules.columnTypeChange, at, `Alters the field ${object}; its column type may change (AlterField)`, { ...place, object, ...modelTable("model_name", 0) });
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
        return true;
      }
    }

    // Alembic operations (`op.x`, `batch_op.x`) and raw SQL in either framework.
    const receiver = this.receiver(node);
    const batch = context.batchTable !== undefined && receiver !== "op";
    const table = batch ? context.batchTable! : str("table_name", 0);
    const column = batch ? str("column_name", 0) : str("column_name", 1);
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
        if (args.keywords.has("type_")) {
          this.emit.operation(rules.columnTypeChange, at, `Changes the type of ${object} (alter_column type_=)`, { ...place, object, table });
        }
        if (args.keywords.has("new_column_name")) {
          this.emit.operation(rules.rename, at, `Renames the column ${object} (alter_column new_column_name=)`, { ...place, object, table });
        }
        const nullable = args.keywords.get("nullable");
        if (nullable && this.source(nullable) === "False") {
          this.emit.operation(rules.notNull, at, `Makes the column ${object} NOT NULL (alter_column nullable=False)`, { ...place, object, table });
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
