/**
 * Loading `.github/changegate.yml`. Security: the policy is read ONLY from the base revision — the
 * caller passes a reader bound to it (the CLI: the base commit; the App: the base branch head), so
 * a pull request can never weaken its own gate. Everything here is pure text → result; hostile
 * input (huge files, deep nesting, alias bombs) is refused before or while parsing, and every
 * error names a line and column.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from "yaml";
import type { z } from "zod";
import { globProblem } from "./globs.js";
import { ruleIdProblem } from "./rule-ids.js";
import { floorGaps } from "./floor.js";
import { MAX_POLICY_ALIASES, MAX_POLICY_BYTES, MAX_POLICY_DEPTH, type ParseResult, type PolicyError } from "./read.js";
import { policySchema, type Policy } from "./schema.js";
import { editDistance } from "../util/edit-distance.js";

export { DEFAULT_POLICY, DEFAULT_POLICY_PATH, DEFAULT_RULES, formatPolicyError, loadPolicy, MAX_POLICY_ALIASES, MAX_POLICY_BYTES, MAX_POLICY_DEPTH } from "./read.js";
export type { LoadedPolicy, ParseResult, PolicyError } from "./read.js";

/**
 * Parses and validates policy text. Never throws: every problem — YAML syntax, unknown keys,
 * wrong types, bad globs, unknown finding ids, hostile input — is an error with a line and column.
 */
export function parsePolicy(text: string): ParseResult {
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_POLICY_BYTES) {
    return fail({ message: `the policy file is ${Math.ceil(bytes / 1024)} KiB, over the ${MAX_POLICY_BYTES / 1024} KiB limit`, line: 1, column: 1 });
  }
  const flowDepth = flowNesting(text);
  if (flowDepth) {
    return fail({ message: `the policy nests deeper than ${MAX_POLICY_DEPTH} levels`, ...flowDepth });
  }

  const lineCounter = new LineCounter();
  let doc: Document.Parsed;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, strict: true, prettyErrors: false, merge: false });
  } catch (error) {
    return fail({ message: `the policy file could not be parsed: ${(error as Error).message}`, line: 1, column: 1 });
  }
  const at = (offset: number | undefined) => {
    const pos = lineCounter.linePos(Math.max(0, offset ?? 0));
    return { line: pos.line, column: pos.col };
  };

  const syntax = [...doc.errors, ...doc.warnings].map((e) => ({ message: yamlMessage(e.message), ...at(e.pos[0]) }));
  if (syntax.length > 0) return { ok: false, errors: dedupe(syntax) };

  const shape = checkShape(doc);
  if (shape) return fail({ ...shape, ...at(shape.offset), offset: undefined });

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_POLICY_ALIASES });
  } catch (error) {
    const message = /alias/i.test((error as Error).message)
      ? `too many alias expansions (over ${MAX_POLICY_ALIASES}): refused as a possible alias bomb`
      : `the policy file could not be read: ${(error as Error).message}`;
    return fail({ message, ...at(firstAliasOffset(doc)) });
  }
  if (value === null || value === undefined) {
    return fail({ message: "the policy file is empty; start it with `version: 1`", line: 1, column: 1 });
  }

  const located = (problems: Problem[]): PolicyError[] =>
    problems.map(({ path, message }) => ({ message: `${formatPath(path)}: ${message}`, path: formatPath(path), ...at(offsetOf(doc, path)) }));
  const parsed = policySchema.safeParse(value);
  const idsAndGlobs = located(globAndIdProblems(value));
  if (!parsed.success) {
    return { ok: false, errors: dedupe([...parsed.error.issues.map((issue) => zodError(doc, issue, at)), ...idsAndGlobs]) };
  }
  const policy: Policy = parsed.data;
  const problems = [...idsAndGlobs, ...located(structuralProblems(policy))];
  if (problems.length > 0) return { ok: false, errors: dedupe(problems) };
  const warnings = floorGaps(policy).map((gap) => ({
    message: `defaults: false drops the built-in rule "${gap.rule}": no rule here gates ${gap.description}, so they can merge without sign-off`,
    path: "defaults",
    ...at(offsetOf(doc, ["defaults"])),
  }));
  return { ok: true, policy, warnings };
}

/**
 * Problems in a proposed policy file, for the gate analyzer to annotate: its errors, or, for a
 * valid file, its warnings (what `defaults: false` leaves ungated) marked `warning`. Empty when
 * the file is valid and drops nothing.
 */
export function validatePolicyText(text: string): { message: string; line: number; column: number; warning?: true }[] {
  const result = parsePolicy(text);
  if (!result.ok) return result.errors.map(({ message, line, column }) => ({ message, line, column }));
  return result.warnings.map(({ message, line, column }) => ({ message, line, column, warning: true }));
}

// ---------------------------------------------------------------------------------------------

function fail(error: PolicyError & { offset?: number | undefined }): ParseResult {
  const { message, line, column, path } = error;
  return { ok: false, errors: [path === undefined ? { message, line, column } : { message, line, column, path }] };
}

function yamlMessage(message: string): string {
  // The yaml package appends a source excerpt after the first line; the location is reported separately.
  const first = message.split("\n")[0] ?? message;
  if (/keys must be unique/i.test(first)) return "duplicate key: each key may appear once in a mapping";
  return first.replace(/ at line \d+, column \d+:?$/, "").trim();
}

/** Depth of `[` / `{` nesting, found before parsing so a bracket bomb never reaches the parser. */
function flowNesting(text: string): { line: number; column: number } | null {
  let depth = 0;
  let line = 1;
  let column = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    column++;
    if (c === 10) {
      line++;
      column = 0;
    } else if (c === 91 || c === 123) {
      depth++;
      if (depth > MAX_POLICY_DEPTH) return { line, column };
    } else if ((c === 93 || c === 125) && depth > 0) {
      depth--;
    }
  }
  return null;
}

/** Nesting depth and alias count over the document tree, without expanding anything. */
function checkShape(doc: Document.Parsed): { message: string; offset: number | undefined } | null {
  let aliases = 0;
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 1 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (node === null || node === undefined) continue;
    if (isAlias(node)) {
      aliases++;
      if (aliases > MAX_POLICY_ALIASES) return { message: `more than ${MAX_POLICY_ALIASES} aliases: refused as a possible alias bomb`, offset: node.range?.[0] };
      continue;
    }
    if (isMap(node) || isSeq(node)) {
      if (depth > MAX_POLICY_DEPTH) return { message: `the policy nests deeper than ${MAX_POLICY_DEPTH} levels`, offset: node.range?.[0] };
      for (const item of node.items) {
        if (isPair(item)) {
          if (isMap(item.key) || isSeq(item.key) || isAlias(item.key)) {
            return { message: "keys must be plain strings, not lists, mappings or aliases", offset: (item.key as YamlNode).range?.[0] };
          }
          stack.push({ node: item.key, depth: depth + 1 });
          stack.push({ node: item.value, depth: depth + 1 });
        } else {
          stack.push({ node: item, depth: depth + 1 });
        }
      }
    }
  }
  return null;
}

function firstAliasOffset(doc: Document.Parsed): number {
  let offset: number | undefined;
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0 && offset === undefined) {
    const node = stack.pop();
    if (isAlias(node)) offset = node.range?.[0];
    else if (isMap(node) || isSeq(node)) for (const item of node.items) stack.push(isPair(item) ? item.value : item);
  }
  return offset ?? 0;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else out += out === "" ? String(segment) : `.${String(segment)}`;
  }
  return out === "" ? "(top level)" : out;
}

function keyOf(node: unknown): unknown {
  return isScalar(node) ? node.value : node;
}

/** The YAML node at `path` (stopping at the deepest one that exists) and, for a map key, its key node. */
function nodeAt(doc: Document.Parsed, path: readonly PropertyKey[]): { node: YamlNode | null; key: YamlNode | null; complete: boolean } {
  let node: unknown = doc.contents;
  let key: YamlNode | null = null;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String(keyOf(p.key)) === String(segment));
      if (!pair) return { node: node as YamlNode, key, complete: false };
      key = (pair.key as YamlNode) ?? null;
      node = pair.value ?? null;
      if (node === null) return { node: key, key, complete: true };
    } else if (isSeq(node) && typeof segment === "number") {
      const item = node.items[segment];
      if (item === undefined) return { node: node as YamlNode, key, complete: false };
      key = null;
      node = item;
    } else {
      return { node: (node as YamlNode) ?? null, key, complete: false };
    }
  }
  return { node: (node as YamlNode) ?? null, key, complete: true };
}

function offsetOf(doc: Document.Parsed, path: readonly PropertyKey[]): number {
  const { node } = nodeAt(doc, path);
  return node?.range?.[0] ?? 0;
}

type Locator = (offset: number | undefined) => { line: number; column: number };

function zodError(doc: Document.Parsed, issue: z.core.$ZodIssue, at: Locator): PolicyError {
  const path = issue.path as PropertyKey[];
  const where = formatPath(path);
  if (issue.code === "unrecognized_keys") {
    const { node } = nodeAt(doc, path);
    const name = issue.keys[0] ?? "";
    let offset = node?.range?.[0];
    if (isMap(node)) {
      const pair = node.items.find((p) => String(keyOf(p.key)) === name);
      offset = (pair?.key as YamlNode | undefined)?.range?.[0] ?? offset;
    }
    const allowed = allowedKeys(path);
    const close = allowed.filter((k) => similar(k, name));
    const hint = close.length > 0 ? `; did you mean "${close[0]}"?` : allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "";
    const keys = issue.keys.map((k) => `"${k}"`).join(", ");
    const prefix = path.length > 0 ? `${where}: ` : "";
    return { message: `${prefix}unknown key${issue.keys.length > 1 ? "s" : ""} ${keys}${hint}`, path: where, ...at(offset) };
  }
  const found = nodeAt(doc, path);
  if (!found.complete) {
    // A required key is missing: point at the map that should hold it.
    return { message: `${where}: required`, path: where, ...at(found.node?.range?.[0]) };
  }
  let message = issue.message;
  if (issue.code === "invalid_value") {
    const values = issue.values.map((v) => JSON.stringify(v));
    message = values.length === 1 ? `must be ${values[0]}` : `must be one of ${values.join(", ")}`;
  }
  else if (issue.code === "invalid_type") message = `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(doc, path)}`;
  return { message: `${where}: ${message}`, path: where, ...at(found.node?.range?.[0]) };
}

const EXPECTED: Record<string, string> = {
  array: "a list",
  object: "a mapping",
  number: "a number",
  string: "a string",
  boolean: "true or false",
};

function describeValue(doc: Document.Parsed, path: readonly PropertyKey[]): string {
  const value: unknown = doc.getIn(path as unknown[], false);
  if (isMap(value)) return "a mapping";
  if (isSeq(value)) return "a list";
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  return `${typeof value} ${JSON.stringify(value)}`;
}

/** The keys the object at `path` allows (for "did you mean"). */
function allowedKeys(path: readonly PropertyKey[]): string[] {
  // Walk the zod schema along the path, through defaults, optionals and arrays.
  let schema: unknown = policySchema;
  for (const segment of path) {
    schema = unwrap(schema);
    const def = (schema as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (def?.type === "object" && typeof segment === "string") schema = def.shape?.[segment];
    else if (def?.type === "array" && typeof segment === "number") schema = def.element;
    else return [];
  }
  const def = (unwrap(schema) as { def?: { type?: string; shape?: Record<string, unknown> } }).def;
  return def?.type === "object" ? Object.keys(def.shape ?? {}) : [];
}

function unwrap(schema: unknown): unknown {
  let current = schema as { def?: { type?: string; innerType?: unknown } } | undefined;
  while (current?.def && (current.def.type === "default" || current.def.type === "optional")) {
    current = current.def.innerType as typeof current;
  }
  return current;
}

function similar(a: string, b: string): boolean {
  const x = a.toLowerCase().replace(/[-_]/g, "");
  const y = b.toLowerCase().replace(/[-_]/g, "");
  if (x === y || x.startsWith(y) || y.startsWith(x)) return true;
  return editDistance(x, y) <= Math.max(1, Math.floor(Math.min(x.length, y.length) / 3));
}


type Problem = { path: PropertyKey[]; message: string };

/**
 * Glob and finding-id checks. They read the raw value defensively, so they also run when the
 * schema failed elsewhere: a file with a type error still gets its typos in ids and globs reported.
 */
function globAndIdProblems(raw: unknown): Problem[] {
  const problems: Problem[] = [];
  const strings = (value: unknown): [number, string][] =>
    Array.isArray(value) ? value.flatMap((v, i): [number, string][] => (typeof v === "string" && v !== "" ? [[i, v]] : [])) : [];
  const field = (value: unknown, key: string): unknown =>
    value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
  const globs = (list: unknown, base: PropertyKey[], what: "path" | "branch" = "path") => {
    for (const [i, glob] of strings(list)) {
      const problem = globProblem(glob, what);
      if (problem) problems.push({ path: [...base, i], message: problem });
    }
  };
  const ids = (list: unknown, base: PropertyKey[], forIgnore = false) => {
    for (const [i, id] of strings(list)) {
      const problem = ruleIdProblem(id);
      if (problem) problems.push({ path: [...base, i], message: problem });
      else if (forIgnore && id.startsWith("gate/")) {
        problems.push({ path: [...base, i], message: `"${id}": gate/* findings cannot be ignored (they protect the gate itself)` });
      }
    }
  };

  const paths = field(raw, "paths");
  for (const key of ["sql", "terraform", "terraform_plans", "kubernetes", "exclude"]) globs(field(paths, key), ["paths", key]);
  const rules = field(raw, "rules");
  if (Array.isArray(rules)) {
    rules.forEach((rule, i) => {
      const when = field(rule, "when");
      ids(field(when, "findings"), ["rules", i, "when", "findings"]);
      globs(field(when, "paths"), ["rules", i, "when", "paths"]);
      globs(field(when, "base_branches"), ["rules", i, "when", "base_branches"], "branch");
    });
  }
  const ignore = field(raw, "ignore");
  if (Array.isArray(ignore)) {
    ignore.forEach((entry, i) => {
      ids(field(entry, "findings"), ["ignore", i, "findings"], true);
      globs(field(entry, "paths"), ["ignore", i, "paths"]);
    });
  }
  return problems;
}

/** Checks over a schema-valid policy that JSON Schema cannot express. */
function structuralProblems(policy: Policy): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  policy.rules.forEach((rule, i) => {
    const base: PropertyKey[] = ["rules", i];
    const seen = names.get(rule.name.toLowerCase());
    if (seen !== undefined) problems.push({ path: [...base, "name"], message: `duplicate rule name "${rule.name}" (also rules[${seen}])` });
    else names.set(rule.name.toLowerCase(), i);
    if (rule.block !== undefined && rule.require !== undefined) {
      problems.push({ path: [...base, "block"], message: "a rule either blocks or requires sign-off, not both: split it into two rules" });
    }
    if (rule.block === undefined && rule.require === undefined && rule.labels.length === 0) {
      problems.push({ path: base, message: `rule "${rule.name}" does nothing: give it require, block or labels` });
    }
    const from = rule.require?.from;
    if (from && from.teams.length === 0 && from.users.length === 0) {
      problems.push({ path: [...base, "require", "from"], message: "from names no teams and no users: list some, or remove from to accept any eligible person" });
    }
    if (rule.request_review && (!from || (from.teams.length === 0 && from.users.length === 0))) {
      problems.push({ path: [...base, "request_review"], message: "request_review needs require.from to name the teams or users to ask" });
    }
  });
  policy.ignore.forEach((entry, i) => {
    if (!entry.findings && !entry.paths) {
      problems.push({ path: ["ignore", i], message: "an ignore entry needs findings, paths or both (an empty one would ignore everything)" });
    }
  });
  return problems;
}

function dedupe(errors: PolicyError[]): PolicyError[] {
  const seen = new Set<string>();
  return errors
    .filter((e) => {
      const key = `${e.line}:${e.column}:${e.message}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .sort((a, b) => a.line - b.line || a.column - b.column);
}
