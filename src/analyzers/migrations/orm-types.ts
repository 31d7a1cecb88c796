/**
 * The column types the ORM schema DSLs (Rails, Knex, SQLAlchemy) declare, as the SQL types the
 * schema model compares (schema.ts `normaliseType`). Each reader maps its own spelling here, so a
 * column created by one and changed by another (or by plain SQL) is compared in one vocabulary. A
 * type not listed keeps its own name: two equal unknown names compare as the same type, two
 * different ones as a conversion (a finding), never as a widening.
 */
import { normaliseType } from "../sql/schema.js";
import type { SqlDialect } from "../types.js";

export interface TypeOptions {
  limit?: number;
  precision?: number;
  scale?: number;
  array?: boolean;
  timezone?: boolean;
}

const MYSQL_LIKE: ReadonlySet<SqlDialect> = new Set<SqlDialect>(["mysql", "mariadb"]);

/** A Rails migration type (`:string`, `:integer, limit: 8`) as the adapter creates it. */
export function railsType(type: string, options: TypeOptions, dialect: SqlDialect): string {
  const mysql = MYSQL_LIKE.has(dialect);
  let sql: string;
  switch (type) {
    case "string":
      // PostgreSQL columns have no limit unless one is given; MySQL's default is 255.
      sql = options.limit !== undefined ? `varchar(${options.limit})` : mysql ? "varchar(255)" : "varchar";
      break;
    case "text":
      sql = "text";
      break;
    case "integer":
      sql = options.limit === undefined ? "integer" : options.limit <= 2 ? "smallint" : options.limit <= 4 ? "integer" : "bigint";
      break;
    case "bigint":
    case "primary_key":
      sql = "bigint";
      break;
    case "float":
      sql = mysql ? "float" : "float8";
      break;
    case "decimal":
    case "numeric":
      sql = options.precision !== undefined ? `numeric(${options.precision},${options.scale ?? 0})` : "numeric";
      break;
    case "datetime":
    case "timestamp":
      sql = mysql ? "datetime" : "timestamp";
      break;
    case "timestamptz":
      sql = "timestamp with time zone";
      break;
    case "binary":
    case "blob":
      sql = mysql ? "blob" : "bytea";
      break;
    default:
      sql = type;
  }
  return normaliseType(options.array ? `${sql}[]` : sql);
}

/** A Knex column builder (`table.string("name", 80)`) as the type it creates; its arguments are the builder's positional ones. */
export function knexType(method: string, args: readonly (string | number | undefined)[], dialect: SqlDialect): string | undefined {
  const mysql = MYSQL_LIKE.has(dialect);
  const n = (i: number, fallback: number) => (typeof args[i] === "number" ? (args[i] as number) : fallback);
  switch (method) {
    case "increments":
      return "integer";
    case "bigIncrements":
    case "bigInteger":
    case "bigint":
      return "bigint";
    case "integer":
      return "integer";
    case "smallint":
      return "smallint";
    case "tinyint":
      return mysql ? "tinyint" : "smallint";
    case "mediumint":
      return mysql ? "mediumint" : "integer";
    case "string":
      return `varchar(${n(1, 255)})`;
    case "text":
      // MySQL takes the size as the second argument: text("body", "longtext").
      return mysql && (args[1] === "mediumtext" || args[1] === "longtext") ? args[1] : "text";
    case "float":
      // PostgreSQL's Knex columns are real and double precision whatever the precision given.
      return mysql ? `float(${n(1, 8)},${n(2, 2)})` : dialect === "postgresql" ? "real" : "float";
    case "double":
      return mysql ? `double(${n(1, 8)},${n(2, 2)})` : dialect === "postgresql" ? "float8" : "double";
    case "decimal":
      return normaliseType(`numeric(${n(1, 8)},${n(2, 2)})`);
    case "boolean":
      return "boolean";
    case "date":
      return "date";
    case "datetime":
    case "timestamp":
      return mysql ? method : "timestamp with time zone";
    case "time":
      return "time";
    case "binary":
      return mysql ? "blob" : "bytea";
    case "json":
    case "jsonb":
    case "uuid":
      return method;
    case "specificType":
      return typeof args[1] === "string" ? normaliseType(args[1]) : undefined;
    default:
      return undefined;
  }
}

/** Knex column builders that declare a column (the ones `knexType` knows, and `enu`/`enum`). */
export const KNEX_COLUMN_BUILDERS: ReadonlySet<string> = new Set([
  "increments",
  "bigIncrements",
  "bigInteger",
  "bigint",
  "integer",
  "smallint",
  "tinyint",
  "mediumint",
  "string",
  "text",
  "float",
  "double",
  "decimal",
  "boolean",
  "date",
  "datetime",
  "timestamp",
  "time",
  "binary",
  "json",
  "jsonb",
  "uuid",
  "specificType",
  "enu",
  "enum",
]);

const SQLALCHEMY_TYPES: Record<string, string> = {
  Integer: "integer",
  INTEGER: "integer",
  BigInteger: "bigint",
  BIGINT: "bigint",
  SmallInteger: "smallint",
  SMALLINT: "smallint",
  Text: "text",
  TEXT: "text",
  UnicodeText: "text",
  Boolean: "boolean",
  BOOLEAN: "boolean",
  Date: "date",
  DATE: "date",
  Time: "time",
  Float: "float8",
  FLOAT: "float8",
  LargeBinary: "bytea",
  BYTEA: "bytea",
  JSON: "json",
  JSONB: "jsonb",
  UUID: "uuid",
  Uuid: "uuid",
  INET: "inet",
  TSVECTOR: "tsvector",
  TSVectorType: "tsvector",
  Interval: "interval",
  INTERVAL: "interval",
};

/**
 * A SQLAlchemy type (`sa.String(length=80)`, `postgresql.JSONB()`) as the PostgreSQL type it creates.
 * `className` is the class without its module; `args` its first positional and its keyword arguments.
 */
export function sqlalchemyType(className: string, positional: readonly string[], keywords: ReadonlyMap<string, string>): string {
  const number = (key: string, index: number) => {
    const value = keywords.get(key) ?? positional[index];
    return value !== undefined && /^\d+$/.test(value) ? value : undefined;
  };
  switch (className) {
    case "String":
    case "VARCHAR":
    case "Unicode":
    case "NVARCHAR": {
      const length = number("length", 0);
      return length !== undefined ? `varchar(${length})` : "varchar";
    }
    case "CHAR": {
      const length = number("length", 0);
      return length !== undefined ? `char(${length})` : "char(1)";
    }
    case "Numeric":
    case "NUMERIC":
    case "DECIMAL": {
      const precision = number("precision", 0);
      return precision !== undefined ? `numeric(${precision},${number("scale", 1) ?? 0})` : "numeric";
    }
    case "DateTime":
    case "TIMESTAMP":
      return (keywords.get("timezone") ?? positional[0]) === "True" ? "timestamp with time zone" : "timestamp";
    default: {
      const known = SQLALCHEMY_TYPES[className];
      if (known !== undefined) return normaliseType(known);
      // A type this table does not know (Enum, a custom type) is its class with its arguments: the same
      // declaration compares as the same type, any other as a conversion.
      const given = [...positional, ...[...keywords].map(([key, value]) => `${key}=${value}`)];
      return normaliseType(given.length > 0 ? `${className}(${given.join(",")})` : className);
    }
  }
}
