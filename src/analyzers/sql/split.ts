import { scanSync } from "libpg-query";
import { skipBlockComment, type SqlSource } from "./source.js";

/** A statement's byte range in its source, without the terminating `;`. */
export interface ByteRange {
  start: number;
  end: number;
}

export interface SplitOptions {
  /** MySQL-family `#` line comments and backquoted identifiers. */
  mysql?: boolean;
  /** SQL Server `[bracketed]` identifiers. */
  brackets?: boolean;
  /** A line holding only `GO` (optionally with a count) ends a T-SQL batch, and so the statement before it. */
  batches?: boolean;
  /** MySQL client `DELIMITER x` lines: until the next one, `x` ends statements instead of `;`. */
  delimiterCommand?: boolean;
}

/**
 * Splits PostgreSQL text at top-level `;` using the real scanner (it knows dollar quotes, nested
 * comments and escape strings). Returns null when the scanner itself fails (an unterminated string),
 * so the caller can fall back to `splitByHand`.
 */
export function splitWithScanner(source: SqlSource, from = 0, to = source.length): ByteRange[] | null {
  let tokens;
  try {
    tokens = scanSync(source.slice(from, to)).tokens;
  } catch {
    return null;
  }
  const ranges: ByteRange[] = [];
  let start = 0;
  let atomicDepth = 0;
  let previous = "";
  for (const token of tokens) {
    const word = token.text.toUpperCase();
    // A SQL-standard function body (BEGIN ATOMIC … END) holds `;` that do not end the statement.
    if (word === "ATOMIC" && previous === "BEGIN") atomicDepth++;
    else if (atomicDepth > 0 && word === "CASE") atomicDepth++;
    else if (atomicDepth > 0 && word === "END") atomicDepth--;
    else if (word === ";" && atomicDepth === 0) {
      ranges.push({ start: from + start, end: from + token.start });
      start = token.end;
    }
    if (token.tokenName !== "SQL_COMMENT" && token.tokenName !== "C_COMMENT") previous = word;
  }
  if (start < to - from) ranges.push({ start: from + start, end: to });
  return ranges;
}

/**
 * A careful splitter for when no scanner can help: it tracks quotes, dollar quotes and comments byte
 * by byte (UTF-8 continuation bytes never look like ASCII, so this is safe for any text). An
 * unterminated quote runs to the end of the text, which keeps a DROP inside it visible to the
 * tokenizer fallback as one unparsed statement rather than silently lost.
 */
export function splitByHand(source: SqlSource, options: SplitOptions = {}, from = 0, to = source.length): ByteRange[] {
  const b = source.bytes;
  const ranges: ByteRange[] = [];
  let start = from;
  let i = from;
  let delimiter: Buffer | null = null;
  while (i < to) {
    const c = b[i]!;
    // Client commands own their whole line: the statement before ends there, and the line is no statement.
    // Only a G or D after whitespace is looked at, so the look back stays linear over the text.
    const candidate = (c | 0x20) === 0x67 || (c | 0x20) === 0x64;
    const command =
      candidate && (options.batches || options.delimiterCommand) && (i === from || isBlank(b[i - 1]!)) && atLineStart(b, i, from)
        ? clientCommand(b, i, to, options)
        : null;
    if (command) {
      ranges.push({ start, end: i });
      if (command.delimiter !== undefined) delimiter = command.delimiter === ";" ? null : Buffer.from(command.delimiter, "utf8");
      start = command.end;
      i = command.end;
    } else if (delimiter !== null && c === delimiter[0] && b.subarray(i, i + delimiter.length).equals(delimiter)) {
      ranges.push({ start, end: i });
      start = i + delimiter.length;
      i = start;
    } else if (c === 0x3b && delimiter === null) {
      ranges.push({ start, end: i });
      start = i + 1;
      i++;
    } else if (c === 0x27 || c === 0x22 || (c === 0x60 && options.mysql)) {
      i = skipQuoted(b, i, to, c, options.mysql === true || isEscapeString(b, i));
    } else if (c === 0x5b && options.brackets) {
      const close = b.indexOf(0x5d, i + 1);
      i = close === -1 || close >= to ? to : close + 1;
    } else if ((c === 0x2d && b[i + 1] === 0x2d) || (c === 0x23 && options.mysql)) {
      const nl = b.indexOf(0x0a, i);
      i = nl === -1 || nl >= to ? to : nl + 1;
    } else if (c === 0x2f && b[i + 1] === 0x2a) {
      i = skipBlockComment(b, i, to);
    } else if (c === 0x24 && !options.mysql) {
      i = skipDollarQuote(b, i, to);
    } else {
      i++;
    }
  }
  if (start < to) ranges.push({ start, end: to });
  return ranges;
}

function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;
}

/** Whether only spaces or tabs stand between the last line break (or the start) and `at`. */
function atLineStart(b: Uint8Array, at: number, from: number): boolean {
  for (let j = at - 1; j >= from; j--) {
    const c = b[j]!;
    if (c === 0x0a) return true;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
}

/** `GO [count]` or `DELIMITER x` filling the line at `at`: where the line ends, and the new delimiter. */
function clientCommand(b: Buffer, at: number, to: number, options: SplitOptions): { end: number; delimiter?: string } | null {
  const nl = b.indexOf(0x0a, at);
  const lineEnd = nl === -1 || nl >= to ? to : nl;
  const end = nl === -1 || nl >= to ? to : nl + 1;
  if (lineEnd - at > 200) return null;
  const line = b.toString("latin1", at, lineEnd).trim();
  if (options.batches && /^go(?:[ \t]+\d+)?$/i.test(line)) return { end };
  if (options.delimiterCommand) {
    const match = /^delimiter[ \t]+(\S+)$/i.exec(line);
    if (match) return { end, delimiter: match[1]! };
  }
  return null;
}

function isEscapeString(b: Uint8Array, at: number): boolean {
  const before = b[at - 1];
  const beforeThat = b[at - 2];
  return (before === 0x45 || before === 0x65) && (beforeThat === undefined || !isIdentByte(beforeThat));
}

function skipQuoted(b: Uint8Array, at: number, to: number, quote: number, backslashEscapes: boolean): number {
  let i = at + 1;
  while (i < to) {
    const c = b[i]!;
    if (backslashEscapes && c === 0x5c) {
      i += 2;
    } else if (c === quote) {
      if (b[i + 1] === quote) i += 2;
      else return i + 1;
    } else {
      i++;
    }
  }
  return to;
}

function isIdentByte(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
}

/** `$$ … $$` or `$tag$ … $tag$`; a `$1` parameter or an identifier's `$` is just skipped. */
function skipDollarQuote(b: Buffer, at: number, to: number): number {
  if (at > 0 && isIdentByte(b[at - 1]!)) return at + 1;
  let j = at + 1;
  while (j < to && isIdentByte(b[j]!) && !(b[j]! >= 0x30 && b[j]! <= 0x39 && j === at + 1)) j++;
  if (b[j] !== 0x24) return at + 1;
  const tag = b.subarray(at, j + 1);
  const close = b.indexOf(tag, j + 1);
  return close === -1 || close >= to ? to : close + tag.length;
}
