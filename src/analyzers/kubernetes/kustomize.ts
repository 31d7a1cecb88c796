/**
 * A static reading of Kustomize, without running it: what `kubectl kustomize <dir>` would emit,
 * as far as identities and the fields the checks read go. Followed: `resources` (files and
 * directories), `bases`, `components`, `namespace`, `namePrefix`/`nameSuffix`, `commonLabels` and
 * `labels` (into selectors where kustomize puts them), `replicas`, and `patches` /
 * `patchesStrategicMerge` that delete an object (`$patch: delete`) or merge into one (maps only).
 * Remote bases, generators and JSON 6902 patches are not followed; an unresolvable local reference
 * is a problem, reported so the render is never silently partial.
 */
import { normaliseDir } from "../../analyze.js";
import { isObject, isPlainObject, parseManifestText, type Json, type JsonObject, type ParsedFile } from "./load.js";
import { isClusterScoped, list, makeObject, map, scalar, type K8sObject } from "./objects.js";
import { dirOf, isKustomizationFile, KUSTOMIZATION_NAMES } from "./paths.js";

// In paths.ts, which the analyzer's path claims load without the manifest reader.
export { dirOf, isKustomizationFile, KUSTOMIZATION_NAMES } from "./paths.js";

export function joinPath(dir: string, entry: string): string | null {
  return normaliseDir(dir === "" ? entry : `${dir}/${entry}`);
}

/** A reference that lives outside the repository (a git URL, an HTTP archive, a go-getter `git::` address). */
export function isRemote(entry: string): boolean {
  return (
    /^[a-z][a-z0-9+.-]*:\/\//i.test(entry) ||
    /^[a-z][a-z0-9+.-]*::/i.test(entry) ||
    /^(git@|github\.com\/|gitlab\.com\/|bitbucket\.org\/)/.test(entry) ||
    entry.includes("?ref=")
  );
}

export interface Problem {
  file: string;
  line: number;
  message: string;
}

export interface Rendered {
  objects: K8sObject[];
  problems: Problem[];
  /** Every file the render read (manifests, patches, kustomizations). */
  referenced: Set<string>;
}

/** What a render needs to see: every file of one side, parsed. */
export interface SideFiles {
  get(path: string): ParsedFile | undefined;
  has(path: string): boolean;
  /** Whether any file lives below `dir`. */
  hasDir(dir: string): boolean;
}

const MAX_DEPTH = 32;

export function kustomizationIn(files: SideFiles, dir: string): string | undefined {
  for (const name of KUSTOMIZATION_NAMES) {
    const path = dir === "" ? name : `${dir}/${name}`;
    if (files.has(path)) return path;
  }
  return undefined;
}

/** The kustomization document of a kustomization file (kind Kustomization, Component, or none). */
export function kustomizationBody(file: ParsedFile | undefined): JsonObject | undefined {
  if (!file) return undefined;
  return file.objects[0]?.body ?? file.others[0]?.body;
}

export function isComponent(body: JsonObject | undefined): boolean {
  return body?.kind === "Component";
}

/** The directories a kustomization refers to (for the engine to read), relative to the repository. */
export function referencedDirs(path: string, body: JsonObject): string[] {
  const dir = dirOf(path);
  const out: string[] = [];
  const add = (entry: Json | undefined, isFile: boolean) => {
    const text = scalar(entry);
    if (!text || isRemote(text) || text.includes("\n")) return;
    const target = joinPath(dir, text);
    if (target === null) return;
    // A resource is a file or a directory: both its directory and itself are asked for.
    out.push(dirOf(target));
    if (!isFile) out.push(target);
  };
  for (const entry of [...list(body.resources), ...list(body.bases), ...list(body.components)]) add(entry, false);
  for (const entry of list(body.patchesStrategicMerge)) add(entry, true);
  for (const patch of list(body.patches)) add(map(patch).path, true);
  for (const entry of list(body.crds)) add(entry, true);
  return out;
}

interface Context {
  files: SideFiles;
  stack: string[];
  problems: Problem[];
  referenced: Set<string>;
}

/** Renders the kustomization in `dir` (not a Component: those are only applied inside a parent). */
export function renderKustomization(files: SideFiles, dir: string): Rendered {
  const context: Context = { files, stack: [], problems: [], referenced: new Set() };
  const objects = render(context, dir) ?? [];
  return { objects, problems: context.problems, referenced: context.referenced };
}

/** Null when the kustomization itself cannot be read (the problem is recorded). */
function render(context: Context, dir: string, into?: K8sObject[]): K8sObject[] | null {
  const path = kustomizationIn(context.files, dir);
  if (!path) return null;
  context.referenced.add(path);
  const parsed = context.files.get(path)!;
  if (parsed.error) {
    context.problems.push({ file: path, line: parsed.error.line, message: `the kustomization could not be read: ${parsed.error.message}` });
    return null;
  }
  const body = kustomizationBody(parsed) ?? {};
  if (context.stack.includes(dir) || context.stack.length >= MAX_DEPTH) {
    context.problems.push({ file: path, line: 1, message: `the kustomization refers to itself through ${[...context.stack, dir].join(" → ")}` });
    return null;
  }
  context.stack.push(dir);
  const via = [...new Set([...context.stack.map((d) => kustomizationIn(context.files, d)!)])];
  const objects: K8sObject[] = into ?? [];

  for (const entry of [...list(body.resources), ...list(body.bases)]) {
    const text = scalar(entry);
    if (!text || isRemote(text)) continue;
    const target = joinPath(dir, text);
    if (target === null) {
      context.problems.push({ file: path, line: lineOf(parsed, text), message: `\`${text}\` points outside the repository` });
      continue;
    }
    if (context.files.has(target) && !isKustomizationFile(target)) {
      context.referenced.add(target);
      const file = context.files.get(target)!;
      if (file.error) continue; // the file's own problem is reported where it is read
      for (const raw of file.objects) objects.push(makeObject({ ...raw, body: clone(raw.body) }, target, [...via, target]));
    } else if (kustomizationIn(context.files, target)) {
      const child = render(context, target);
      if (child) objects.push(...child);
    } else {
      const what = context.files.hasDir(target) ? "a directory without a kustomization" : "nothing that exists";
      context.problems.push({ file: path, line: lineOf(parsed, text), message: `\`${text}\` refers to ${what}, so the kustomization cannot be built` });
    }
  }

  for (const entry of list(body.components)) {
    const text = scalar(entry);
    if (!text || isRemote(text)) continue;
    const target = joinPath(dir, text);
    if (target === null || !kustomizationIn(context.files, target)) {
      context.problems.push({ file: path, line: lineOf(parsed, text), message: `component \`${text}\` does not exist, so the kustomization cannot be built` });
      continue;
    }
    // A component adds its resources and applies its patches and transformers to everything so far.
    render(context, target, objects);
  }

  applyPatches(context, dir, path, parsed, body, objects);
  applyReplicas(body, objects);
  applyLabels(body, objects);
  applyNames(body, objects, via);
  context.stack.pop();
  return objects;
}

function applyPatches(context: Context, dir: string, path: string, parsed: ParsedFile, body: JsonObject, objects: K8sObject[]): void {
  const patches: { docs: JsonObject[]; target?: JsonObject }[] = [];
  const read = (inline: string | undefined, file: string | undefined): JsonObject[] => {
    if (inline !== undefined) {
      const result = parseManifestText(path, inline);
      if (result.error) context.problems.push({ file: path, line: lineOf(parsed, inline.split("\n")[0] ?? ""), message: `a patch could not be read: ${result.error.message}` });
      return [...result.objects.map((o) => o.body), ...result.others.map((o) => o.body)];
    }
    if (file === undefined) return [];
    const target = joinPath(dir, file);
    const patchFile = target === null ? undefined : context.files.get(target);
    if (!patchFile) {
      context.problems.push({ file: path, line: lineOf(parsed, file), message: `patch \`${file}\` does not exist, so the kustomization cannot be built` });
      return [];
    }
    context.referenced.add(target!);
    return [...patchFile.objects.map((o) => o.body), ...patchFile.others.map((o) => o.body)];
  };
  for (const entry of list(body.patchesStrategicMerge)) {
    const text = scalar(entry);
    if (text === undefined) continue;
    patches.push({ docs: text.includes("\n") ? read(text, undefined) : read(undefined, text) });
  }
  for (const entry of list(body.patches)) {
    const patch = map(entry);
    const inline = scalar(patch.patch);
    const docs = read(inline, inline === undefined ? scalar(patch.path) : undefined);
    const target = isPlainObject(patch.target) ? patch.target : undefined;
    patches.push(target ? { docs, target } : { docs });
  }
  for (const { docs, target } of patches) {
    const unsafe = target ? unsafeTargetPattern(target) : undefined;
    if (unsafe !== undefined) {
      // Kustomize matches with RE2 (linear); here a pattern is run by a backtracking engine, so only simple ones are.
      context.problems.push({ file: path, line: lineOf(parsed, unsafe), message: `a patch target's pattern \`${unsafe.slice(0, 80)}\` is not a simple name pattern (nested or many repeats, back-references or look-arounds), so the kustomization cannot be built safely` });
      continue;
    }
    for (const doc of docs) {
      if (!isPlainObject(doc) || Array.isArray(doc)) continue;
      const matches = objects.filter((object) => (target ? matchesTarget(object, target) : matchesDoc(object, doc)));
      if (doc.$patch === "delete") {
        for (const object of matches) objects.splice(objects.indexOf(object), 1);
      } else if (isObject(doc) || target) {
        for (const object of matches) mergeInto(object.body, doc);
      }
    }
  }
  for (const object of objects) refresh(object);
}

function matchesDoc(object: K8sObject, doc: JsonObject): boolean {
  const metadata = map(doc.metadata);
  const namespace = scalar(metadata.namespace);
  return object.kind === scalar(doc.kind) && object.name === scalar(metadata.name) && (namespace === undefined || namespace === object.namespace);
}

/**
 * The first target pattern that a backtracking engine could take super-linear time on: longer
 * than 256 characters, a back-reference or look-around, a group repeated by `*`, `+` or `{…}`, or more than three
 * unbounded repeats (each repeat over a single character, class or escape, on names of at most
 * 253 characters, bounds the work by 253³). Patterns Kustomize users write (`app-.*`,
 * `(web|api)`, `Deployment|StatefulSet`) pass.
 */
export function unsafeTargetPattern(target: JsonObject): string | undefined {
  for (const key of ["kind", "name", "namespace", "group"]) {
    const pattern = scalar(target[key]);
    if (pattern !== undefined && !simplePattern(pattern)) return pattern;
  }
  return undefined;
}

function simplePattern(pattern: string): boolean {
  if (pattern.length > 256) return false;
  let unbounded = 0;
  const groups: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next === undefined || /[1-9k]/.test(next)) return false;
      i++;
      continue;
    }
    if (c === "[") {
      // A class: to its closing `]` (a `]` first in the class is literal).
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      i = j;
      continue;
    }
    if (c === "(") {
      if (pattern[i + 1] === "?" && pattern[i + 2] !== ":") return false;
      groups.push(i);
      continue;
    }
    if (c === ")") {
      groups.pop();
      const next = pattern[i + 1];
      if (next === "*" || next === "+" || next === "{") return false;
      continue;
    }
    if (c === "*" || c === "+" || (c === "{" && /^\{\d+,\}/.test(pattern.slice(i)))) unbounded++;
  }
  return unbounded <= 3;
}

function matchesTarget(object: K8sObject, target: JsonObject): boolean {
  const test = (pattern: string | undefined, value: string) => {
    if (pattern === undefined) return true;
    try {
      return new RegExp(`^(?:${pattern})$`).test(value);
    } catch {
      return pattern === value;
    }
  };
  return (
    test(scalar(target.kind), object.kind) &&
    test(scalar(target.name), object.name) &&
    test(scalar(target.namespace), object.namespace) &&
    test(scalar(target.group), object.group)
  );
}

/** A strategic merge, as far as maps go: lists are left as they were (their merge keys vary by field). */
function mergeInto(body: JsonObject, patch: JsonObject): void {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$") || key === "apiVersion" || key === "kind") continue;
    if (key === "metadata" && isPlainObject(value)) {
      const metadata = isPlainObject(body.metadata) ? body.metadata : (body.metadata = {});
      for (const [mkey, mvalue] of Object.entries(value)) {
        if (mkey === "name" || mkey === "namespace") continue;
        if (isPlainObject(mvalue) && isPlainObject(metadata[mkey])) mergeInto(metadata[mkey] as JsonObject, mvalue);
        else if (!Array.isArray(mvalue)) metadata[mkey] = mvalue;
      }
      continue;
    }
    if (value === null) delete body[key];
    else if (isPlainObject(value)) {
      if (!isPlainObject(body[key])) body[key] = {};
      mergeInto(body[key] as JsonObject, value);
    } else if (!Array.isArray(value)) body[key] = value;
  }
}

function applyReplicas(body: JsonObject, objects: K8sObject[]): void {
  for (const entry of list(body.replicas)) {
    const name = scalar(map(entry).name);
    const count = map(entry).count;
    if (name === undefined || typeof count !== "number") continue;
    for (const object of objects) {
      if (object.name === name && isPlainObject(object.body.spec)) object.body.spec.replicas = count;
    }
  }
}

const SELECTOR_KINDS = new Set(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job"]);

function applyLabels(body: JsonObject, objects: K8sObject[]): void {
  const sets: { pairs: Record<string, Json>; selectors: boolean; templates: boolean }[] = [];
  if (isPlainObject(body.commonLabels)) sets.push({ pairs: body.commonLabels, selectors: true, templates: true });
  for (const entry of list(body.labels)) {
    const e = map(entry);
    if (isPlainObject(e.pairs)) sets.push({ pairs: e.pairs, selectors: e.includeSelectors === true, templates: e.includeTemplates === true || e.includeSelectors === true });
  }
  for (const { pairs, selectors, templates } of sets) {
    for (const object of objects) {
      const metadata = isPlainObject(object.body.metadata) ? object.body.metadata : (object.body.metadata = {});
      metadata.labels = { ...map(metadata.labels), ...pairs };
      const spec = isPlainObject(object.body.spec) ? object.body.spec : undefined;
      if (!spec) continue;
      if (selectors && object.kind === "Service") spec.selector = { ...map(spec.selector), ...pairs };
      if (selectors && SELECTOR_KINDS.has(object.kind)) {
        const selector = isPlainObject(spec.selector) ? spec.selector : (spec.selector = {});
        selector.matchLabels = { ...map(selector.matchLabels), ...pairs };
      }
      if (templates && isPlainObject(spec.template)) {
        const template = spec.template;
        const tmeta = isPlainObject(template.metadata) ? template.metadata : (template.metadata = {});
        tmeta.labels = { ...map(tmeta.labels), ...pairs };
      }
    }
  }
}

/** `namespace`, `namePrefix`, `nameSuffix`: each renames every object it applies to. */
function applyNames(body: JsonObject, objects: K8sObject[], via: readonly string[]): void {
  const namespace = scalar(body.namespace);
  const prefix = scalar(body.namePrefix) ?? "";
  const suffix = scalar(body.nameSuffix) ?? "";
  for (const object of objects) {
    const metadata = isPlainObject(object.body.metadata) ? object.body.metadata : (object.body.metadata = {});
    if (namespace !== undefined && !isClusterScoped(object.kind)) metadata.namespace = namespace;
    if ((prefix || suffix) && object.kind !== "Namespace" && object.kind !== "CustomResourceDefinition") {
      metadata.name = `${prefix}${scalar(metadata.name) ?? ""}${suffix}`;
    }
    refresh(object, via);
  }
}

/** Recomputes name and namespace from the body after a transformer changed it. */
function refresh(object: K8sObject, via?: readonly string[]): void {
  const fresh = makeObject({ body: object.body, line: object.line, endLine: object.endLine }, object.file, via ? [...new Set([...object.via, ...via])] : object.via);
  object.name = fresh.name;
  object.namespace = fresh.namespace;
  object.via = fresh.via;
}

function clone(body: JsonObject): JsonObject {
  return structuredClone(body);
}

/** The line that mentions `needle` (a reference), else the kustomization's first line. */
function lineOf(parsed: ParsedFile, needle: string): number {
  const index = needle ? parsed.text.indexOf(needle) : -1;
  if (index >= 0) return parsed.text.slice(0, index).split("\n").length;
  return parsed.objects[0]?.line ?? parsed.others[0]?.line ?? 1;
}
