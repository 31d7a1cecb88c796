import type { Emitter } from "./emit.js";
import { LineIndex } from "./lines.js";
import * as rules from "../../../rules/sql/index.js";

/**
 * goose Go migrations: `goose.AddMigration(up, down)` (and its Context/NoTx variants) names the
 * functions; the SQL literals they pass to `Exec`/`ExecContext` are analysed, the down
 * function's as rollback. There is no Go parser on npm that fits, so this is a small scanner
 * that knows Go's string, raw-string, rune and comment syntax and matches braces; anything it
 * cannot read as a literal becomes `sql/opaque-code`.
 */
export function readGoMigration(text: string, emit: Emitter): void {
  const masked = maskGo(text);
  const registration = /\bgoose\.Add(?:Named)?Migration\w*\(/.exec(masked);
  if (!registration) return;
  // goose runs a Go migration in a transaction, except those registered with …NoTx.
  // The match is `goose.Add…Migration<word>(`: NoTx anywhere in it is in the word before the `(`.
  emit.transaction = registration[0].includes("NoTx") ? "none" : "wrapped";
  const args = topLevelArguments(masked, registration.index + registration[0].length);
  // AddNamedMigration…("name", up, down): the last two arguments are the up and down functions.
  const [up, down] = args.slice(-2);
  const lines = new LineIndex(text);
  for (const [argument, rollback] of [
    [up, false],
    [down, true],
  ] as const) {
    if (!argument || argument.text === "nil") continue;
    // A function name, or a function literal written in place.
    const body = /^func\s*\(/.test(argument.text) ? braces(masked, argument.start) : functionBody(masked, argument.text);
    if (!body) continue;
    const exec = /\.(Exec|ExecContext|Query|QueryContext)\s*\(/g;
    exec.lastIndex = body.start;
    for (let m = exec.exec(masked); m && m.index < body.end; m = exec.exec(masked)) {
      const at = lines.line(m.index);
      let cursor = m.index + m[0].length;
      if (m[1]!.endsWith("Context")) {
        // Skip the context argument.
        const comma = masked.indexOf(",", cursor);
        if (comma < 0 || comma > body.end) continue;
        cursor = comma + 1;
      }
      while (/\s/.test(text[cursor] ?? "")) cursor++;
      const literal = readGoString(text, cursor);
      const next = literal ? text.slice(literal.end).trimStart()[0] : undefined;
      if (!literal || (next !== "," && next !== ")")) {
        emit.operation(rules.opaqueCode, at, `Runs SQL built at run time (${m[1]}); its statements cannot be checked`, { rollback, object: m[1]! });
        continue;
      }
      emit.sql(literal.value, lines.line(cursor), { rollback, embeddedIn: `goose ${m[1]}` });
    }
  }
}

/** The text with comments and string contents replaced by spaces (lines kept), so braces can be matched. */
function maskGo(text: string): string {
  let out = "";
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") {
        out += " ";
        i++;
      }
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      const stop = end < 0 ? text.length : end + 2;
      for (; i < stop; i++) out += text[i] === "\n" ? "\n" : " ";
    } else if (c === '"' || c === "`" || c === "'") {
      const literal = readGoString(text, i);
      const stop = literal ? literal.end : text.length;
      out += c;
      for (i++; i < stop - 1; i++) out += text[i] === "\n" ? "\n" : " ";
      if (i < stop) {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

function readGoString(text: string, start: number): { value: string; end: number } | null {
  const quote = text[start];
  if (quote === "`") {
    const end = text.indexOf("`", start + 1);
    return end < 0 ? null : { value: text.slice(start + 1, end), end: end + 1 };
  }
  if (quote !== '"' && quote !== "'") return null;
  let value = "";
  for (let i = start + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\\") {
      const n = text[++i];
      value += n === "n" ? "\n" : n === "t" ? "\t" : (n ?? "");
    } else if (c === quote) {
      return { value, end: i + 1 };
    } else if (c === "\n") {
      return null;
    } else {
      value += c;
    }
  }
  return null;
}

function functionBody(masked: string, name: string): { start: number; end: number } | null {
  if (!/^\w+$/.test(name)) return null;
  const declaration = new RegExp(`\\bfunc\\s+${name}\\s*\\(`).exec(masked);
  return declaration ? braces(masked, declaration.index) : null;
}

/** The first `{ … }` block at or after `from`, by brace matching on masked text. */
function braces(masked: string, from: number): { start: number; end: number } | null {
  const open = masked.indexOf("{", from);
  if (open < 0) return null;
  let depth = 0;
  for (let i = open; i < masked.length; i++) {
    if (masked[i] === "{") depth++;
    else if (masked[i] === "}" && --depth === 0) return { start: open, end: i };
  }
  return { start: open, end: masked.length };
}

/** The arguments of a call whose `(` ends just before `from`, split at top-level commas. */
function topLevelArguments(masked: string, from: number): { text: string; start: number }[] {
  const args: { text: string; start: number }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < masked.length; i++) {
    const c = masked[i];
    if (c === "(" || c === "{" || c === "[") depth++;
    else if ((c === ")" || c === "}" || c === "]") && depth > 0) depth--;
    else if ((c === "," || c === ")") && depth === 0) {
      const raw = masked.slice(start, i);
      const offset = raw.length - raw.trimStart().length;
      args.push({ text: raw.trim(), start: start + offset });
      if (c === ")") break;
      start = i + 1;
    }
  }
  return args;
}
