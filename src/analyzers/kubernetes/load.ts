/**
 * Reading manifest files: multi-document YAML (and JSON, which is YAML), `List` kinds, anchors and
 * merge keys, with each object's first and last line. Hostile input is refused, never expanded: an
 * alias bomb stops at the alias limit (the approach of src/policy/load.ts), deep flow nesting is
 * refused before parsing, and the parser's own errors (tabs, a stack too deep) are reported with
 * their line. Nothing here throws on bad input.
 */
import { isMap, isSeq, LineCounter, parseAllDocuments, type Document } from "yaml";

/** Larger manifests are refused (a rendered chart bundle is a few MiB). */
export const MAX_MANIFEST_BYTES = 16 * 1024 * 1024;
/** Flow (`[` / `{`) nesting deeper than this is refused before parsing; JSON manifests nest about 20 levels. */
export const MAX_FLOW_DEPTH = 256;
/** More alias expansions than this are refused as a possible alias bomb. */
export const MAX_ALIASES = 100;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** One object as written in a file. */
export interface RawObject {
  body: JsonObject;
  /** 1-based. */
  line: number;
  endLine: number;
}

export interface ParsedFile {
  path: string;
  text: string;
  /** Documents that are maps with a string `apiVersion` and `kind` (List items unpacked). */
  objects: RawObject[];
  /** Every other document that is a map (Helm values, kustomization files without `kind`, CI files). */
  others: { body: JsonObject; line: number }[];
  /** The first problem, when the file could not be read whole. */
  error?: { message: string; line: number };
}

export function parseManifestText(path: string, text: string): ParsedFile {
  const result: ParsedFile = { path, text, objects: [], others: [] };
  if (text.length > MAX_MANIFEST_BYTES) {
    result.error = { message: `the file is over the ${MAX_MANIFEST_BYTES / 1024 / 1024} MiB manifest limit`, line: 1 };
    return result;
  }
  const deep = flowTooDeep(text);
  if (deep !== null) {
    result.error = { message: `it nests deeper than ${MAX_FLOW_DEPTH} levels`, line: deep };
    return result;
  }
  const lineCounter = new LineCounter();
  const lineOf = (offset: number | undefined) => lineCounter.linePos(Math.max(0, offset ?? 0)).line;
  let docs: Document.Parsed[];
  try {
    // The core schema, plus `<<` merge keys as Kubernetes' YAML reader has them. (This library's YAML 1.1
    // schema reads more as numbers than Kubernetes does: `.` would be NaN, `1:20` sexagesimal.)
    const parsed = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: false, uniqueKeys: false });
    docs = Array.isArray(parsed) ? parsed : [parsed as unknown as Document.Parsed];
  } catch (error) {
    result.error = { message: `it could not be parsed: ${describe(error)}`, line: 1 };
    return result;
  }
  for (const doc of docs) {
    const problem = doc.errors[0];
    if (problem) {
      result.error ??= { message: yamlMessage(problem.message), line: lineOf(problem.pos[0]) };
      continue;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      const message = /alias/i.test(describe(error))
        ? `it expands aliases more than ${MAX_ALIASES} times: refused as a possible alias bomb`
        : `it could not be read: ${describe(error)}`;
      result.error ??= { message, line: lineOf(doc.contents?.range?.[0]) };
      continue;
    }
    if (!isPlainObject(value)) continue;
    const line = lineOf(doc.contents?.range?.[0]);
    const endLine = Math.max(line, lineOf(Math.max(0, (doc.contents?.range?.[1] ?? 1) - 1)));
    if (!isObject(value)) {
      result.others.push({ body: value, line });
      continue;
    }
    const items = value.items;
    if (typeof value.kind === "string" && value.kind.endsWith("List") && Array.isArray(items)) {
      // `kind: List` (and `DeploymentList` …): each item is an object of its own.
      const nodes = isMap(doc.contents) ? doc.contents.get("items", true) : undefined;
      items.forEach((item, index) => {
        if (!isObject(item)) return;
        const node = isSeq(nodes) ? (nodes.items[index] as { range?: [number, number, number] } | undefined) : undefined;
        const itemLine = node?.range ? lineOf(node.range[0]) : line;
        const itemEnd = node?.range ? Math.max(itemLine, lineOf(Math.max(0, node.range[1] - 1))) : endLine;
        result.objects.push({ body: item, line: itemLine, endLine: itemEnd });
      });
      continue;
    }
    result.objects.push({ body: value, line, endLine });
  }
  return result;
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Map) && !(value instanceof Set);
}

/** A Kubernetes object: a map with a string `apiVersion` and `kind`. */
export function isObject(value: unknown): value is JsonObject & { apiVersion: string; kind: string } {
  return isPlainObject(value) && typeof value.apiVersion === "string" && typeof value.kind === "string";
}

/** The line of the first flow bracket past the depth limit, or null. Brackets in quoted scalars count too (cheap and safe). */
function flowTooDeep(text: string): number | null {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_FLOW_DEPTH) return line;
    } else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return null;
}

function yamlMessage(message: string): string {
  // The parser appends a code excerpt after the first line; the line number is reported separately.
  return message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * A Helm template as YAML, for finding GitOps objects in it (an ApplicationSet rendered by a chart):
 * lines that are only template actions go, and inline actions become a placeholder. Not a render:
 * objects found this way are never diffed.
 */
export function detemplate(text: string): string {
  return text
    .split("\n")
    .filter((line) => !/^\s*\{\{-?[\s\S]*-?\}\}\s*$/.test(line) || /:\s*\{\{/.test(line))
    .map((line) => line.replace(/\{\{(?:[^{}]|\{\{[^{}]*\}\}|`[^`]*`)*\}\}/g, TEMPLATE_PLACEHOLDER))
    .join("\n");
}

export const TEMPLATE_PLACEHOLDER = "__template__";
