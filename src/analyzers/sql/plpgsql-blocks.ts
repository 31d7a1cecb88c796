/**
 * The block structure of a PL/pgSQL body (a DO block's code), read from its tokens: which
 * statements always run and which run only under IF, CASE, a loop or an exception handler. Only
 * the structure: what each statement does is for its reader (replay.ts). A body it cannot read
 * whole is refused (`UnreadableBody`), never read in part.
 *
 * A statement inside a block that has an EXCEPTION clause counts as conditional too: when any
 * statement of the block fails, PostgreSQL rolls the whole block back before the handler runs.
 */
import type { Token } from "./tokens.js";

export type BodyNode =
  | { kind: "statement"; tokens: Token[] }
  /** BEGIN … [EXCEPTION WHEN … THEN …] END. */
  | { kind: "block"; body: BodyNode[]; handlers: BodyNode[] }
  /** The branches of an IF or a CASE, or a loop's body: each may run or not. */
  | { kind: "conditional"; body: BodyNode[] };

export class UnreadableBody extends Error {}

/** Nesting deeper than this is refused rather than followed (a hostile body cannot exhaust the stack). */
const MAX_DEPTH = 64;

export function readBody(tokens: readonly Token[]): BodyNode[] {
  const reader = new BodyReader(tokens);
  const nodes = reader.list(new Set(), 0);
  if (!reader.done) throw new UnreadableBody(`"${reader.current}" where no statement starts`);
  return nodes;
}

class BodyReader {
  private at = 0;
  constructor(private readonly t: readonly Token[]) {}

  get done(): boolean {
    return this.at >= this.t.length;
  }

  get current(): string {
    return this.t[this.at]?.name ?? "the end";
  }

  /** The upper-cased word `ahead` tokens on, or "" when that token is not a word. */
  private word(ahead = 0): string {
    const token = this.t[this.at + ahead];
    return token?.kind === "word" ? token.value : "";
  }

  private punct(value: string, ahead = 0): boolean {
    const token = this.t[this.at + ahead];
    return token?.kind === "punct" && token.value === value;
  }

  /** Statements up to (not including) one that starts with a word of `stops`, or the end. */
  list(stops: ReadonlySet<string>, depth: number): BodyNode[] {
    if (depth > MAX_DEPTH) throw new UnreadableBody(`blocks nested more than ${MAX_DEPTH} deep`);
    const nodes: BodyNode[] = [];
    for (;;) {
      this.skipLabel();
      if (this.done || stops.has(this.word())) return nodes;
      if (this.punct(";")) {
        this.at++;
        continue;
      }
      nodes.push(this.node(depth));
    }
  }

  private node(depth: number): BodyNode {
    switch (this.word()) {
      case "DECLARE":
        // Declarations define variables: nothing of the schema. The block starts at BEGIN.
        while (!this.done && this.word() !== "BEGIN") this.at++;
        if (this.done) throw new UnreadableBody("DECLARE without BEGIN");
        return this.node(depth);
      case "BEGIN": {
        this.at++;
        const body = this.list(new Set(["EXCEPTION", "END"]), depth + 1);
        const handlers: BodyNode[] = [];
        if (this.word() === "EXCEPTION") {
          this.at++;
          while (this.word() === "WHEN") {
            this.skipPast("THEN");
            handlers.push(...this.list(new Set(["WHEN", "END"]), depth + 1));
          }
        }
        this.end("");
        return { kind: "block", body, handlers };
      }
      case "IF": {
        this.skipPast("THEN");
        const body = this.list(new Set(["ELSIF", "ELSEIF", "ELSE", "END"]), depth + 1);
        while (this.word() === "ELSIF" || this.word() === "ELSEIF") {
          this.skipPast("THEN");
          body.push(...this.list(new Set(["ELSIF", "ELSEIF", "ELSE", "END"]), depth + 1));
        }
        if (this.word() === "ELSE") {
          this.at++;
          body.push(...this.list(new Set(["END"]), depth + 1));
        }
        this.end("IF");
        return { kind: "conditional", body };
      }
      case "CASE": {
        this.skipTo("WHEN");
        const body: BodyNode[] = [];
        while (this.word() === "WHEN") {
          this.skipPast("THEN");
          body.push(...this.list(new Set(["WHEN", "ELSE", "END"]), depth + 1));
        }
        if (this.word() === "ELSE") {
          this.at++;
          body.push(...this.list(new Set(["END"]), depth + 1));
        }
        this.end("CASE");
        return { kind: "conditional", body };
      }
      case "LOOP":
      case "WHILE":
      case "FOR":
      case "FOREACH": {
        if (this.word() === "LOOP") this.at++;
        else this.skipPast("LOOP");
        const body = this.list(new Set(["END"]), depth + 1);
        this.end("LOOP");
        return { kind: "conditional", body };
      }
      default:
        return this.statement();
    }
  }

  /** One statement: its tokens up to the `;` outside brackets (or the end of the body). */
  private statement(): BodyNode {
    const start = this.at;
    let depth = 0;
    for (; !this.done; this.at++) {
      if (this.punct("(")) depth++;
      else if (this.punct(")")) depth--;
      else if (this.punct(";") && depth <= 0) break;
    }
    const tokens = this.t.slice(start, this.at);
    this.at++;
    return { kind: "statement", tokens };
  }

  /** `END [IF|LOOP|CASE] [label] [;]`. */
  private end(what: string): void {
    if (this.word() !== "END") throw new UnreadableBody(`"${this.current}" where END${what ? ` ${what}` : ""} was expected`);
    this.at++;
    if (what !== "") {
      if (this.word() !== what) throw new UnreadableBody(`END ${this.current} where END ${what} was expected`);
      this.at++;
    }
    if (this.word() !== "" && !this.punct(";")) this.at++; // a label
    if (this.punct(";")) this.at++;
  }

  /** Past the next `word` outside brackets (a condition's end). */
  private skipPast(word: string): void {
    this.at++;
    this.skipTo(word);
    this.at++;
  }

  /** To the next `word` outside brackets. */
  private skipTo(word: string): void {
    let depth = 0;
    for (; !this.done; this.at++) {
      if (this.punct("(")) depth++;
      else if (this.punct(")")) depth--;
      else if (depth <= 0 && this.word() === word) return;
      else if (depth <= 0 && this.punct(";")) break;
    }
    throw new UnreadableBody(`no ${word} where one was expected`);
  }

  /** `<<label>>` before a block or a loop. */
  private skipLabel(): void {
    while (this.punct("<") && this.punct("<", 1)) {
      let close = this.at + 2;
      while (close < this.t.length && !(this.t[close]!.kind === "punct" && this.t[close]!.value === ">" && this.t[close + 1]?.value === ">")) close++;
      if (close >= this.t.length) throw new UnreadableBody("a label without its closing >>");
      this.at = close + 2;
    }
  }
}
