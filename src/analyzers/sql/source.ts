/**
 * Positions in a piece of SQL. The PostgreSQL parser and scanner report BYTE offsets into the UTF-8
 * text, so everything here works on the encoded bytes; lines are 1-based and shifted by `startLine`
 * (where the text sits in its file).
 */
export class SqlSource {
  readonly bytes: Buffer;
  /** Byte offset at which each line starts. */
  private readonly lineStarts: number[];

  constructor(
    readonly text: string,
    readonly startLine = 1,
  ) {
    this.bytes = Buffer.from(text, "utf8");
    const starts = [0];
    const bytes = this.bytes;
    let at = bytes.indexOf(0x0a);
    while (at !== -1) {
      starts.push(at + 1);
      at = bytes.indexOf(0x0a, at + 1);
    }
    this.lineStarts = starts;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** The file line holding byte `offset`. */
  lineAt(offset: number): number {
    const starts = this.lineStarts;
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return this.startLine + low;
  }

  slice(from: number, to: number): string {
    return this.bytes.toString("utf8", from, to);
  }

  /** The first byte in [from, to) that is not whitespace or part of a comment (`#` too for MySQL); `to` when there is none. */
  skipTrivia(from: number, to: number, hashComments = false): number {
    const b = this.bytes;
    let i = from;
    while (i < to) {
      const c = b[i]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b) {
        i++;
      } else if ((c === 0x2d && b[i + 1] === 0x2d) || (c === 0x23 && hashComments)) {
        const nl = b.indexOf(0x0a, i);
        i = nl === -1 || nl >= to ? to : nl + 1;
      } else if (c === 0x2f && b[i + 1] === 0x2a) {
        i = skipBlockComment(b, i, to);
      } else {
        return i;
      }
    }
    return to;
  }

  /** One past the last byte in [from, to) that is not whitespace or a `;`. */
  trimEnd(from: number, to: number): number {
    const b = this.bytes;
    let i = to;
    while (i > from) {
      const c = b[i - 1]!;
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c || c === 0x0b || c === 0x3b) i--;
      else break;
    }
    return i;
  }
}

/** Skips a (nested) `/* … *\/` comment starting at `at`; returns the offset after it, or `to` if unterminated. */
export function skipBlockComment(b: Uint8Array, at: number, to: number): number {
  let depth = 0;
  let i = at;
  while (i < to) {
    if (b[i] === 0x2f && b[i + 1] === 0x2a) {
      depth++;
      i += 2;
    } else if (b[i] === 0x2a && b[i + 1] === 0x2f) {
      depth--;
      i += 2;
      if (depth === 0) return i;
    } else {
      i++;
    }
  }
  return to;
}

/** Comments that try to silence a linter. changegate never obeys them; it shows them to the reviewer. */
export interface AckMarker {
  offset: number;
  line: number;
  text: string;
  /** Applies to the whole text rather than the next statement. */
  fileLevel: boolean;
}

const MARKER = /(?:--|\/\*)[ \t]*((?:squawk-ignore-file|squawk-ignore|atlas:nolint|changegate-ack)\b[^\n*]*)/g;

export function findAckMarkers(source: SqlSource): AckMarker[] {
  const text = source.text;
  if (!/squawk-ignore|atlas:nolint|changegate-ack/.test(text)) return [];
  const markers: AckMarker[] = [];
  for (const match of text.matchAll(MARKER)) {
    const offset = Buffer.byteLength(text.slice(0, match.index));
    const marker = match[1]!.trim();
    markers.push({ offset, line: source.lineAt(offset), text: marker, fileLevel: marker.startsWith("squawk-ignore-file") });
  }
  return markers;
}
