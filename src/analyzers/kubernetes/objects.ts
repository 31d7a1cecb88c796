/** Object identity and the small JSON helpers every check uses. */
import type { Json, JsonObject, RawObject } from "./load.js";
import { isPlainObject } from "./load.js";

/** Kinds that live outside namespaces: their namespace is never part of their identity. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "Node",
  "PersistentVolume",
  "StorageClass",
  "CustomResourceDefinition",
  "ClusterRole",
  "ClusterRoleBinding",
  "APIService",
  "MutatingWebhookConfiguration",
  "ValidatingWebhookConfiguration",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "PriorityClass",
  "RuntimeClass",
  "IngressClass",
  "CSIDriver",
  "VolumeSnapshotClass",
  "GatewayClass",
  "ClusterIssuer",
  "ClusterPolicy",
  "ClusterSecretStore",
  "PodSecurityPolicy",
]);

export function isClusterScoped(kind: string): boolean {
  return CLUSTER_SCOPED.has(kind);
}

/** An object placed in the manifest set: where it is written, and what it is called once rendered. */
export interface K8sObject {
  apiVersion: string;
  /** The API group without the version (`apps`, `""` for the core group): a version bump is the same object. */
  group: string;
  kind: string;
  name: string;
  /** `""` for cluster-scoped objects and objects that do not say. */
  namespace: string;
  body: JsonObject;
  file: string;
  line: number;
  endLine: number;
  /** Files this occurrence depends on (its file and the kustomizations that render it). */
  via: readonly string[];
  /** Made by a kustomize generator with a content hash in its name (`name` is without it). */
  generated?: boolean;
}

export function makeObject(raw: RawObject, file: string, via: readonly string[] = [file]): K8sObject {
  const body = raw.body;
  const apiVersion = String(body.apiVersion);
  const kind = String(body.kind);
  const metadata = isPlainObject(body.metadata) ? body.metadata : {};
  return {
    apiVersion,
    group: apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.lastIndexOf("/")) : "",
    kind,
    name: scalar(metadata.name) ?? scalar(metadata.generateName) ?? "",
    namespace: isClusterScoped(kind) ? "" : (scalar(metadata.namespace) ?? ""),
    body,
    file,
    line: raw.line,
    endLine: raw.endLine,
    via,
  };
}

/** The identity objects are compared by: group, kind, namespace, name. */
export function identity(object: Pick<K8sObject, "group" | "kind" | "namespace" | "name">): string {
  return `${object.group}\0${object.kind}\0${object.namespace}\0${object.name}`;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects and objects without a namespace. */
export function label(object: Pick<K8sObject, "kind" | "namespace" | "name">): string {
  return object.namespace ? `${object.kind}/${object.namespace}/${object.name}` : `${object.kind}/${object.name}`;
}

export function scalar(value: Json | undefined): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return undefined;
}

/** The value at a dotted path (`spec.selector.matchLabels`); undefined where any step is missing. */
export function at(value: Json | undefined, path: string): Json | undefined {
  let current: Json | undefined = value;
  for (const key of path.split(".")) {
    if (!isPlainObject(current)) return undefined;
    current = current[key];
  }
  return current;
}

export function map(value: Json | undefined): JsonObject {
  return isPlainObject(value) ? value : {};
}

export function list(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

/** JSON with sorted keys: equal content gives equal text whatever the key order in the file. */
export function canonical(value: Json | undefined): string {
  if (value === undefined) return "null";
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: Json): Json {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isPlainObject(value)) {
    const out: JsonObject = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys(value[key]!);
    return out;
  }
  return value;
}

export function annotations(object: K8sObject): Record<string, string> {
  return stringMap(at(object.body, "metadata.annotations"));
}

export function labels(object: K8sObject): Record<string, string> {
  return stringMap(at(object.body, "metadata.labels"));
}

function stringMap(value: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(map(value))) {
    const s = scalar(v);
    if (s !== undefined) out[key] = s;
  }
  return out;
}

/** The pod spec of a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob …). */
export function podSpec(object: K8sObject): JsonObject | undefined {
  if (object.kind === "Pod") return isPlainObject(object.body.spec) ? object.body.spec : undefined;
  const direct = at(object.body, "spec.template.spec");
  if (isPlainObject(direct)) return direct;
  const cron = at(object.body, "spec.jobTemplate.spec.template.spec");
  return isPlainObject(cron) ? cron : undefined;
}
