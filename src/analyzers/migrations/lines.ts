/** Maps offsets in a text to 1-based line numbers. */
export class LineIndex {
  private readonly starts: number[] = [0];

  /** `text` is either a string (offsets are UTF-16 indexes) or UTF-8 bytes (offsets are byte indexes). */
  constructor(text: string | Uint8Array) {
    for (let i = 0; i < text.length; i++) {
      const c = typeof text === "string" ? text.charCodeAt(i) : text[i];
      if (c === 10) this.starts.push(i + 1);
    }
  }

  line(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return low + 1;
  }
}

/** Lines of a text without their terminators (`\r\n` or `\n`). */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}

/**
 * SQL text decoded from a one-line string literal: escaped newlines (`"a;\\nb"`) would make the SQL
 * analyzer count lines that are not in the file, so they become spaces and every statement stays
 * on the literal's line. Literals that span lines in the source keep their text.
 */
export function keepOnOneLine(value: string, source: string): string {
  return /\n/.test(source) ? value : value.replace(/\r?\n/g, " ");
}
