/**
 * A small scanner over HCL native syntax that finds where blocks and attributes are. The HCL
 * parser (hcl2-parser) gives values but no positions, so findings take their lines from here.
 * It knows exactly what it must to skip expressions: strings with `${…}` / `%{…}` templates,
 * heredocs, comments and brackets. It never evaluates anything. On input it cannot follow it keeps
 * what it found so far and says where and why it stopped, which is also the reason given in
 * `tf/unparsed` (the compiled parser reports no message).
 */

export interface ScannedAttribute {
  name: string;
  line: number;
  endLine: number;
}

export interface ScannedBlock {
  type: string;
  labels: string[];
  line: number;
  endLine: number;
  attributes: ScannedAttribute[];
  blocks: ScannedBlock[];
}

export interface ScanResult {
  blocks: ScannedBlock[];
  /** Where and why the scanner stopped, when the text is not HCL it can follow. */
  error?: { line: number; reason: string };
}

/** Deeper nesting than this is hostile input, not configuration. */
const MAX_DEPTH = 200;

class ScanError extends Error {
  constructor(
    readonly line: number,
    reason: string,
  ) {
    super(reason);
  }
}

export function scanHcl(text: string): ScanResult {
  const scanner = new Scanner(text);
  const blocks: ScannedBlock[] = [];
  try {
    scanner.body(blocks, [], false, 0);
    return { blocks };
  } catch (error) {
    if (error instanceof ScanError) return { blocks, error: { line: error.line, reason: error.message } };
    throw error;
  }
}

const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_\-.]/;

class Scanner {
  private pos = 0;
  private line = 1;

  constructor(private readonly text: string) {}

  /** A body: attributes and blocks until `}` (nested) or the end of the text (top level). */
  body(blocks: ScannedBlock[], attributes: ScannedAttribute[], nested: boolean, depth: number): void {
    if (depth > MAX_DEPTH) throw new ScanError(this.line, `blocks nested deeper than ${MAX_DEPTH}`);
    for (;;) {
      this.skipSpace(true);
      if (this.pos >= this.text.length) {
        if (nested) throw new ScanError(this.line, "a block is not closed before the end of the file");
        return;
      }
      const c = this.text[this.pos]!;
      if (c === "}") {
        if (!nested) throw new ScanError(this.line, "unexpected `}` outside any block");
        return;
      }
      if (!IDENT_START.test(c)) throw new ScanError(this.line, `unexpected ${describeChar(c)} where an attribute or block was expected`);
      const startLine = this.line;
      const name = this.identifier();
      this.skipSpace(false);
      const next = this.text[this.pos];
      if (next === "=" && this.text[this.pos + 1] !== "=") {
        this.pos++;
        this.expression(depth);
        attributes.push({ name, line: startLine, endLine: this.line });
        continue;
      }
      const labels: string[] = [];
      for (;;) {
        this.skipSpace(false);
        const ch = this.text[this.pos];
        if (ch === '"') labels.push(this.quotedLabel());
        else if (ch !== undefined && IDENT_START.test(ch)) labels.push(this.identifier());
        else break;
      }
      if (this.text[this.pos] !== "{") {
        throw new ScanError(this.line, `expected \`=\` or \`{\` after \`${name}\`${labels.length ? ` ${labels.map((l) => JSON.stringify(l)).join(" ")}` : ""}`);
      }
      this.pos++;
      const block: ScannedBlock = { type: name, labels, line: startLine, endLine: startLine, attributes: [], blocks: [] };
      blocks.push(block);
      this.body(block.blocks, block.attributes, true, depth + 1);
      block.endLine = this.line;
      this.pos++; // the closing brace
    }
  }

  private identifier(): string {
    const start = this.pos;
    while (this.pos < this.text.length && IDENT_PART.test(this.text[this.pos]!)) this.pos++;
    return this.text.slice(start, this.pos);
  }

  private quotedLabel(): string {
    const start = this.pos;
    this.string(0);
    const raw = this.text.slice(start, this.pos);
    try {
      return JSON.parse(raw) as string;
    } catch {
      return raw.slice(1, -1);
    }
  }

  /** Spaces, comments and (when `newlines`) line ends. */
  private skipSpace(newlines: boolean): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === "\n") {
        if (!newlines) return;
        this.line++;
        this.pos++;
      } else if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") {
        this.pos++;
      } else if (c === "#" || (c === "/" && text[this.pos + 1] === "/")) {
        while (this.pos < text.length && text[this.pos] !== "\n") this.pos++;
      } else if (c === "/" && text[this.pos + 1] === "*") {
        const end = text.indexOf("*/", this.pos + 2);
        if (end < 0) throw new ScanError(this.line, "a /* comment is not closed");
        this.countLines(this.pos, end + 2);
        this.pos = end + 2;
      } else return;
    }
  }

  /** An attribute's expression: up to the line end outside brackets, strings and heredocs. */
  private expression(depth: number): void {
    const closers: string[] = [];
    const text = this.text;
    for (;;) {
      if (this.pos >= text.length) {
        if (closers.length > 0) throw new ScanError(this.line, `\`${closers.at(-1)}\` missing before the end of the file`);
        return;
      }
      const c = text[this.pos]!;
      if (c === "\n") {
        if (closers.length === 0) return;
        this.line++;
        this.pos++;
      } else if (c === '"') {
        this.string(depth);
      } else if (c === "<" && text[this.pos + 1] === "<" && /[-A-Za-z_]/.test(text[this.pos + 2] ?? "")) {
        this.heredoc();
      } else if (c === "#" || (c === "/" && (text[this.pos + 1] === "/" || text[this.pos + 1] === "*"))) {
        const before = this.line;
        this.skipSpace(false);
        if (this.line !== before && closers.length === 0) return;
      } else if (c === "(" || c === "[" || c === "{") {
        closers.push(c === "(" ? ")" : c === "[" ? "]" : "}");
        if (depth + closers.length > MAX_DEPTH) throw new ScanError(this.line, `an expression nested deeper than ${MAX_DEPTH}`);
        this.pos++;
      } else if (c === ")" || c === "]" || c === "}") {
        if (closers.length === 0) {
          // The end of the enclosing block (`a = 1 }` on one line).
          if (c === "}") return;
          throw new ScanError(this.line, `unexpected \`${c}\``);
        }
        const want = closers.pop();
        if (want !== c) throw new ScanError(this.line, `\`${c}\` where \`${want}\` was expected`);
        this.pos++;
      } else {
        this.pos++;
      }
    }
  }

  /** A quoted template, including `${…}` and `%{…}` sequences with their own nested strings. */
  private string(depth: number): void {
    const text = this.text;
    const startLine = this.line;
    this.pos++;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === "\\") {
        this.pos += 2;
      } else if (c === '"') {
        this.pos++;
        return;
      } else if (c === "\n") {
        throw new ScanError(startLine, "a quoted string is not closed on its line");
      } else if ((c === "$" || c === "%") && text[this.pos + 1] === "{") {
        if (text[this.pos - 1] === c && text[this.pos - 2] !== c) {
          // `$${` and `%%{` are escapes, not templates.
          this.pos += 2;
          continue;
        }
        this.pos += 2;
        this.template(depth + 1);
      } else {
        this.pos++;
      }
    }
    throw new ScanError(startLine, "a quoted string is not closed");
  }

  /** The inside of `${ … }` up to its closing brace. */
  private template(depth: number): void {
    if (depth > MAX_DEPTH) throw new ScanError(this.line, `templates nested deeper than ${MAX_DEPTH}`);
    const text = this.text;
    let braces = 0;
    while (this.pos < text.length) {
      const c = text[this.pos]!;
      if (c === '"') this.string(depth);
      else if (c === "\n") {
        this.line++;
        this.pos++;
      } else if (c === "{") {
        braces++;
        this.pos++;
      } else if (c === "}") {
        this.pos++;
        if (braces === 0) return;
        braces--;
      } else this.pos++;
    }
    throw new ScanError(this.line, "a `${` template is not closed");
  }

  private heredoc(): void {
    const text = this.text;
    const match = /^<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n/.exec(text.slice(this.pos, this.pos + 200));
    if (!match) {
      this.pos += 2;
      return;
    }
    const marker = match[2]!;
    const startLine = this.line;
    this.pos += match[0].length;
    this.line++;
    while (this.pos < text.length) {
      const end = text.indexOf("\n", this.pos);
      const lineText = text.slice(this.pos, end < 0 ? text.length : end);
      if (lineText.trim() === marker) {
        this.pos += lineText.length;
        return;
      }
      if (end < 0) break;
      this.pos = end + 1;
      this.line++;
    }
    throw new ScanError(startLine, `the heredoc <<${marker} is not closed`);
  }

  private countLines(from: number, to: number): void {
    for (let i = from; i < to; i++) if (this.text.charCodeAt(i) === 10) this.line++;
  }
}

function describeChar(c: string): string {
  if (c === "\0") return "a NUL byte";
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f ? `the control character U+${code.toString(16).padStart(4, "0").toUpperCase()}` : `\`${c}\``;
}
