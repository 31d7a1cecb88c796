/**
 * One Terraform file read into keyed blocks: values from HashiCorp's HCL parser (hcl2-parser, the
 * Go implementation compiled to JavaScript), lines from the scanner in scan.ts. JSON syntax
 * (`.tf.json`) is read with JSON.parse into the same shape.
 */
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { scanHcl, type ScannedBlock } from "./scan.js";

export type BlockKind = "resource" | "data" | "module" | "output" | "moved" | "removed" | "import" | "backend" | "cloud";

export interface TfBlock {
  kind: BlockKind;
  /** `aws_db_instance.main`, `data.aws_ami.x`, `module.db`, `output.id`, `terraform.backend`; moved/removed/import get a positional key. */
  address: string;
  /** Resource and data source type. */
  type?: string;
  /** The block's attributes and nested blocks as the parser gives them (nested blocks are arrays of bodies). */
  body: Record<string, unknown>;
  file: string;
  line: number;
  endLine: number;
  scanned?: ScannedBlock;
  /** True when the HCL parser rejected the file and only the scanner's outline is known (no values). */
  outlineOnly?: boolean;
  /** Blocks of override files merged into this one (diff.ts), in the order Terraform applies them. */
  overrides?: TfBlock[];
}

/** `override.tf`, `*_override.tf` (and the `.tofu`, `.json` forms): merged into the blocks they name, never blocks of their own. */
export function isOverrideFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  return /^(?:override|.+_override)\.(?:tf|tofu)(?:\.json)?$/.test(name);
}

export interface ParsedFile {
  path: string;
  blocks: TfBlock[];
  /** Set when the file could not be parsed: the reason, and the line where known. */
  error?: { reason: string; line: number };
}

type HclParser = { parseToString(input: string): [string, unknown] };
let parser: HclParser | undefined;

/** Loaded on first use, synchronously: a scan that reads only plans never pays for the parser. */
function hclParser(): HclParser {
  parser ??= createRequire(import.meta.url)("hcl2-parser") as HclParser;
  return parser;
}

export function isJsonSyntax(path: string): boolean {
  return path.endsWith(".tf.json") || path.endsWith(".tofu.json");
}

/**
 * Parses by path and content. The App evaluates a pull request again on every push, review and
 * button press, and a module's files are mostly the same text each time; HashiCorp's parser,
 * compiled to JavaScript, takes about 20 ms for 4 KB. Bounded by the text it holds. A cached parse is
 * frozen, so no scan can change what another one reads.
 */
const CACHE_TEXT_BYTES = 16 * 1024 * 1024;
const parsedByContent = new Map<string, { parsed: ParsedFile; bytes: number }>();
let cachedBytes = 0;

export function parseTerraformFile(path: string, text: string): ParsedFile {
  const key = `${path}\0${createHash("sha256").update(text).digest("base64")}`;
  const hit = parsedByContent.get(key);
  if (hit) {
    // Least recently used first: a hit moves to the end.
    parsedByContent.delete(key);
    parsedByContent.set(key, hit);
    return hit.parsed;
  }
  const parsed = deepFreeze(parseUncached(path, text));
  if (text.length <= CACHE_TEXT_BYTES / 4) {
    parsedByContent.set(key, { parsed, bytes: text.length });
    cachedBytes += text.length;
    for (const [oldest, entry] of parsedByContent) {
      if (cachedBytes <= CACHE_TEXT_BYTES) break;
      parsedByContent.delete(oldest);
      cachedBytes -= entry.bytes;
    }
  }
  return parsed;
}

/** Freezes every object reachable from `value`, without recursion: parsed values can nest deeply. */
function deepFreeze<T>(value: T): T {
  const pending: unknown[] = [value];
  const seen = new Set<object>();
  while (pending.length > 0) {
    const next = pending.pop();
    if (typeof next !== "object" || next === null || seen.has(next)) continue;
    seen.add(next);
    Object.freeze(next);
    for (const child of Object.values(next)) pending.push(child);
  }
  return value;
}

function parseUncached(path: string, text: string): ParsedFile {
  if (isJsonSyntax(path)) return parseJsonFile(path, text);
  const scanned = scanHcl(text);
  let root: unknown;
  let rejected = false;
  try {
    const [json, error] = hclParser().parseToString(text);
    if (error || typeof json !== "string") rejected = true;
    // An empty or comment-only file converts to an empty string.
    else root = json.trim() === "" ? {} : JSON.parse(json);
  } catch {
    rejected = true;
  }
  if (rejected || !isObject(root)) {
    const where = scanned.error;
    const reason = where ? `line ${where.line}: ${where.reason}` : "HashiCorp's HCL parser rejected it";
    return { path, blocks: outline(path, scanned.blocks), error: { reason, line: where?.line ?? 1 } };
  }
  return { path, blocks: fromRoot(path, root, scanned.blocks, text) };
}

function parseJsonFile(path: string, text: string): ParsedFile {
  let root: unknown;
  try {
    root = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { path, blocks: [], error: { reason: `not valid JSON: ${message}`, line: 1 } };
  }
  if (!isObject(root)) return { path, blocks: [], error: { reason: "the JSON document is not an object", line: 1 } };
  return { path, blocks: fromRoot(path, root, [], text) };
}

/** Blocks from the parsed document, each placed at the scanned block of the same type and labels. */
function fromRoot(path: string, root: Record<string, unknown>, scanned: readonly ScannedBlock[], text: string): TfBlock[] {
  const used = new Set<ScannedBlock>();
  const place = (type: string, labels: string[]): ScannedBlock | undefined => {
    const found = scanned.find((b) => !used.has(b) && b.type === type && b.labels.length === labels.length && b.labels.every((l, i) => l === labels[i]));
    if (found) used.add(found);
    return found;
  };
  const jsonLine = scanned.length === 0 ? jsonLocator(text) : () => 1;
  const blocks: TfBlock[] = [];
  const add = (kind: BlockKind, address: string, body: Record<string, unknown>, type: string, labels: string[], extra: { type?: string } = {}) => {
    const at = place(type, labels);
    const line = at?.line ?? jsonLine(labels);
    blocks.push({ kind, address, body, file: path, line, endLine: at?.endLine ?? line, ...(at ? { scanned: at } : {}), ...extra });
  };

  for (const kind of ["resource", "data"] as const) {
    for (const [type, byName] of entries(root[kind])) {
      for (const [name, value] of entries(byName)) {
        for (const body of bodies(value)) add(kind, kind === "data" ? `data.${type}.${name}` : `${type}.${name}`, body, kind, [type, name], { type });
      }
    }
  }
  for (const [kind, prefix] of [["module", "module"], ["output", "output"]] as const) {
    for (const [name, value] of entries(root[kind])) for (const body of bodies(value)) add(kind, `${prefix}.${name}`, body, kind, [name]);
  }
  for (const kind of ["moved", "removed", "import"] as const) {
    bodies(root[kind]).forEach((body, index) => add(kind, `${kind}#${index}`, body, kind, []));
  }
  // The backend and cloud blocks live inside `terraform {}`: place them at the nested block.
  for (const body of bodies(root.terraform)) {
    const outer = place("terraform", []);
    for (const [type, value] of entries(body.backend)) {
      for (const backend of bodies(value)) {
        const at = outer?.blocks.find((b) => b.type === "backend");
        const line = at?.line ?? outer?.line ?? jsonLine(["backend"]);
        blocks.push({ kind: "backend", address: "terraform.backend", body: { [type]: backend }, file: path, line, endLine: at?.endLine ?? line, ...(at ? { scanned: at } : {}) });
      }
    }
    for (const cloud of bodies(body.cloud)) {
      const at = outer?.blocks.find((b) => b.type === "cloud");
      const line = at?.line ?? outer?.line ?? jsonLine(["cloud"]);
      blocks.push({ kind: "cloud", address: "terraform.cloud", body: cloud, file: path, line, endLine: at?.endLine ?? line, ...(at ? { scanned: at } : {}) });
    }
  }
  return blocks;
}

/** What the scanner saw of a file the parser rejected: addresses and lines, no values. */
function outline(path: string, scanned: readonly ScannedBlock[]): TfBlock[] {
  const blocks: TfBlock[] = [];
  for (const b of scanned) {
    const base = { body: {}, file: path, line: b.line, endLine: b.endLine, scanned: b, outlineOnly: true };
    if ((b.type === "resource" || b.type === "data") && b.labels.length === 2) {
      const [type, name] = b.labels as [string, string];
      blocks.push({ ...base, kind: b.type, type, address: b.type === "data" ? `data.${type}.${name}` : `${type}.${name}` });
    } else if ((b.type === "module" || b.type === "output") && b.labels.length === 1) {
      blocks.push({ ...base, kind: b.type, address: `${b.type}.${b.labels[0]}` });
    }
  }
  return blocks;
}

/** For `.tf.json`: the first line mentioning each label in turn, a good enough place for an annotation. */
function jsonLocator(text: string): (labels: string[]) => number {
  const lines = text.split("\n");
  return (labels) => {
    let at = 0;
    for (const label of labels) {
      const needle = JSON.stringify(label);
      const found = lines.findIndex((l, i) => i >= at && l.includes(needle));
      if (found < 0) break;
      at = found;
    }
    return at + 1;
  };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function entries(value: unknown): [string, unknown][] {
  if (Array.isArray(value)) return value.flatMap((v) => entries(v));
  return isObject(value) ? Object.entries(value) : [];
}

/** Bodies of a block: the HCL converter gives arrays, JSON syntax allows an object or an array. */
export function bodies(value: unknown): Record<string, unknown>[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

/** `${aws_instance.a}` → `aws_instance.a`: the converter writes every expression as a template. */
export function expressionText(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^\$\{([\s\S]*)\}$/.exec(value.trim());
  return (match ? match[1]! : value).replace(/\s+/g, "");
}

/** Whether a value is an expression (a reference, a call) rather than a literal. */
export function isExpression(value: unknown): boolean {
  return typeof value === "string" && /^\$\{[\s\S]*\}$/.test(value.trim()) && !/^\$\{\s*(true|false|-?\d+(\.\d+)?)\s*\}$/.test(value.trim());
}

/** JSON with sorted keys: the normalised text a sign-off is bound to. */
export function canonical(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]);
    return out;
  }
  return value;
}
