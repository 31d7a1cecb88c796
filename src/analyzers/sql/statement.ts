import { createHash } from "node:crypto";

/**
 * The normalised text of a statement, for `Finding.statement`: what a sign-off is bound to. Comments
 * go, whitespace is folded to one canonical spacing, string literals and quoted identifiers stay
 * byte for byte, so reformatting a statement keeps its text and changing any operand changes it.
 * One linear scan, no regular expressions: the input is pull-request text.
 */
export interface NormaliseOptions {
  /** `#` starts a line comment (MySQL family, Ruby, Python). */
  hashComments?: boolean;
  /** `//` starts a line comment (JavaScript, TypeScript). */
  slashComments?: boolean;
  /** `--` starts a line comment (SQL). */
  dashComments?: boolean;
  /** Backslash escapes inside every quoted string (MySQL family, program code). */
  backslashEscapes?: boolean;
  /** PostgreSQL dollar quotes (`$$ … $$`, `$tag$ … $tag$`). */
  dollarQuotes?: boolean;
  /** SQL Server `[bracketed]` identifiers. */
  brackets?: boolean;
  /** Backquoted identifiers or template strings. */
  backquotes?: boolean;
  /** Lower-case unquoted words: SQL keywords and unquoted identifiers are case-insensitive. */
  foldCase?: boolean;
  /** Ruby symbols (`:users`) are one word. */
  symbols?: boolean;
  /** `:` binds tight on both sides (SQL's `::` casts); otherwise it is followed by a space (`key: value`). */
  tightColons?: boolean;
}

/** Longer texts keep their head and a digest of the whole, so the binding stays exact and findings stay small. */
const MAX_STATEMENT_CHARS = 4096;
const KEPT_HEAD_CHARS = 2048;

export const SQL_NORMALISATION: NormaliseOptions = { dashComments: true, dollarQuotes: true, foldCase: true, tightColons: true };

export function sqlNormalisation(dialect: string): NormaliseOptions {
  const mysqlLike = dialect === "mysql" || dialect === "mariadb" || dialect === "bigquery" || dialect === "sqlite";
  if (dialect === "postgresql") return SQL_NORMALISATION;
  return { dashComments: true, foldCase: true, tightColons: true, hashComments: mysqlLike, backslashEscapes: mysqlLike, backquotes: mysqlLike, brackets: dialect === "sqlserver" };
}

export function codeNormalisation(language: "javascript" | "python" | "ruby"): NormaliseOptions {
  return language === "javascript"
    ? { slashComments: true, backslashEscapes: true, backquotes: true }
    : { hashComments: true, backslashEscapes: true, symbols: language === "ruby" };
}

/** No space after these. */
const OPENERS = new Set(["(", "[", "."]);
/** No space before these. */
const CLOSERS = new Set([")", "]", ",", ";", ".", ":", "("]);

export function normaliseStatement(text: string, options: NormaliseOptions = SQL_NORMALISATION): string {
  const out: string[] = [];
  let previous = "";
  const emit = (token: string, punct: boolean) => {
    const tight = OPENERS.has(previous) || (previous === ":" && options.tightColons === true);
    if (out.length > 0 && !(punct && CLOSERS.has(token)) && !tight) out.push(" ");
    out.push(token);
    previous = punct ? token : "";
  };
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) {
      i++;
    } else if (
      (c === 0x2d && options.dashComments && text.charCodeAt(i + 1) === 0x2d) ||
      (c === 0x23 && options.hashComments) ||
      (c === 0x2f && options.slashComments && text.charCodeAt(i + 1) === 0x2f)
    ) {
      const nl = text.indexOf("\n", i);
      i = nl === -1 ? n : nl + 1;
    } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      i = skipBlockComment(text, i);
    } else if (c === 0x27 || c === 0x22 || (c === 0x60 && options.backquotes)) {
      const escapes = options.backslashEscapes === true || (c === 0x27 && isEscapeStringPrefix(text, i));
      const end = quotedEnd(text, i, c, escapes);
      emit(text.slice(i, end), false);
      i = end;
    } else if (c === 0x5b && options.brackets) {
      const close = text.indexOf("]", i + 1);
      const end = close === -1 ? n : close + 1;
      emit(text.slice(i, end), false);
      i = end;
    } else if (c === 0x24 && options.dollarQuotes && dollarTagEnd(text, i) !== -1) {
      const tagEnd = dollarTagEnd(text, i);
      const tag = text.slice(i, tagEnd);
      const close = text.indexOf(tag, tagEnd);
      const end = close === -1 ? n : close + tag.length;
      emit(text.slice(i, end), false);
      i = end;
    } else if (isWordChar(c) || (c === 0x3a && options.symbols && isWordChar(text.charCodeAt(i + 1)) && !isWordChar(text.charCodeAt(i - 1)) && text.charCodeAt(i - 1) !== 0x3a)) {
      let j = i + 1;
      while (j < n && (isWordChar(text.charCodeAt(j)) || text.charCodeAt(j) === 0x24)) j++;
      const word = text.slice(i, j);
      emit(options.foldCase ? word.toLowerCase() : word, false);
      i = j;
    } else {
      // Surrogate pairs stay together so the output is valid text.
      const width = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? 2 : 1;
      emit(text.slice(i, i + width), true);
      i += width;
    }
  }
  while (out.length > 0 && (out[out.length - 1] === ";" || out[out.length - 1] === " ")) out.pop();
  const result = out.join("");
  if (result.length <= MAX_STATEMENT_CHARS) return result;
  const digest = createHash("sha256").update(result).digest("hex");
  return `${result.slice(0, KEPT_HEAD_CHARS)} … (${result.length} characters, sha256 ${digest})`;
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

/** `E'…'` / `e'…'` (PostgreSQL escape strings): the E is its own word just before the quote. */
function isEscapeStringPrefix(text: string, at: number): boolean {
  const before = text.charCodeAt(at - 1);
  if (before !== 0x45 && before !== 0x65) return false;
  return at < 2 || !isWordChar(text.charCodeAt(at - 2));
}

function quotedEnd(text: string, at: number, quote: number, escapes: boolean): number {
  const n = text.length;
  let i = at + 1;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (escapes && c === 0x5c) {
      i += 2;
    } else if (c === quote) {
      if (text.charCodeAt(i + 1) === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return n;
}

function skipBlockComment(text: string, at: number): number {
  let depth = 0;
  let i = at;
  const n = text.length;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
      depth++;
      i += 2;
    } else if (c === 0x2a && text.charCodeAt(i + 1) === 0x2f) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return n;
}

/** The offset after `$tag$` starting at `at`, or -1 when `$` does not open a dollar quote (a `$1` parameter). */
function dollarTagEnd(text: string, at: number): number {
  if (at > 0 && isWordChar(text.charCodeAt(at - 1))) return -1;
  let j = at + 1;
  const first = text.charCodeAt(j);
  if (first >= 0x30 && first <= 0x39) return -1;
  while (j < text.length && isWordChar(text.charCodeAt(j)) && j - at < 64) j++;
  return text.charCodeAt(j) === 0x24 ? j + 1 : -1;
}
