import { describe, expect, it } from "vitest";
import { isSpace, isWordChar } from "../../../src/analyzers/sql/tokens.js";

describe("the tokenizer's character classes", () => {
  it("answer as /\\s/ and /[\\p{L}\\p{N}_$]/u do, for every UTF-16 code unit", () => {
    const differ: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const c = String.fromCharCode(code);
      if (isSpace(c) !== /\s/.test(c) || isWordChar(c) !== /[\p{L}\p{N}_$]/u.test(c)) differ.push(code);
    }
    expect(differ).toEqual([]);
  });
});
