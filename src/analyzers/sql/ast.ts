import type { A_Const, DefElem, Node, RangeVar, RoleSpec, TypeName } from "libpg-query";

/* Helpers over libpg-query's JSON AST: names, constants, tautologies. */

/** Visits every node (`{ Kind: {...} }`) below `tree`, iteratively so deep trees cannot overflow the stack. */
export function walk(tree: unknown, visit: (kind: string, value: unknown) => void): void {
  const stack: unknown[] = [tree];
  while (stack.length > 0) {
    const current = stack.pop();
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) stack.push(current[i]);
    } else if (current !== null && typeof current === "object") {
      for (const [key, value] of Object.entries(current)) {
        if (value !== null && typeof value === "object") {
          if (!Array.isArray(value) && /^[A-Z]/.test(key)) visit(key, value);
          stack.push(value);
        }
      }
    }
  }
}

/** Statement nodes inside a SQL-standard function body (nested lists of statements). */
export function walkStatements(body: Node, visit: (stmt: Node) => void): void {
  const stack: Node[] = [body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    const list = (node as { List?: { items?: Node[] } }).List;
    if (list) for (const item of [...(list.items ?? [])].reverse()) stack.push(item);
    else visit(node);
  }
}

export function defElems(options: unknown): DefElem[] {
  if (!Array.isArray(options)) return [];
  return options.map((o) => (o as { DefElem?: DefElem }).DefElem).filter((d): d is DefElem => d !== undefined);
}

export function stringValue(node: Node | undefined): string | undefined {
  return node && "String" in node ? node.String.sval : undefined;
}

export function nameList(items: Node[] | undefined): string {
  return (items ?? [])
    .map(stringValue)
    .filter((s): s is string => s !== undefined)
    .join(".");
}

export function lastName(items: Node[] | undefined): string | undefined {
  const names = (items ?? []).map(stringValue);
  return names[names.length - 1];
}

export function lastPart(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

export function parentPart(name: string): string {
  const at = name.lastIndexOf(".");
  return at === -1 ? "?" : name.slice(0, at);
}

export function rangeVarName(relation: RangeVar): string {
  return [relation.catalogname, relation.schemaname, relation.relname].filter((p) => p !== undefined && p !== "").join(".");
}

export function roleName(role: RoleSpec | undefined): string {
  if (!role) return "?";
  switch (role.roletype) {
    case "ROLESPEC_PUBLIC":
      return "PUBLIC";
    case "ROLESPEC_CURRENT_USER":
      return "CURRENT_USER";
    case "ROLESPEC_SESSION_USER":
      return "SESSION_USER";
    case "ROLESPEC_CURRENT_ROLE":
      return "CURRENT_ROLE";
    default:
      return role.rolename ?? "?";
  }
}

/** A readable name for a DROP/GRANT target: qualified name, type, function … */
export function objectName(node: Node): string {
  if ("String" in node) return node.String.sval ?? "?";
  if ("List" in node) return nameList(node.List.items);
  if ("RangeVar" in node) return rangeVarName(node.RangeVar);
  if ("TypeName" in node) return typeText(node.TypeName);
  if ("ObjectWithArgs" in node) return nameList(node.ObjectWithArgs.objname);
  if ("RoleSpec" in node) return roleName(node.RoleSpec);
  return "?";
}

const TYPE_NAMES: Record<string, string> = {
  int2: "smallint",
  int4: "integer",
  int8: "bigint",
  float4: "real",
  float8: "double precision",
  bool: "boolean",
  bpchar: "char",
  timestamptz: "timestamp with time zone",
  timetz: "time with time zone",
};

export function typeText(type: TypeName | undefined): string {
  if (!type) return "?";
  const names = (type.names ?? []).map(stringValue).filter((s): s is string => s !== undefined);
  const base = names[0] === "pg_catalog" && names.length === 2 ? (TYPE_NAMES[names[1]!] ?? names[1]!) : names.join(".");
  const mods = (type.typmods ?? []).map((m) => constantText(m) ?? "?");
  const bounds = type.arrayBounds?.length ? "[]" : "";
  return `${base}${mods.length > 0 ? `(${mods.join(",")})` : ""}${bounds}`;
}

type Constant = string | number | boolean | null;

export function constantOf(node: Node | undefined): Constant | undefined {
  if (!node) return undefined;
  if ("A_Const" in node) return aConst(node.A_Const);
  if ("String" in node) return node.String.sval ?? "";
  if ("Integer" in node) return node.Integer.ival ?? 0;
  if ("Float" in node) return Number(node.Float.fval);
  if ("Boolean" in node) return node.Boolean.boolval === true;
  if ("TypeCast" in node) {
    const value = constantOf(node.TypeCast.arg);
    const type = lastName(node.TypeCast.typeName?.names);
    if (type === "bool" && typeof value === "string") return ["t", "true", "y", "yes", "on", "1"].includes(value.toLowerCase());
    return value;
  }
  return undefined;
}

function aConst(value: A_Const): Constant {
  if (value.isnull) return null;
  if (value.ival !== undefined) return value.ival.ival ?? 0;
  if (value.fval !== undefined) return Number(value.fval.fval);
  if (value.boolval !== undefined) return value.boolval.boolval === true;
  if (value.sval !== undefined) return value.sval.sval ?? "";
  if (value.bsval !== undefined) return value.bsval.bsval ?? "";
  return null;
}

export function constantText(node: Node | undefined): string | undefined {
  const value = constantOf(node);
  return value === undefined || value === null ? undefined : String(value);
}

/** Whether a WHERE clause holds for every row: literal tautologies (`true`, `1`, `1 = 1`, `'a' = 'a'`, `x = x`). */
export function alwaysTrue(node: Node, depth: number): boolean {
  if (depth > 50) return false;
  const value = constantOf(node);
  if (value !== undefined) return value === true || (typeof value === "number" && value !== 0);
  if ("BoolExpr" in node) {
    const args = node.BoolExpr.args ?? [];
    if (node.BoolExpr.boolop === "OR_EXPR") return args.some((a) => alwaysTrue(a, depth + 1));
    if (node.BoolExpr.boolop === "AND_EXPR") return args.length > 0 && args.every((a) => alwaysTrue(a, depth + 1));
    if (node.BoolExpr.boolop === "NOT_EXPR") return args.length === 1 && alwaysFalse(args[0]!);
    return false;
  }
  if ("A_Expr" in node && node.A_Expr.kind === "AEXPR_OP") {
    const op = lastName(node.A_Expr.name);
    const left = node.A_Expr.lexpr;
    const right = node.A_Expr.rexpr;
    const a = constantOf(left);
    const b = constantOf(right);
    if (a !== undefined && b !== undefined && a !== null && b !== null) return compare(op, a, b);
    if (op === "=" && left && right && "ColumnRef" in left && "ColumnRef" in right) {
      return JSON.stringify(left.ColumnRef.fields) === JSON.stringify(right.ColumnRef.fields);
    }
    return false;
  }
  if ("NullTest" in node) {
    const arg = constantOf(node.NullTest.arg);
    return arg === null && node.NullTest.nulltesttype === "IS_NULL";
  }
  if ("BooleanTest" in node) {
    const arg = constantOf(node.BooleanTest.arg);
    return (arg === true && node.BooleanTest.booltesttype === "IS_TRUE") || (arg === false && node.BooleanTest.booltesttype === "IS_FALSE");
  }
  return false;
}

function alwaysFalse(node: Node): boolean {
  const value = constantOf(node);
  return value === false || value === 0;
}

function compare(op: string | undefined, a: Exclude<Constant, null>, b: Exclude<Constant, null>): boolean {
  const x = typeof a === "boolean" ? Number(a) : a;
  const y = typeof b === "boolean" ? Number(b) : b;
  switch (op) {
    case "=":
      return x === y || String(x) === String(y);
    case "<>":
    case "!=":
      return String(x) !== String(y);
    case "<":
      return x < y;
    case ">":
      return x > y;
    case "<=":
      return x <= y;
    case ">=":
      return x >= y;
    default:
      return false;
  }
}

// Text helpers --------------------------------------------------------------------------------------

export function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 160 ? `${flat.slice(0, 157)}…` : flat;
}

export function summary(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 80 ? `${flat.slice(0, 77)}…` : flat;
}
