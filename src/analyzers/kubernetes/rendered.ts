/**
 * The analyzer's side of rendering kustomizations (pure; render.ts runs kubectl). Three steps:
 *
 * 1. Plan (`planRenders`): which kustomizations to render at each side. Only roots: a
 *    kustomization no other kustomization of the set lists at either side (a base is rendered
 *    through its overlays, so an overlay that drops one of its base's resources is a deletion,
 *    which pooling the base's own output would hide), plus any that no root reaches (a cycle,
 *    rendered so that its error is seen). A root is rendered only when a changed file lies in a
 *    directory its static reading reads (otherwise both sides are the same and the static reading
 *    serves), and never when it, or a kustomization it reaches, names something remote or a Helm
 *    chart: it is refused, with the reason, and read statically.
 * 2. Carry (`encodeRender` / `decodeRender`): each result travels to `analyzeAll` as an
 *    `ExtraInput` of kind `kustomize-render`, the analyzers' one channel for inputs that are not
 *    files.
 * 3. Read (`renderedObjects`): kustomize's output as objects, each placed at the file and line
 *    it came from: the object of the static reading with the same identity, else the file its
 *    origin annotation names, else the kustomization's first line. Generated ConfigMaps and
 *    Secrets are compared without their content hash (`app-config-4h2mbtbbt6` is `app-config`):
 *    a new hash is kustomize's rollout of new content, by design, not a deletion.
 */
import type { Side as SideName } from "../../model/finding.js";
import type { ChangeSetInput, ExtraInput } from "../types.js";
import { isComponent, isRemote, joinPath, kustomizationBody, kustomizationIn, renderKustomization, type SideFiles } from "./kustomize.js";
import { isPlainObject, parseManifestText, type JsonObject, type ParsedFile } from "./load.js";
import { identity, list, makeObject, map, scalar, type K8sObject } from "./objects.js";
import { dirOf, isKustomizationFile } from "./paths.js";
import type { RenderRequest, RenderResult } from "./render.js";

export const RENDER_INPUT = "kustomize-render";
const ORIGIN = "config.kubernetes.io/origin";
/** The 10-character suffix kustomize appends to generated names: hex with 0 1 3 a e replaced by g h k m t. */
const HASH_SUFFIX = /-[245-9b-dfghkmt]{10}$/;
/** The path of the repository copy as the wrapper kustomization sees it (render.ts lays it out so). */
const REPO_PREFIX = "../repo/";

/** What the plan needs of one side: its files, parsed where they are manifests, and their raw texts. */
export interface PlanSide extends SideFiles {
  readonly texts: ReadonlyMap<string, string>;
}

/** The kustomization directories of a side: the first kustomization file of each directory that reads as one. */
function kustomizations(side: PlanSide): Map<string, { path: string; body: JsonObject | undefined; parsed: ParsedFile }> {
  const out = new Map<string, { path: string; body: JsonObject | undefined; parsed: ParsedFile }>();
  for (const path of side.texts.keys()) {
    if (!isKustomizationFile(path)) continue;
    const dir = dirOf(path);
    if (out.has(dir) || kustomizationIn(side, dir) !== path) continue;
    const parsed = side.get(path);
    if (parsed) out.set(dir, { path, body: parsed.error ? undefined : kustomizationBody(parsed) ?? {}, parsed });
  }
  return out;
}

/** Local kustomization directories a kustomization lists as resources, bases or components. */
function childDirs(dir: string, body: JsonObject, side: PlanSide): string[] {
  const out: string[] = [];
  for (const entry of [...list(body.resources), ...list(body.bases), ...list(body.components)]) {
    const text = scalar(entry);
    if (!text || isRemote(text)) continue;
    const target = joinPath(dir, text);
    if (target !== null && target !== dir && kustomizationIn(side, target)) out.push(target);
  }
  return out;
}

/** Root kustomizations of each side (see the module comment). */
export function kustomizationRoots(base: PlanSide, head: PlanSide): { base: string[]; head: string[] } {
  const sides = { base: kustomizations(base), head: kustomizations(head) };
  const listed = new Set<string>();
  for (const [name, side] of [["base", base], ["head", head]] as const) {
    for (const [dir, k] of sides[name]) if (k.body) for (const child of childDirs(dir, k.body, side)) listed.add(child);
  }
  const rootsOf = (name: "base" | "head", side: PlanSide): string[] => {
    const all = sides[name];
    const candidates = [...all].filter(([, k]) => k.body && !isComponent(k.body)).map(([dir]) => dir);
    const roots = candidates.filter((dir) => !listed.has(dir));
    const reached = new Set<string>();
    const walk = (dir: string) => {
      if (reached.has(dir)) return;
      reached.add(dir);
      const body = all.get(dir)?.body;
      if (body) for (const child of childDirs(dir, body, side)) walk(child);
    };
    roots.forEach(walk);
    // What no root reaches (a cycle) is rendered on its own, so that its error is reported.
    for (const dir of candidates) {
      if (reached.has(dir)) continue;
      roots.push(dir);
      walk(dir);
    }
    return roots.sort();
  };
  return { base: rootsOf("base", base), head: rootsOf("head", head) };
}

/** Why a root cannot be rendered safely, from it and every kustomization it reaches; undefined when it can. */
export function refusal(side: PlanSide, root: string): string | undefined {
  const all = kustomizations(side);
  const seen = new Set<string>();
  const visit = (dir: string): string | undefined => {
    if (seen.has(dir)) return undefined;
    seen.add(dir);
    const k = all.get(dir);
    if (!k?.body) return undefined;
    if (k.body.helmCharts !== undefined || k.body.helmGlobals !== undefined) return `${k.path} inflates Helm charts, which is not run`;
    for (const entry of references(k.body)) {
      if (isRemote(entry)) return `${k.path} names the remote ${entry.length > 120 ? `${entry.slice(0, 120)}…` : entry}, which is not fetched`;
    }
    for (const child of childDirs(dir, k.body, side)) {
      const why = visit(child);
      if (why) return why;
    }
    return undefined;
  };
  return visit(root);
}

/** Every string of a kustomization that names a file, directory or URL to load. */
export function references(body: JsonObject): string[] {
  const out: string[] = [];
  const add = (value: unknown) => {
    const text = typeof value === "string" ? value : undefined;
    if (text !== undefined && !text.includes("\n")) out.push(text);
  };
  for (const key of ["resources", "bases", "components", "crds", "configurations", "transformers", "generators", "validators"]) list(body[key]).forEach(add);
  list(body.patchesStrategicMerge).forEach(add);
  for (const key of ["patches", "patchesJson6902", "replacements"]) for (const entry of list(body[key])) add(map(entry).path);
  add(map(body.openapi).path);
  for (const file of generatorFiles(body)) add(file);
  return out;
}

/** The files `configMapGenerator` and `secretGenerator` read (`files` entries may be `key=path`). */
export function generatorFiles(body: JsonObject): string[] {
  const out: string[] = [];
  for (const generator of [...list(body.configMapGenerator), ...list(body.secretGenerator)].map(map)) {
    for (const entry of list(generator.files)) {
      const text = scalar(entry);
      if (text !== undefined) out.push(text.includes("=") ? text.slice(text.indexOf("=") + 1) : text);
    }
    for (const entry of list(generator.envs)) {
      const text = scalar(entry);
      if (text !== undefined) out.push(text);
    }
    const env = scalar(generator.env);
    if (env !== undefined) out.push(env);
  }
  return out;
}

/** Files a kustomization names by path that are not manifests by their name, repository-relative. */
export function namedFiles(path: string, body: JsonObject): string[] {
  const dir = dirOf(path);
  const out: string[] = [];
  for (const entry of [...generatorFiles(body), ...list(body.replacements).map((r) => scalar(map(r).path) ?? ""), scalar(map(body.openapi).path) ?? ""]) {
    if (!entry || isRemote(entry)) continue;
    const target = joinPath(dir, entry);
    if (target !== null && target !== "") out.push(target);
  }
  return out;
}

/** The render requests of a change set: one per side, with the roots to render and the ones refused. */
export function planRenders(input: ChangeSetInput, base: PlanSide, head: PlanSide): RenderRequest[] {
  const changed = new Set<string>();
  for (const change of input.changes) {
    if (change.base) changed.add(change.base.path);
    if (change.head) changed.add(change.head.path);
  }
  const roots = kustomizationRoots(base, head);
  const requests: RenderRequest[] = [];
  for (const [name, side] of [["base", base], ["head", head]] as const) {
    const dirs: string[] = [];
    const refused: { dir: string; reason: string }[] = [];
    for (const root of [...roots.base, ...roots.head].filter((d, i, all) => all.indexOf(d) === i).sort()) {
      if (!roots[name].includes(root)) continue;
      if (!touched(root, base, head, changed)) continue;
      const why = refusal(side, root);
      if (why) refused.push({ dir: root, reason: why });
      else dirs.push(root);
    }
    if (dirs.length > 0 || refused.length > 0) requests.push({ side: name, files: side.texts, dirs, refused });
  }
  return requests;
}

/** Whether a changed file lies in a directory the root's static reading reads, at either side (or is a file a kustomization names). */
function touched(root: string, base: PlanSide, head: PlanSide, changed: ReadonlySet<string>): boolean {
  const dirs = new Set<string>([root]);
  const named = new Set<string>();
  for (const side of [base, head]) {
    if (!kustomizationIn(side, root)) continue;
    for (const file of renderKustomization(side, root).referenced) {
      dirs.add(dirOf(file));
      if (isKustomizationFile(file)) {
        const body = kustomizationBody(side.get(file));
        if (body) for (const path of namedFiles(file, body)) named.add(path);
      }
    }
  }
  for (const path of changed) if (dirs.has(dirOf(path)) || named.has(path)) return true;
  return false;
}

export interface CarriedRender {
  side: SideName;
  dir: string;
  result: RenderResult;
}

export function encodeRender(render: CarriedRender, kustomization: string): ExtraInput {
  return { kind: RENDER_INPUT, path: kustomization, bytes: new TextEncoder().encode(JSON.stringify(render)) };
}

export function decodeRender(input: ExtraInput): CarriedRender | undefined {
  if (input.kind !== RENDER_INPUT) return undefined;
  try {
    const value = JSON.parse(new TextDecoder().decode(input.bytes)) as CarriedRender;
    if ((value.side === "base" || value.side === "head") && typeof value.dir === "string" && isPlainObject(value.result as never)) return value;
  } catch {
    // Not one of ours: ignored, the static reading serves.
  }
  return undefined;
}

/** A render's objects, placed; or why its output cannot be read. */
export function renderedObjects(output: string, rootPath: string, side: SideFiles, staticObjects: readonly K8sObject[]): { objects: K8sObject[]; origins: Set<string> } | { error: string } {
  const parsed = parseManifestText(rootPath, output);
  if (parsed.error) return { error: `its output could not be read as manifests (${parsed.error.message})` };
  if (parsed.others.length > 0) return { error: "its output holds a document that is not a Kubernetes object" };
  const known = new Map<string, K8sObject>();
  for (const object of staticObjects) if (!known.has(identity(object))) known.set(identity(object), object);
  const origins = new Set<string>();
  const objects: K8sObject[] = [];
  for (const raw of parsed.objects) {
    const body = raw.body;
    const origin = takeOrigin(body);
    const object = makeObject({ body, line: 1, endLine: 1 }, rootPath, [rootPath]);
    if (origin.generator && HASH_SUFFIX.test(object.name)) {
      object.name = object.name.replace(HASH_SUFFIX, "");
      object.generated = true;
    }
    const match = known.get(identity(object));
    if (match) {
      Object.assign(object, { file: match.file, line: match.line, endLine: match.endLine, via: [...new Set([rootPath, ...match.via])] });
    } else if (origin.file !== undefined && side.has(origin.file)) {
      origins.add(origin.file);
      const placed = place(side.get(origin.file)!, object, origin.generator);
      Object.assign(object, { file: origin.file, line: placed.line, endLine: placed.endLine, via: [rootPath, origin.file] });
    }
    objects.push(object);
  }
  return { objects, origins };
}

/** Reads and removes the origin annotation kustomize added for the wrapper. */
function takeOrigin(body: JsonObject): { file?: string; generator: boolean } {
  const metadata = map(body.metadata);
  const notes = map(metadata.annotations);
  const text = scalar(notes[ORIGIN]);
  if (text === undefined) return { generator: false };
  delete notes[ORIGIN];
  if (Object.keys(notes).length === 0) delete metadata.annotations;
  let file: string | undefined;
  let generator = false;
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.split(": ");
    const value = unquote(rest.join(": ").trim());
    if (key === "path" || key === "configuredIn") file = value.startsWith(REPO_PREFIX) ? value.slice(REPO_PREFIX.length) : undefined;
    if (key === "configuredIn") generator = true;
    if (key?.trim() === "kind" && (value === "ConfigMapGenerator" || value === "SecretGenerator")) generator = true;
  }
  return file === undefined ? { generator } : { file, generator };
}

function unquote(value: string): string {
  if (value.startsWith('"')) {
    try {
      return String(JSON.parse(value));
    } catch {
      return value;
    }
  }
  return value.startsWith("'") && value.endsWith("'") ? value.slice(1, -1).replaceAll("''", "'") : value;
}

/** The line of the object in its origin file: same kind, the longest name the rendered one contains. */
function place(file: ParsedFile, object: K8sObject, generated: boolean): { line: number; endLine: number } {
  if (generated) {
    // A generator entry in a kustomization: the line of its `name`.
    const body = kustomizationBody(file);
    const names = [...list(body?.configMapGenerator), ...list(body?.secretGenerator)].map((g) => scalar(map(g).name) ?? "").filter((n) => n && object.name.includes(n));
    const name = names.sort((a, b) => b.length - a.length)[0];
    const wanted = name ? [`name: ${name}`, `name: "${name}"`, `name: '${name}'`] : [];
    const at = file.text.split("\n").findIndex((text) => {
      const trimmed = text.trim();
      return wanted.includes(trimmed.startsWith("- ") ? trimmed.slice(2).trim() : trimmed);
    });
    const line = at >= 0 ? at + 1 : 1;
    return { line, endLine: line };
  }
  const candidates = file.objects
    .map((raw) => ({ raw, name: scalar(map(raw.body.metadata).name) ?? "" }))
    .filter(({ raw, name }) => raw.body.kind === object.kind && name !== "" && object.name.includes(name))
    .sort((a, b) => b.name.length - a.name.length);
  const raw = candidates[0]?.raw ?? file.objects.find((r) => r.body.kind === object.kind);
  return raw ? { line: raw.line, endLine: raw.endLine } : { line: 1, endLine: 1 };
}
