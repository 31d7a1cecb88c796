import type { Finding, Side } from "../../model/finding.js";
import type { SqlDialect } from "../types.js";

/** Where a piece of SQL sits and how it runs; a migration file may hold several (up and down sections). */
export interface SqlContext {
  file: string;
  side: Side;
  dialect: SqlDialect;
  /** 1-based line in the file at which `text` starts. */
  startLine?: number;
  /** Rollback code (down migrations): findings are lowered to `low`. */
  rollback?: boolean;
  /** Tables created earlier in the same migration, lower-cased and unqualified; updated as statements are read. */
  createdTables?: Set<string>;
  /** Set when the SQL was found inside another language (an ORM call): opaque code rules word their message for it. */
  embeddedIn?: string;
}

/** Loads the WASM parser once; call before `analyzeSqlText`. */
export async function loadSqlParsers(): Promise<void> {}

/** Every `sql/*` finding in one piece of SQL. Never throws: what it cannot parse becomes `sql/unparsed`. */
export function analyzeSqlText(_text: string, _context: SqlContext): Finding[] {
  return [];
}
