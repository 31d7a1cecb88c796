/**
 * The Kubernetes analyzer's work, loaded (with the YAML parser) when a manifest is claimed: it
 * compares the objects the manifests describe at base and at head, over the whole manifest set (a manifest root, and what its kustomizations reference), so an object
 * moved between files is no change and a rename is a deletion plus a creation. Pure: the engine
 * reads the scopes it declares; nothing here runs kustomize, helm or anything from the change.
 */
import { globComplexityProblem, globMatcher } from "../../util/glob.js";
import { cascadeDelete, deleteWorkload, unparsed } from "../../../rules/k8s/index.js";
import type { Finding, Severity } from "../../model/finding.js";
import { finding, type RuleMeta } from "../../model/rule.js";
import type { ChangeSetInput, ExtraInput, FileChange, Scope, ScopeQuery } from "../types.js";
import { checkAdded, checkChanged, checkRemoved, generators, toggledOff, type Report } from "./checks.js";
import {
  dirOf,
  isComponent,
  isKustomizationFile,
  kustomizationBody,
  kustomizationIn,
  KUSTOMIZATION_NAMES,
  referencedDirs,
  renderKustomization,
  type Problem,
  type SideFiles,
} from "./kustomize.js";
import { detemplate, parseManifestText, TEMPLATE_PLACEHOLDER, type ParsedFile } from "./load.js";
import type { RenderRequest, RenderResult } from "./render.js";
import { decodeRender, encodeRender, kustomizationRoots, namedFiles, planRenders, renderedObjects, type CarriedRender } from "./rendered.js";
import { at, canonical, identity, list, makeObject, map, podSpec, scalar, type K8sObject } from "./objects.js";
import { isChartFile, isChartTemplate, isManifestFileName, isValuesFile, type ManifestPaths } from "./paths.js";

/**
 * The directories the analyzer must see whole for the claimed files: their manifest roots, the
 * directories of kustomizations, and what the kustomizations read so far reference.
 */
export function manifestScopes(query: ScopeQuery, paths: ManifestPaths, options: { rendering?: boolean } = {}): Scope[] {
  const include = (path: string) => isManifestFileName(path);
  const scopes: Scope[] = [];
  for (const file of query.claimed) {
    for (const path of file.previousPath === undefined ? [file.path] : [file.path, file.previousPath]) {
      scopes.push({ ...paths.rootOf(path), include });
      if (isKustomizationFile(path)) scopes.push({ dir: dirOf(path), recursive: false, include });
    }
    // A removed chart leaves no objects to compare: what deploys it (an ApplicationSet's git
    // generator, anywhere in the repository) says what its removal deletes.
    if (file.status === "deleted" && isChartFile(file.path)) scopes.push({ dir: "", recursive: true, include });
  }
  for (const text of query.texts) {
    if (!isKustomizationFile(text.path)) continue;
    const body = kustomizationBody(parseManifestText(text.path, text.text));
    if (!body) continue;
    for (const dir of referencedDirs(text.path, body)) scopes.push({ dir, recursive: false, include });
    // A render reads the files generators name (`app.properties`, `.env`); the static reading does not.
    if (options.rendering) {
      const files = namedFiles(text.path, body);
      if (files.length > 0) scopes.push({ dir: dirOf(text.path), recursive: false, include, files });
    }
  }
  return scopes;
}

/** One side of the manifest set, parsed (manifests by name), with every text as read (for a render). */
export class Side implements SideFiles {
  readonly files = new Map<string, ParsedFile>();
  readonly texts = new Map<string, string>();
  private dirs: Set<string> | null = null;
  get(path: string) {
    return this.files.get(path);
  }
  has(path: string) {
    return this.files.has(path);
  }
  hasDir(dir: string) {
    if (!this.dirs) {
      this.dirs = new Set();
      for (const path of this.files.keys()) for (let d = dirOf(path); d !== ""; d = dirOf(d)) this.dirs.add(d);
    }
    return this.dirs.has(dir);
  }
}

interface SideSet {
  objects: Map<string, K8sObject[]>;
  problems: Problem[];
  /** Files whose objects are unknown at this side (they or a kustomization rendering them could not be read). */
  unknown: Set<string>;
  chartDirs: Set<string>;
}

/** Both sides of a change set. Files a kustomization names that are not manifests (`app.properties`) are kept as text only. */
export function readSides(input: Pick<ChangeSetInput, "changes" | "unchanged">): { base: Side; head: Side } {
  const base = new Side();
  const head = new Side();
  for (const file of input.unchanged) {
    base.texts.set(file.path, file.text);
    head.texts.set(file.path, file.text);
    if (!isManifestFileName(file.path)) continue;
    const parsed = parseManifestText(file.path, file.text);
    base.files.set(file.path, parsed);
    head.files.set(file.path, parsed);
  }
  for (const change of input.changes) {
    if (change.head) head.texts.set(change.head.path, change.head.text);
    if (change.base) base.texts.set(change.base.path, change.base.text);
    const headParsed = change.head && isManifestFileName(change.head.path) ? parseManifestText(change.head.path, change.head.text) : undefined;
    if (change.head && headParsed) head.files.set(change.head.path, headParsed);
    if (change.base && isManifestFileName(change.base.path)) {
      const same = change.head && headParsed && change.head.text === change.base.text && change.head.path === change.base.path;
      base.files.set(change.base.path, same ? headParsed : parseManifestText(change.base.path, change.base.text));
    }
  }
  return { base, head };
}

/** The renders to ask for: none when the change set has no kustomization root to render. */
export function renderRequests(input: ChangeSetInput): RenderRequest[] {
  const { base, head } = readSides(input);
  return planRenders(input, base, head);
}

export function analyzeManifests(input: ChangeSetInput): Finding[] {
  const { base, head } = readSides(input);

  const findings: Finding[] = [];
  const report: Report = (rule, object, side, message, statement, severity) => {
    findings.push(
      finding(rule, { file: object.file, line: object.line, endLine: object.endLine, side }, message, {
        object: labelOf(object),
        statement,
        ...(severity && severity !== rule.severity ? { severity } : {}),
      }),
    );
  };

  const rendering = renderingOf(input, base, head, findings);
  const before = collect(base, rendering?.base);
  const after = collect(head, rendering?.head);
  reportUnparsed(input.changes, base, head, before, after, findings);

  const usedServiceAccounts = serviceAccountsInUse(before);
  for (const [key, objects] of before.objects) {
    if (after.objects.has(key)) continue;
    const gone = objects.filter((object) => !object.via.some((file) => after.unknown.has(file)));
    const seen = new Set<string>();
    for (const object of gone) {
      const where = `${object.file}:${object.line}`;
      if (seen.has(where)) continue;
      seen.add(where);
      checkRemoved(object, report, renamedTo(object, before, after), usedServiceAccounts);
    }
  }
  for (const [key, objects] of after.objects) {
    const baseObjects = before.objects.get(key);
    const now = objects[0]!;
    if (!baseObjects) {
      checkAdded(now, report);
      continue;
    }
    const was = baseObjects[0]!;
    if (was.body === now.body || canonical(was.body) === canonical(now.body)) continue;
    // A generated ConfigMap or Secret with new content is a new object under a new hash, by design.
    if (was.generated && now.generated && scalar(at(was.body, "metadata.name")) !== scalar(at(now.body, "metadata.name"))) continue;
    checkChanged(was, now, report);
  }
  charts(input.changes, base, head, before, after, findings);
  return findings;
}

function labelOf(object: K8sObject): string {
  return object.namespace ? `${object.kind}/${object.namespace}/${object.name}` : `${object.kind}/${object.name}`;
}

/** Which roots of one side are read from their render, and the objects of each. */
interface SideRendering {
  /** Root kustomization directories: only they contribute objects; a base reaches the set through them. */
  roots: ReadonlySet<string>;
  /** Roots rendered at every side they exist at: their render replaces the static reading at both. */
  rendered: ReadonlyMap<string, { objects: K8sObject[]; origins: ReadonlySet<string> }>;
}

/**
 * The renders carried in the inputs, checked and read. A root is read from its render only when
 * every side it exists at rendered and the output reads as manifests; else both sides are read
 * statically, so that the two readings are never compared with each other. A failure at head is
 * a finding: what the kustomization deploys is not known exactly.
 */
function renderingOf(input: ChangeSetInput, base: Side, head: Side, findings: Finding[]): { base: SideRendering; head: SideRendering } | undefined {
  const carried = input.inputs.map(decodeRender).filter((r): r is CarriedRender => r !== undefined);
  if (carried.length === 0) return undefined;
  const sides = { base, head };
  const roots = kustomizationRoots(base, head);
  type Read = { objects: K8sObject[]; origins: Set<string> } | { failed: string } | { skipped: string };
  const results = { base: new Map<string, Read>(), head: new Map<string, Read>() };
  const ok = (read: Read | undefined): read is { objects: K8sObject[]; origins: Set<string> } => read !== undefined && "objects" in read;
  for (const { side, dir, result } of carried) {
    const files = sides[side];
    const path = kustomizationIn(files, dir);
    if (!path || !roots[side].includes(dir)) continue;
    if (result.outcome === "skipped") {
      results[side].set(dir, { skipped: result.message });
      continue;
    }
    const read = result.outcome === "rendered" ? renderedObjects(result.output, path, files, renderKustomization(files, dir).objects) : { error: result.message };
    if ("error" in read) {
      results[side].set(dir, { failed: read.error });
      if (side === "head") {
        findings.push(
          finding(unparsed, { file: path, line: 1, side: "head" }, `\`kubectl kustomize ${dir || "."}\` could not render this kustomization: ${read.error}. What it deploys is judged from the static reading instead, which misses generators, JSON patches and most transformers.`, {
            object: path,
            statement: `unrenderable ${path} ${read.error}`,
          }),
        );
      }
    } else results[side].set(dir, read);
  }
  // Read from renders only where every side the root exists at rendered: never one reading against the other.
  const rendered = (dir: string) => (["base", "head"] as const).every((side) => !roots[side].includes(dir) || ok(results[side].get(dir)));
  const sideRendering = (side: "base" | "head"): SideRendering => {
    const byDir = new Map<string, { objects: K8sObject[]; origins: ReadonlySet<string> }>();
    for (const dir of roots[side]) {
      const result = results[side].get(dir);
      if (ok(result) && rendered(dir)) byDir.set(dir, result);
    }
    return { roots: new Set(roots[side]), rendered: byDir };
  };
  const both = { base: sideRendering("base"), head: sideRendering("head") };
  // Nothing rendered (no kubectl, every render failed): the static reading, exactly as without a renderer.
  return both.base.rendered.size === 0 && both.head.rendered.size === 0 ? undefined : both;
}

/** Every object of one side: kustomizations rendered, other manifest files as written. */
function collect(side: Side, rendering?: SideRendering): SideSet {
  const chartDirs = new Set<string>();
  for (const path of side.files.keys()) if (isChartFile(path)) chartDirs.add(dirOf(path));
  const objects = new Map<string, K8sObject[]>();
  const problems: Problem[] = [];
  const unknown = new Set<string>();
  const referenced = new Set<string>();
  const kustomizationDirs = new Set<string>();
  const add = (object: K8sObject) => {
    const key = identity(object);
    const existing = objects.get(key);
    if (existing) existing.push(object);
    else objects.set(key, [object]);
  };

  for (const [path, parsed] of side.files) {
    if (!isKustomizationFile(path)) continue;
    const dir = dirOf(path);
    if (kustomizationIn(side, dir) !== path) continue;
    kustomizationDirs.add(dir);
    if (parsed.error) {
      unknown.add(path);
      continue;
    }
    if (isComponent(kustomizationBody(parsed))) continue;
    // With renders, a base is read through the roots that list it, never pooled on its own.
    if (rendering && !rendering.roots.has(dir)) continue;
    const rendered = renderKustomization(side, dir);
    for (const file of rendered.referenced) referenced.add(file);
    const fromRender = rendering?.rendered.get(dir);
    if (fromRender) {
      for (const file of fromRender.origins) referenced.add(file);
      for (const object of fromRender.objects) add(object);
      continue;
    }
    for (const problem of rendered.problems) {
      problems.push(problem);
      unknown.add(problem.file);
    }
    for (const object of rendered.objects) add(object);
  }
  for (const [path, parsed] of side.files) {
    if (parsed.error) unknown.add(path);
    if (referenced.has(path) || isKustomizationFile(path) || kustomizationDirs.has(dirOf(path))) continue;
    if (isChartFile(path) || isChartTemplate(path, chartDirs)) continue;
    for (const raw of parsed.objects) add(makeObject(raw, path));
  }
  return { objects, problems, unknown, chartDirs };
}

/** `namespace/name` of every ServiceAccount a pod template of the set runs as. */
function serviceAccountsInUse(set: SideSet): Set<string> {
  const used = new Set<string>();
  for (const objects of set.objects.values()) {
    for (const object of objects) {
      const spec = podSpec(object);
      if (spec) used.add(`${object.namespace}/${scalar(spec.serviceAccountName) ?? scalar(spec.serviceAccount) ?? "default"}`);
    }
  }
  return used;
}

/** The object a removed one was renamed to: same kind and name in another namespace, or the same spec under another name. */
function renamedTo(object: K8sObject, before: SideSet, after: SideSet): K8sObject | undefined {
  const content = contentOf(object);
  for (const [key, objects] of after.objects) {
    if (before.objects.has(key)) continue;
    const candidate = objects[0]!;
    if (candidate.group !== object.group || candidate.kind !== object.kind) continue;
    if (candidate.name === object.name && candidate.namespace !== object.namespace) return candidate;
    // Objects that are all metadata (a Namespace, an empty ServiceAccount) say nothing by their content.
    if (content !== null && candidate.namespace === object.namespace && contentOf(candidate) === content) return candidate;
  }
  return undefined;
}

/** An object without its metadata: what stays the same when only its name changes. */
function contentOf(object: K8sObject): string | null {
  const rest = { ...object.body };
  delete rest.metadata;
  delete rest.apiVersion;
  delete rest.kind;
  return Object.keys(rest).length === 0 ? null : canonical(rest);
}

function reportUnparsed(changes: readonly FileChange[], base: Side, head: Side, before: SideSet, after: SideSet, findings: Finding[]): void {
  for (const change of changes) {
    for (const [side, text, files] of [["head", change.head, head], ["base", change.base, base]] as const) {
      if (!text) continue;
      const parsed = files.get(text.path);
      if (!parsed?.error) continue;
      // A Helm template is not YAML until rendered; it is not judged as a manifest.
      if (parsed.text.includes("{{") && isChartTemplate(text.path, side === "head" ? after.chartDirs : before.chartDirs)) continue;
      if (parsed.text.includes("{{")) continue;
      if (side === "base" && change.head && head.get(change.head.path)?.error) continue;
      const what = side === "head" ? "what it deploys is unknown" : "what it deployed before is unknown, so deletions cannot be judged";
      findings.push(finding(unparsed, { file: text.path, line: parsed.error.line, side }, `${text.path} could not be read as Kubernetes manifests (${parsed.error.message}); ${what}.`, { object: text.path, statement: `unparsed ${text.path}` }));
    }
  }
  const known = new Set(before.problems.map((p) => `${p.file}\0${p.message}`));
  for (const problem of after.problems) {
    if (known.has(`${problem.file}\0${problem.message}`)) continue;
    findings.push(finding(unparsed, { file: problem.file, line: problem.line, side: "head" }, `The kustomization cannot be read statically: ${problem.message}.`, { object: problem.file, statement: `unrenderable ${problem.file} ${problem.message}` }));
  }
}

/**
 * Helm charts are not rendered. What a change to one can delete is reported as unverified: a
 * values toggle turned off, a dependency removed, or the whole chart removed (with what an
 * ApplicationSet generating an Application from its directory does then).
 */
function charts(changes: readonly FileChange[], base: Side, head: Side, before: SideSet, after: SideSet, findings: Finding[]): void {
  const at1 = (file: string, side: "base" | "head") => ({ file, line: 1, side });
  const push = (rule: RuleMeta, file: string, side: "base" | "head", message: string, object: string, statement: string, severity?: Severity) =>
    findings.push(finding(rule, at1(file, side), message, { object, statement, ...(severity && severity !== rule.severity ? { severity } : {}) }));

  for (const change of changes) {
    if (!change.base || !change.head) continue;
    const was = base.get(change.base.path);
    const now = head.get(change.head.path);
    if (!was || !now || was.error || now.error) continue;
    if (isValuesFile(change.path) && was.objects.length === 0 && now.objects.length === 0) {
      for (const { path, rule, message } of toggledOff(was.others[0]?.body, now.others[0]?.body)) {
        push(rule, change.path, "head", `Helm value ${path} ${message} (unverified: the chart is not rendered).`, `values ${dirOf(change.path) || "."}`, `values ${change.path} ${path}`, "medium");
      }
    }
    if (isChartFile(change.path)) {
      const deps = (file: ParsedFile) =>
        list(file.others[0]?.body.dependencies ?? file.objects[0]?.body.dependencies)
          .map(map)
          .map((d) => scalar(d.alias) ?? scalar(d.name) ?? "");
      const remaining = new Set(deps(now));
      for (const dep of deps(was)) {
        if (!remaining.has(dep)) {
          push(deleteWorkload, change.path, "head", `Chart dependency ${dep} is removed, so the release stops deploying it (unverified: the chart is not rendered).`, `chart ${dirOf(change.path) || "."}`, `chart ${change.path} -dependency ${dep}`, "medium");
        }
      }
    }
  }

  const removedCharts = [...before.chartDirs].filter((dir) => !after.chartDirs.has(dir) && !head.hasDir(dir));
  if (removedCharts.length === 0) return;
  const appSets = [...applicationSets(head, after), ...applicationSets(base, before)];
  for (const dir of removedCharts) {
    const file = dir === "" ? "Chart.yaml" : `${dir}/Chart.yaml`;
    const match = appSets.find(({ patterns }) => patterns.some((pattern) => pattern(dir)));
    if (match) {
      const app = dir.slice(dir.lastIndexOf("/") + 1);
      const preserved = at(match.object.body, "spec.syncPolicy.preserveResourcesOnDeletion") === true;
      const mode = scalar(at(match.object.body, "spec.syncPolicy.applicationsSync"));
      if (mode === "create-only" || mode === "create-update") continue;
      push(
        cascadeDelete,
        file,
        "base",
        `The chart directory ${dir} is removed; ${match.object.name.includes(TEMPLATE_PLACEHOLDER) ? "an ApplicationSet" : `ApplicationSet ${match.object.name}`} (${match.object.file}) generates an Application from it, which is deleted${preserved ? "" : " with its resources finalizer, and with it everything the chart deployed, volumes included"}.`,
        `Application/${app}`,
        `remove application ${dir} generated by ${match.object.file}`,
        preserved ? "high" : undefined,
      );
    } else {
      push(deleteWorkload, file, "base", `The Helm chart in ${dir || "."} is removed; whatever deploys it (an Argo CD Application, a Flux HelmRelease) uninstalls it (unverified: the chart is not rendered).`, `chart ${dir || "."}`, `remove chart ${dir}`, "medium");
    }
  }
}

/** ApplicationSets with git directory generators, from manifests and (detemplated) chart templates. */
function applicationSets(side: Side, set: SideSet): { object: K8sObject; patterns: ((dir: string) => boolean)[] }[] {
  const found: K8sObject[] = [];
  for (const objects of set.objects.values()) for (const object of objects) if (object.kind === "ApplicationSet" && object.group === "argoproj.io") found.push(object);
  for (const [path, parsed] of side.files) {
    if (!parsed.error || !parsed.text.includes("ApplicationSet")) continue;
    const plain = parseManifestText(path, detemplate(parsed.text));
    for (const raw of plain.objects) {
      const object = makeObject(raw, path);
      if (object.kind === "ApplicationSet" && object.group === "argoproj.io") found.push(object);
    }
  }
  return found.map((object) => ({
    object,
    patterns: generators(object)
      .flatMap((g) => list(at(g, "git.directories")).map(map))
      .filter((d) => d.exclude !== true)
      .map((d) => (scalar(d.path) ?? "").replaceAll(TEMPLATE_PLACEHOLDER, "*"))
      .filter(Boolean)
      // The pattern comes from the pull request: one that cannot be matched in bounded time is
      // taken to match every directory, so a removed chart it might generate is still reported.
      .map((glob) => (globComplexityProblem(glob) ? () => true : globMatcher([glob], { dot: true }))),
  }));
}

/** One render result as the extra input that carries it to `analyzeAll`. */
export function carryRender(side: "base" | "head", dir: string, result: RenderResult, files: ReadonlyMap<string, string>): ExtraInput {
  const kustomization = KUSTOMIZATION_NAMES.map((name) => (dir === "" ? name : `${dir}/${name}`)).find((path) => files.has(path)) ?? dir;
  return encodeRender({ side, dir, result }, kustomization);
}
