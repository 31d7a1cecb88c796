/**
 * Every regular expression in src/ runs in linear time on hostile text (issue 12, build item 3).
 * eslint-plugin-regexp's no-super-linear-backtracking and no-super-linear-move prove it for each
 * literal at lint time (eslint.config.js); this file is the check that runs them. The literals are
 * found by parsing src/ (the TypeScript AST, not a grep), compared with the reviewed list in
 * regexes.reviewed.ts (a new literal fails until it is reviewed), and each is fed 25 KB inputs
 * built to make a backtracking engine rescan: one character or two repeated, and each word of the
 * pattern followed by such a run. They run in a worker that is killed if it has not finished long
 * after a linear engine would have (an exponential pattern never finishes at any size); what is
 * asserted is only how many patterns completed. The patterns built at run time (`new RegExp`) are
 * listed and tested here too. Patterns replaced by code are checked against the originals.
 */
import fc from "fast-check";
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { Worker } from "node:worker_threads";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../src/analyze.js";
import { unsafeTargetPattern } from "../../src/analyzers/kubernetes/kustomize.js";
import { formatFieldsReplaced } from "../../src/analyzers/migrations/python.js";
import { isRollbackFile } from "../../src/analyzers/migrations/layouts.js";
import { railsJoinTableName } from "../../src/analyzers/migrations/ruby.js";
import { prismaWarnings } from "../../src/analyzers/migrations/sql-files.js";
import { tightPunctuation } from "../../src/analyzers/sql/rebuild.js";
import { literalNumber } from "../../src/analyzers/terraform/diff.js";
import { withoutIndexes } from "../../src/analyzers/terraform/stateful.js";
import { MemorySource } from "../../src/source/memory.js";
import { withoutClasses } from "../../src/util/glob.js";
import { REVIEWED_REGEXES } from "./regexes.reviewed.js";

const ROOT = new URL("../../", import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : []));
}

/** The regular expression literals of src/, and the `RegExp` constructions, by file. */
function regexesInSource(): { literals: Record<string, string[]>; constructed: string[] } {
  const literals: Record<string, string[]> = {};
  const constructed: string[] = [];
  for (const path of sourceFiles(join(ROOT, "src")).sort()) {
    const file = relative(ROOT, path);
    const sf = ts.createSourceFile(file, readFileSync(path, "utf8"), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isRegularExpressionLiteral(node)) (literals[file] ??= []).push(node.text);
      if ((ts.isNewExpression(node) || ts.isCallExpression(node)) && node.expression.getText(sf) === "RegExp") constructed.push(`${file}: ${node.getText(sf)}`);
      ts.forEachChild(node, visit);
    };
    visit(sf);
  }
  return { literals, constructed };
}

/**
 * The patterns built at run time, reviewed: go.ts builds `\bfunc\s+NAME\s*\(` only for a name that
 * is `^\w+$` (linear); kustomize.ts runs a kustomization's target patterns only when
 * `unsafeTargetPattern` passes them (tested below).
 */
const REVIEWED_CONSTRUCTED = [
  "src/analyzers/kubernetes/kustomize.ts: new RegExp(`^(?:${pattern})$`)",
  "src/analyzers/migrations/go.ts: new RegExp(`\\\\bfunc\\\\s+${name}\\\\s*\\\\(`)",
];

const found = regexesInSource();

describe("the regular expressions in src/", () => {
  it("are the reviewed ones: a new pattern fails here until it is reviewed for linear time", () => {
    expect(found.literals).toEqual(REVIEWED_REGEXES);
    expect(found.constructed).toEqual(REVIEWED_CONSTRUCTED);
  });

  it("each completes on every 25 KB hostile input", async () => {
    const patterns = Object.values(REVIEWED_REGEXES).flat();
    const completed = await runInWorker(patterns);
    expect(completed).toBe(patterns.length);
  }, 300_000);
});

describe("patterns built from pull-request text", () => {
  it("a kustomization's target pattern that can backtrack is refused: k8s/unparsed, not a hang", async () => {
    const name = `${"a".repeat(60)}!`;
    const dep = `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\nspec:\n  replicas: 3\n`;
    const kustomization = (pattern: string) => `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - dep.yaml\npatches:\n  - target:\n      kind: Deployment\n      name: "${pattern}"\n    patch: |-\n      - op: replace\n        path: /spec/replicas\n        value: 0\n`;
    const base = { "k8s/dep.yaml": dep, "k8s/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - dep.yaml\n" };
    const result = await analyzeChangeSet(new MemorySource(base, { "k8s/dep.yaml": dep, "k8s/kustomization.yaml": kustomization("(a+)+$") }));
    expect(result.findings.map((f) => f.rule)).toEqual(["k8s/unparsed"]);
    expect(result.findings[0]!.message).toContain("not a simple name pattern");
  });

  it.each([["(a+)+"], ["(a|aa)*b"], ["(x)\\1"], ["(?=a)a"], ["a*b*c*d*"], ["a{2,}b{3,}c*d+"], ["x".repeat(300)]])("refuses the target pattern %s", (pattern) => {
    expect(unsafeTargetPattern({ name: pattern })).toBe(pattern);
  });

  it.each([["web"], ["app-.*"], ["(web|api)"], ["Deployment|StatefulSet"], ["(canary-)?web-[a-z0-9]+"], ["[a-z]+-[0-9]{1,3}"]])("accepts the target pattern %s", (pattern) => {
    expect(unsafeTargetPattern({ name: pattern })).toBeUndefined();
  });

  it("an accepted pattern has at most three unbounded repeats, so a 253-character name bounds its work", () => {
    // The worst accepted shape, run to completion on the longest Kubernetes name.
    const pattern = ".*.*.*x";
    expect(unsafeTargetPattern({ name: pattern })).toBeUndefined();
    expect(new RegExp(`^(?:${pattern})$`).test("a".repeat(253))).toBe(false);
  });
});

describe("code that replaced a quadratic pattern does what the pattern did", () => {
  const text = (units: string[], maxLength = 14) => fc.string({ maxLength, unit: fc.constantFrom(...units) });

  it("Terraform index keys: withoutIndexes", () => {
    fc.assert(fc.property(text(["[", "]", '"', "\\", "a", ".", "\n"]), (s) => withoutIndexes(s) === s.replace(/\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]/g, "")), { numRuns: 3000 });
  });

  it("Python format fields: formatFieldsReplaced", () => {
    fc.assert(fc.property(text(["{", "}", "a"]), (s) => formatFieldsReplaced(s) === s.replace(/\{[^}]*\}/g, "__expr__")), { numRuns: 3000 });
  });

  it("Rails join tables: railsJoinTableName", () => {
    const regex = (a: string, b: string) => [a, b].join("\0").replace(/^(.*_)(.+)\0\1(.+)/, "$1$2_$3").replace("\0", "_");
    fc.assert(
      fc.property(text(["_", "a", "b", "\n"]), text(["_", "a", "b", "\n"]), (x, y) => {
        const [a, b] = [x, y].sort() as [string, string];
        return railsJoinTableName(a, b) === regex(a, b);
      }),
      { numRuns: 3000 },
    );
    expect(railsJoinTableName("music_artists", "music_records")).toBe("music_artists_records");
  });

  it("SQL type text: tightPunctuation", () => {
    fc.assert(fc.property(text([" ", "(", ")", ",", "a", "\n", "\t"]), (s) => tightPunctuation(s) === s.replace(/\s*([(),])\s*/g, "$1")), { numRuns: 3000 });
  });

  it("Prisma's warnings block: prismaWarnings", () => {
    const before = (text: string) => {
      const match = /\/\*\s*\n\s*Warnings:\s*\n([\s\S]*?)\*\//.exec(text);
      if (!match) return null;
      const warnings: string[] = [];
      for (const raw of match[1]!.split("\n")) {
        const item = /^\s*-\s+(.*\S)\s*$/.exec(raw);
        if (item) warnings.push(item[1]!);
        else if (raw.trim() !== "" && warnings.length > 0) warnings[warnings.length - 1] += ` ${raw.trim()}`;
      }
      return warnings.length > 0 ? { line: text.slice(0, match.index).split("\n").length, warnings } : null;
    };
    const units = ["/*", "*/", "\n", "\n", " ", "\t", "\r", "Warnings:", "- ", "-", "x", "/"];
    fc.assert(fc.property(text(units, 16), (s) => JSON.stringify(prismaWarnings(s)) === JSON.stringify(before(s))), { numRuns: 5000 });
    const generated = "/*\n  Warnings:\n\n  - You are about to drop the column `a` on the `T` table.\n    All the data will be lost.\n  - Added the required column `b`.\n\n*/\nALTER TABLE \"T\" DROP COLUMN \"a\";\n";
    expect(prismaWarnings(`-- header\n${generated}`)).toEqual({ line: 2, warnings: ["You are about to drop the column `a` on the `T` table. All the data will be lost.", "Added the required column `b`."] });
    // What the pattern took quadratic time over: a comment's start and then a megabyte of blank lines.
    expect(prismaWarnings(`/*${"\n".repeat(1_000_000)}x`)).toBeNull();
  });

  it("Flyway undo names, Terraform literal counts, glob classes: the rewritten patterns", () => {
    fc.assert(fc.property(text(["U", "1", "_", ".", "a", "sql", "\n", "-"], 12), (s) => isRollbackFile(s) === (/\.down\.sql$/i.test(s) || /^\d+_.*_down\.sql$/i.test(s) || /^U\d[\w.]*__.+\.sql$/.test(s))), { numRuns: 5000 });
    fc.assert(fc.property(text([" ", "\t", "$", "{", "}", "3", "x"]), (s) => literalNumber(s) === (/^\s*(\$\{\s*)?\d+\s*\}?\s*$/.test(s) ? Number(s.replace(/[^\d]/g, "")) : undefined)), { numRuns: 5000 });
    fc.assert(fc.property(text(["[", "]", "*", "a"]), (s) => withoutClasses(s) === s.replace(/\[[^\]]*\]/g, "")), { numRuns: 5000 });
    expect(isRollbackFile(`U1${"_".repeat(200_000)}`)).toBe(false);
    expect(literalNumber(`3${" ".repeat(200_000)}x`)).toBeUndefined();
    expect(withoutClasses("[".repeat(200_000))).toHaveLength(200_000);
  });

  it("trailing slashes, Terraform plan errors, Alembic revisions: the rewritten patterns", () => {
    fc.assert(fc.property(text(["/", "a"]), (s) => s.replace(/(?<!\/)\/+$/, "") === s.replace(/\/+$/, "")), { numRuns: 2000 });
    fc.assert(fc.property(text([" ", "|", "│", "Error: ", "x", "\t"]), (s) => /^\s*(?:[│|]\s*)?Error: (.*)$/.exec(s)?.[1] === /^\s*[│|]?\s*Error: (.*)$/.exec(s)?.[1]), { numRuns: 2000 });
    const old = /^\s*revision\s*(?::\s*[\w[\], |]+)?=\s*['"]([^'"]+)['"]/m;
    const now = /^[ \t]*revision[ \t]*(?::[\w[\], |\t]+)?=[ \t]*['"]([^'"]+)['"]/m;
    for (const line of ['revision = "abc"', "revision: str = 'abc'", 'revision: Union[str, None] = "abc"', '\nrevision="abc"\n', "  revision  =  'x1'"]) expect(now.exec(line)?.[1]).toBe(old.exec(line)?.[1]);
  });
});

/** Runs every pattern on every hostile input in a worker; resolves with how many patterns completed. */
function runInWorker(patterns: string[]): Promise<number> {
  const code = `
    const { parentPort, workerData } = require("node:worker_threads");
    const SIZE = 25_000;
    const RUNS = [" ", "\\t", "\\n", "\\r\\n", "a", "0", "_", "-", ".", "/", "*", "<", "'", '"', "\`", "$", "(", "[", "{", ":", "=", "#", ",", "\\\\", "é", "a ", "--", "/*", "a.", "a:", " ="];
    for (const literal of workerData) {
      const m = /^\\/(.*)\\/([a-z]*)$/s.exec(literal);
      const re = new RegExp(m[1], m[2]);
      const words = [...new Set(m[1].match(/[A-Za-z][A-Za-z_-]{2,}/g) || [])].slice(0, 3);
      const inputs = RUNS.map((r) => r.repeat(SIZE / r.length) + "\\u0000!");
      for (const w of words) for (const r of [" ", "\\t", "a", "\\n", "("]) inputs.push(w + r.repeat(SIZE) + "\\u0000!", (w + r).repeat(Math.ceil(SIZE / (w.length + 1))) + "\\u0000!");
      for (const input of inputs) {
        re.lastIndex = 0;
        if (re.global) input.replace(re, "");
        else re.exec(input);
      }
      parentPort.postMessage(1);
    }
  `;
  return new Promise((resolve, reject) => {
    let completed = 0;
    const worker = new Worker(code, { eval: true, workerData: patterns });
    // A hard stop far beyond what linear patterns need, so that a super-linear one fails the count instead of hanging the run.
    const kill = setTimeout(() => void worker.terminate(), 240_000);
    worker.on("message", () => completed++);
    worker.on("error", (e) => {
      clearTimeout(kill);
      reject(e);
    });
    worker.on("exit", () => {
      clearTimeout(kill);
      resolve(completed);
    });
  });
}
