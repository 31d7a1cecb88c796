/**
 * The checks on one object: removed (base only), changed (both sides) or added (head only). Each
 * returns findings through `report`, which places them: a removed object at its base line, the
 * rest at the head line. Statements are the normalised content a sign-off is bound to.
 */
import {
  cascadeDelete,
  deleteConfig,
  deleteCrd,
  deleteNamespace,
  deleteStorage,
  deleteWorkload,
  immutableChange,
  privilegeEscalation,
  pruneEnabled,
  scaleToZero,
} from "../../../rules/k8s/index.js";
import type { Severity } from "../../model/finding.js";
import type { RuleMeta } from "../../model/rule.js";
import { isPlainObject, type Json, type JsonObject } from "./load.js";
import { annotations, at, canonical, label, labels, list, map, podSpec, scalar, type K8sObject } from "./objects.js";

export interface Report {
  (rule: RuleMeta, object: K8sObject, side: "base" | "head", message: string, statement: string, severity?: Severity): void;
}

const ARGO_FINALIZER = /^resources-finalizer\.argocd\.argoproj\.io(\/(foreground|background))?$/;
const WORKLOAD_KINDS = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod", "ReplicationController"]);
const EXPOSURE_KINDS = new Set(["Service", "Ingress", "Gateway", "HTTPRoute", "GRPCRoute", "TLSRoute", "TCPRoute", "APIService", "IngressRoute", "VirtualService"]);
const RBAC_KINDS = new Set(["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"]);
const WEBHOOK_KINDS = new Set(["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"]);
const CONFIG_KINDS = new Set(["Secret", "ConfigMap", "SealedSecret", "ExternalSecret"]);

const isArgo = (o: K8sObject) => o.group === "argoproj.io";
const isFluxKustomization = (o: K8sObject) => o.kind === "Kustomization" && o.group.startsWith("kustomize.toolkit.fluxcd.io");
const isHelmRelease = (o: K8sObject) => o.kind === "HelmRelease" && o.group.startsWith("helm.toolkit.fluxcd.io");

/** What keeps a removed object in the cluster: a keep or no-prune marker, as written on it. */
export function keepMarkers(object: K8sObject): string[] {
  const out: string[] = [];
  const notes = annotations(object);
  const marks = { ...labels(object), ...notes };
  for (const option of syncOptions(notes["argocd.argoproj.io/sync-options"])) {
    if (/^(prune|delete)=(false|confirm)$/i.test(option)) out.push(`argocd.argoproj.io/sync-options: ${option}`);
  }
  const policy = notes["helm.sh/resource-policy"];
  if (policy !== undefined && policy.toLowerCase() !== "delete") out.push(`helm.sh/resource-policy: ${policy}`);
  const prune = marks["kustomize.toolkit.fluxcd.io/prune"];
  if (prune?.toLowerCase() === "disabled") out.push(`kustomize.toolkit.fluxcd.io/prune: ${prune}`);
  const reconcile = marks["kustomize.toolkit.fluxcd.io/reconcile"];
  if (reconcile?.toLowerCase() === "disabled") out.push(`kustomize.toolkit.fluxcd.io/reconcile: ${reconcile}`);
  return out;
}

function syncOptions(value: string | undefined): string[] {
  return (value ?? "").split(",").map((s) => s.trim()).filter(Boolean);
}

/** An object leaves the manifest set (removed, or renamed: `renamedTo` names the new one). */
export function checkRemoved(object: K8sObject, report: Report, renamedTo?: K8sObject, usedServiceAccounts?: ReadonlySet<string>): void {
  const what = renamedTo ? `${label(object)} is renamed to ${label(renamedTo)}, which deletes the old object` : `${label(object)} is removed from the manifests`;
  const statement = `remove ${object.group || "core"} ${label(object)}`;
  const kept = keepMarkers(object);
  if (kept.length > 0) {
    // The delivery tool leaves it in place: nothing is deleted, but the object is now unmanaged.
    const rule = ruleForRemoval(object).rule;
    report(rule, object, "base", `${what}; ${kept.join(", ")} keeps it in the cluster, no longer managed`, `${statement} kept`, "low");
    return;
  }
  if (object.kind === "ServiceAccount" && usedServiceAccounts && !usedServiceAccounts.has(`${object.namespace}/${object.name}`)) {
    // No workload of the set runs as it: removing it is clean-up.
    report(deleteWorkload, object, "base", `${what}: no workload in the manifests runs as it`, statement, "low");
    return;
  }
  const { rule, severity, consequence } = ruleForRemoval(object);
  report(rule, object, "base", `${what}: ${consequence}`, statement, severity);
}

function ruleForRemoval(object: K8sObject): { rule: RuleMeta; severity?: Severity; consequence: string } {
  const { kind } = object;
  if (kind === "Namespace") return { rule: deleteNamespace, consequence: "pruning it deletes every object in the namespace" };
  if (kind === "PersistentVolumeClaim") return { rule: deleteStorage, consequence: "its volume is released and, with the Delete reclaim policy, destroyed" };
  if (kind === "PersistentVolume") {
    const policy = scalar(at(object.body, "spec.persistentVolumeReclaimPolicy"));
    return { rule: deleteStorage, consequence: `the volume is deleted from the cluster (reclaim policy ${policy ?? "unset"})` };
  }
  if (kind === "CustomResourceDefinition") return { rule: deleteCrd, consequence: "every custom resource of this kind is deleted with it" };
  if (isArgo(object) && kind === "Application") {
    const finalizers = list(at(object.body, "metadata.finalizers")).map((f) => scalar(f) ?? "");
    const cascading = finalizers.find((f) => ARGO_FINALIZER.test(f));
    if (cascading) return { rule: cascadeDelete, consequence: `its finalizer ${cascading} deletes every resource the Application deployed` };
    return { rule: deleteWorkload, severity: "medium", consequence: "without the resources finalizer its resources stay, unmanaged" };
  }
  if (isArgo(object) && kind === "ApplicationSet") {
    if (at(object.body, "spec.syncPolicy.preserveResourcesOnDeletion") === true) {
      return { rule: cascadeDelete, severity: "high", consequence: "its Applications are deleted (their resources are preserved)" };
    }
    return { rule: cascadeDelete, consequence: "its generated Applications are deleted, with every resource they deployed" };
  }
  if (isFluxKustomization(object)) {
    if (at(object.body, "spec.prune") === true && scalar(at(object.body, "spec.deletionPolicy")) !== "Orphan") {
      return { rule: cascadeDelete, consequence: "with `prune: true` Flux deletes its whole inventory" };
    }
    return { rule: deleteWorkload, severity: "medium", consequence: "without pruning its objects stay, unmanaged" };
  }
  if (isHelmRelease(object)) return { rule: cascadeDelete, consequence: "helm-controller uninstalls the release and everything it created" };
  if (CONFIG_KINDS.has(kind)) return { rule: deleteConfig, consequence: "pods that use it fail on their next start" };
  if (kind === "StatefulSet") {
    const whenDeleted = scalar(at(object.body, "spec.persistentVolumeClaimRetentionPolicy.whenDeleted"));
    if (whenDeleted === "Delete") return { rule: deleteWorkload, severity: "critical", consequence: "its PVC retention policy deletes its volumes with it" };
    return { rule: deleteWorkload, consequence: "its pods stop (its claims stay, orphaned)" };
  }
  if (WORKLOAD_KINDS.has(kind)) return { rule: deleteWorkload, consequence: "its pods are deleted" };
  if (EXPOSURE_KINDS.has(kind)) return { rule: deleteWorkload, consequence: "what it serves becomes unreachable" };
  if (RBAC_KINDS.has(kind)) return { rule: deleteWorkload, consequence: "the permissions it grants are revoked" };
  if (WEBHOOK_KINDS.has(kind)) return { rule: deleteWorkload, consequence: "the admission webhook stops being called" };
  return { rule: deleteWorkload, severity: "medium", consequence: "the cluster deletes it when the set is pruned" };
}

/** An object present at both sides whose content differs. */
export function checkChanged(base: K8sObject, head: K8sObject, report: Report): void {
  storagePolicies(base, head, report);
  crdVersions(base, head, report);
  scale(base, head, report);
  immutable(base, head, report);
  pruning(base, head, report);
  gitops(base, head, report);
  escalation(base, head, report);
}

/** A new object: only what it grants can be judged. */
export function checkAdded(head: K8sObject, report: Report): void {
  escalation(undefined, head, report);
}

function storagePolicies(base: K8sObject, head: K8sObject, report: Report): void {
  const turned = (path: string) => {
    const before = scalar(at(base.body, path));
    const after = scalar(at(head.body, path));
    return after === "Delete" && before !== "Delete" ? before ?? "unset" : null;
  };
  if (head.kind === "PersistentVolume") {
    const from = turned("spec.persistentVolumeReclaimPolicy");
    if (from) report(deleteStorage, head, "head", `${label(head)}: reclaim policy ${from} → Delete, so releasing the claim destroys the volume`, `${label(head)} persistentVolumeReclaimPolicy=Delete`, "high");
  }
  if (head.kind === "StorageClass") {
    const from = turned("reclaimPolicy");
    if (from) report(deleteStorage, head, "head", `${label(head)}: reclaim policy ${from} → Delete for every volume it provisions`, `${label(head)} reclaimPolicy=Delete`, "high");
  }
  if (head.kind === "StatefulSet") {
    for (const when of ["whenDeleted", "whenScaled"]) {
      const from = turned(`spec.persistentVolumeClaimRetentionPolicy.${when}`);
      if (from) {
        report(deleteStorage, head, "head", `${label(head)}: PVC retention ${when} ${from} → Delete, so its claims are deleted ${when === "whenDeleted" ? "with it" : "on scale-down"}`, `${label(head)} persistentVolumeClaimRetentionPolicy.${when}=Delete`, "high");
      }
    }
  }
}

function crdVersions(base: K8sObject, head: K8sObject, report: Report): void {
  if (head.kind !== "CustomResourceDefinition") return;
  const served = (o: K8sObject) =>
    new Set(
      list(at(o.body, "spec.versions"))
        .map(map)
        .filter((v) => v.served !== false)
        .map((v) => scalar(v.name) ?? ""),
    );
  const now = served(head);
  for (const version of served(base)) {
    if (!now.has(version)) report(deleteCrd, head, "head", `${label(head)}: version ${version} is no longer served, so clients and manifests that use it fail`, `${label(head)} unserve ${version}`, "high");
  }
}

const SCALABLE = new Set(["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"]);

function scale(base: K8sObject, head: K8sObject, report: Report): void {
  if (!SCALABLE.has(head.kind)) return;
  const before = at(base.body, "spec.replicas");
  const after = at(head.body, "spec.replicas");
  if (after === 0 && before !== 0) {
    report(scaleToZero, head, "head", `${label(head)}: replicas ${typeof before === "number" ? before : "1 (default)"} → 0 stops every pod`, `${label(head)} replicas=0`);
  }
}

/** Fields of a StatefulSet's spec that may change; everything else is immutable. */
const STATEFULSET_MUTABLE = new Set(["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]);
const PV_MUTABLE = new Set(["capacity", "accessModes", "claimRef", "persistentVolumeReclaimPolicy", "storageClassName", "mountOptions", "volumeAttributesClassName"]);

function immutable(base: K8sObject, head: K8sObject, report: Report): void {
  const changed: string[] = [];
  const compare = (path: string, shown = path) => {
    const before = at(base.body, path);
    const after = at(head.body, path);
    if (before !== undefined && canonical(before) !== canonical(after)) changed.push(shown);
  };
  const specKeys = (except: Set<string>) => {
    const keys = new Set([...Object.keys(map(base.body.spec)), ...Object.keys(map(head.body.spec))]);
    for (const key of [...keys].sort()) {
      if (except.has(key)) continue;
      if (canonical(map(base.body.spec)[key]) !== canonical(map(head.body.spec)[key])) changed.push(`spec.${key}`);
    }
  };
  let error = "field is immutable";
  switch (head.kind) {
    case "Deployment":
    case "ReplicaSet":
    case "DaemonSet":
      compare("spec.selector");
      break;
    case "StatefulSet":
      specKeys(STATEFULSET_MUTABLE);
      error = "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";
      break;
    case "Job":
      compare("spec.selector");
      compare("spec.template");
      compare("spec.completionMode");
      break;
    case "PersistentVolumeClaim": {
      for (const key of ["storageClassName", "accessModes", "volumeName", "dataSource", "dataSourceRef", "volumeMode", "selector"]) compare(`spec.${key}`);
      const before = quantity(at(base.body, "spec.resources.requests.storage"));
      const after = quantity(at(head.body, "spec.resources.requests.storage"));
      if (before !== null && after !== null && after < before) changed.push("spec.resources.requests.storage (shrunk)");
      error = "spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims";
      break;
    }
    case "PersistentVolume":
      specKeys(PV_MUTABLE);
      error = "spec.persistentvolumesource is immutable after creation";
      break;
    case "StorageClass":
      for (const key of ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"]) compare(key);
      error = "updates to parameters are forbidden";
      break;
    case "Service": {
      const before = scalar(at(base.body, "spec.clusterIP"));
      const after = scalar(at(head.body, "spec.clusterIP"));
      // An allocated address cannot change, nor become `None`: set at head and different is refused.
      if (after !== undefined && after !== before && after !== "") changed.push("spec.clusterIP");
      else compare("spec.clusterIPs");
      break;
    }
    case "RoleBinding":
    case "ClusterRoleBinding":
      compare("roleRef");
      error = "cannot change roleRef";
      break;
    case "ConfigMap":
    case "Secret":
      if (base.body.immutable === true) {
        for (const key of ["data", "binaryData", "stringData", "immutable"]) compare(key);
        error = "field is immutable when `immutable` is set";
      }
      if (head.kind === "Secret") compare("type");
      break;
  }
  if (changed.length === 0) return;
  const forced = forcedReplace(head);
  const severity: Severity | undefined = forced && (head.kind === "StatefulSet" || head.kind === "PersistentVolumeClaim" || head.kind === "PersistentVolume") ? "critical" : undefined;
  const then = forced ? `${forced} deletes and recreates it` : "the apply fails until the object is recreated";
  const statement = `${label(head)} ${changed.map((path) => `${path}: ${canonical(at(base.body, path.split(" ")[0]!))} -> ${canonical(at(head.body, path.split(" ")[0]!))}`).join("; ")}`;
  report(immutableChange, head, "head", `${label(head)}: ${changed.join(", ")} changed, which the API refuses (${error}); ${then}`, statement, severity);
}

/** Whether the delivery tool forces a replace on this object (then an immutable change deletes it). */
function forcedReplace(object: K8sObject): string | null {
  const notes = annotations(object);
  const options = syncOptions(notes["argocd.argoproj.io/sync-options"]).map((o) => o.toLowerCase());
  if (options.includes("replace=true") || options.includes("force=true")) return "Argo CD's Replace/Force sync option";
  if (notes["kustomize.toolkit.fluxcd.io/force"]?.toLowerCase() === "enabled" || labels(object)["kustomize.toolkit.fluxcd.io/force"]?.toLowerCase() === "enabled") {
    return "Flux's force annotation";
  }
  return null;
}

function quantity(value: Json | undefined): number | null {
  const text = scalar(value);
  if (text === undefined) return null;
  const match = /^([0-9.]+)\s*([KMGTPE]i?|[kmgtpe])?$/.exec(text.trim());
  if (!match) return null;
  const units: Record<string, number> = { "": 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  return Number(match[1]) * (units[match[2] ?? ""] ?? 1);
}

function pruning(base: K8sObject, head: K8sObject, report: Report): void {
  const critical = head.kind === "Namespace" || head.kind === "PersistentVolumeClaim" || head.kind === "PersistentVolume";
  const removedMarkers = keepMarkers(base).filter((marker) => !keepMarkers(head).includes(marker));
  for (const marker of removedMarkers) {
    report(pruneEnabled, head, "head", `${label(head)}: the safeguard ${marker} is removed, so pruning can now delete it`, `${label(head)} -${marker}`, critical ? "critical" : undefined);
  }
  const baseOptions = syncOptions(annotations(base)["argocd.argoproj.io/sync-options"]).map((o) => o.toLowerCase());
  for (const option of syncOptions(annotations(head)["argocd.argoproj.io/sync-options"])) {
    if (/^(replace|force)=true$/i.test(option) && !baseOptions.includes(option.toLowerCase())) {
      report(pruneEnabled, head, "head", `${label(head)}: sync option ${option} is added, so Argo CD deletes and recreates it when an apply fails`, `${label(head)} +${option}`);
    }
  }
  if (isArgo(head) && head.kind === "Application") {
    const automated = (o: K8sObject) => map(at(o.body, "spec.syncPolicy.automated"));
    const on = (o: K8sObject) => isPlainObject(at(o.body, "spec.syncPolicy.automated")) && automated(o).prune === true;
    if (on(head) && !on(base)) report(pruneEnabled, head, "head", `${label(head)}: automated prune is turned on`, `${label(head)} automated.prune=true`);
    if (automated(head).allowEmpty === true && automated(base).allowEmpty !== true) {
      report(pruneEnabled, head, "head", `${label(head)}: allowEmpty is turned on, so an empty source prunes everything`, `${label(head)} automated.allowEmpty=true`);
    }
    const appOptions = (o: K8sObject) => list(at(o.body, "spec.syncPolicy.syncOptions")).map((x) => (scalar(x) ?? "").trim().toLowerCase());
    for (const option of appOptions(base)) {
      if (/^(prune|delete)=(false|confirm)$/.test(option) && !appOptions(head).includes(option)) {
        report(pruneEnabled, head, "head", `${label(head)}: sync option ${option} is removed`, `${label(head)} -syncOptions ${option}`);
      }
    }
  }
  if (isArgo(head) && head.kind === "AppProject") {
    const denies = (o: K8sObject) => list(at(o.body, "spec.syncWindows")).map(map).filter((w) => scalar(w.kind) === "deny");
    const key = (w: JsonObject) => canonical({ schedule: w.schedule ?? null, duration: w.duration ?? null, applications: w.applications ?? null, namespaces: w.namespaces ?? null, clusters: w.clusters ?? null });
    const headWindows = new Map(denies(head).map((w) => [key(w), w]));
    for (const window of denies(base)) {
      const now = headWindows.get(key(window));
      if (!now) report(pruneEnabled, head, "head", `${label(head)}: a deny sync window (${scalar(window.schedule) ?? "?"}) is removed`, `${label(head)} -syncWindow ${key(window)}`);
      else if (now.manualSync === true && window.manualSync !== true) {
        report(pruneEnabled, head, "head", `${label(head)}: manualSync is turned on in a deny sync window (${scalar(window.schedule) ?? "?"})`, `${label(head)} manualSync ${key(window)}`);
      }
    }
  }
  if (isFluxKustomization(head)) {
    if (at(head.body, "spec.prune") === true && at(base.body, "spec.prune") !== true) report(pruneEnabled, head, "head", `${label(head)}: prune is turned on`, `${label(head)} prune=true`);
    if (at(head.body, "spec.force") === true && at(base.body, "spec.force") !== true) {
      report(pruneEnabled, head, "head", `${label(head)}: force is turned on, so objects with immutable changes are deleted and recreated`, `${label(head)} force=true`);
    }
    if (scalar(at(base.body, "spec.deletionPolicy")) === "Orphan" && scalar(at(head.body, "spec.deletionPolicy")) !== "Orphan") {
      report(pruneEnabled, head, "head", `${label(head)}: deletionPolicy Orphan is removed`, `${label(head)} -deletionPolicy=Orphan`);
    }
  }
}

function gitops(base: K8sObject, head: K8sObject, report: Report): void {
  const changedAt = (paths: string[]) => paths.filter((path) => canonical(at(base.body, path)) !== canonical(at(head.body, path)));
  if (isArgo(head) && head.kind === "Application") {
    const moved = changedAt(["spec.destination.server", "spec.destination.name", "spec.destination.namespace", "spec.source.repoURL", "spec.source.path", "spec.source.chart"]);
    if (moved.length > 0) {
      report(cascadeDelete, head, "head", `${label(head)}: ${moved.join(", ")} changed, so what it deployed before is pruned from the old place`, `${label(head)} ${moved.map((p) => `${p}=${canonical(at(head.body, p))}`).join(" ")}`, "high");
    }
    valuesToggles(at(base.body, "spec.source.helm.valuesObject"), at(head.body, "spec.source.helm.valuesObject"), head, report);
  }
  if (isHelmRelease(head)) {
    const moved = changedAt(["spec.releaseName", "spec.targetNamespace", "spec.storageNamespace"]);
    if (moved.length > 0) {
      report(cascadeDelete, head, "head", `${label(head)}: ${moved.join(", ")} changed, so helm-controller uninstalls the release before installing a new one`, `${label(head)} ${moved.map((p) => `${p}=${canonical(at(head.body, p))}`).join(" ")}`, "high");
    }
    valuesToggles(at(base.body, "spec.values"), at(head.body, "spec.values"), head, report);
  }
  if (isFluxKustomization(head) && at(head.body, "spec.prune") === true) {
    const moved = changedAt(["spec.path", "spec.sourceRef", "spec.targetNamespace"]);
    if (moved.length > 0) {
      report(cascadeDelete, head, "head", `${label(head)}: ${moved.join(", ")} changed with prune on, so everything it applied from the old place is deleted`, `${label(head)} ${moved.map((p) => `${p}=${canonical(at(head.body, p))}`).join(" ")}`, "high");
    }
  }
  if (isArgo(head) && head.kind === "ApplicationSet") {
    const mode = scalar(at(head.body, "spec.syncPolicy.applicationsSync"));
    if (mode === "create-only" || mode === "create-update") return;
    const elements = (o: K8sObject) => generators(o).flatMap((g) => list(at(g, "list.elements")).map(canonical));
    const directories = (o: K8sObject) => generators(o).flatMap((g) => list(at(g, "git.directories")).map(map).filter((d) => d.exclude !== true).map((d) => scalar(d.path) ?? ""));
    const nowElements = new Set(elements(head));
    const nowDirectories = new Set(directories(head));
    const preserved = at(head.body, "spec.syncPolicy.preserveResourcesOnDeletion") === true;
    for (const element of elements(base)) {
      if (!nowElements.has(element)) {
        report(cascadeDelete, head, "head", `${label(head)}: generator element ${element} is removed, so its Application is deleted${preserved ? "" : " with everything it deployed"}`, `${label(head)} -element ${element}`, preserved ? "high" : undefined);
      }
    }
    for (const directory of directories(base)) {
      if (!nowDirectories.has(directory)) {
        report(cascadeDelete, head, "head", `${label(head)}: git directory ${directory} is no longer generated, so its Applications are deleted${preserved ? "" : " with everything they deployed"}`, `${label(head)} -directory ${directory}`, preserved ? "high" : undefined);
      }
    }
  }
}

export function generators(object: K8sObject): JsonObject[] {
  const out: JsonObject[] = [];
  const walk = (value: Json | undefined, depth: number) => {
    for (const g of list(value).map(map)) {
      out.push(g);
      // Matrix and merge generators nest their children.
      if (depth < 3) {
        walk(at(g, "matrix.generators"), depth + 1);
        walk(at(g, "merge.generators"), depth + 1);
      }
    }
  };
  walk(at(object.body, "spec.generators"), 0);
  return out;
}

/**
 * A chart value that switches objects off (`persistence.enabled`, `ingress.enabled`, `*.create`): the
 * chart is not rendered, so this is reported as unverified at medium.
 */
export function valuesToggles(base: Json | undefined, head: Json | undefined, object: K8sObject, report: Report): void {
  for (const { path, rule, message } of toggledOff(base, head)) {
    report(rule, object, "head", `${label(object)}: chart value ${path} ${message} (unverified: the chart is not rendered)`, `${label(object)} values ${path}`, "medium");
  }
}

export function toggledOff(base: Json | undefined, head: Json | undefined): { path: string; rule: RuleMeta; message: string }[] {
  const before = flatten(base);
  const after = flatten(head);
  const out: { path: string; rule: RuleMeta; message: string }[] = [];
  for (const [path, value] of before) {
    const name = path.slice(path.lastIndexOf(".") + 1);
    const now = after.get(path);
    const storage = /persist|pvc|volume|storage/i.test(path);
    const rule = storage ? deleteStorage : deleteWorkload;
    if ((name === "enabled" || name === "create") && value === true && now !== true) {
      out.push({ path, rule, message: now === undefined ? "is removed (was true), so what it created is likely deleted" : `turns ${String(now)}, so what it created is deleted` });
    } else if ((name === "replicaCount" || name === "replicas") && typeof value === "number" && value > 0 && now === 0) {
      out.push({ path, rule: scaleToZero, message: "turns 0" });
    }
  }
  return out;
}

function flatten(value: Json | undefined, prefix = "", out = new Map<string, Json>(), depth = 0): Map<string, Json> {
  if (!isPlainObject(value) || depth > 32) return out;
  for (const [key, v] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (isPlainObject(v)) flatten(v, path, out, depth + 1);
    else out.set(path, v);
  }
  return out;
}

/** Facts of an object that grant more than a plain workload has. */
export function escalationFacts(object: K8sObject): string[] {
  const facts: string[] = [];
  const spec = podSpec(object);
  if (spec) {
    for (const key of ["hostNetwork", "hostPID", "hostIPC"]) if (spec[key] === true) facts.push(key);
    for (const volume of list(spec.volumes).map(map)) {
      const path = scalar(at(volume, "hostPath.path"));
      if (path !== undefined) facts.push(`hostPath ${path}`);
    }
    const containers = [...list(spec.initContainers), ...list(spec.containers), ...list(spec.ephemeralContainers)].map(map);
    for (const container of containers) {
      const name = scalar(container.name) ?? "?";
      const security = map(container.securityContext);
      if (security.privileged === true) facts.push(`privileged container ${name}`);
      if (security.allowPrivilegeEscalation === true) facts.push(`allowPrivilegeEscalation in ${name}`);
      for (const cap of list(at(security, "capabilities.add"))) facts.push(`capability ${scalar(cap) ?? "?"} in ${name}`);
    }
  }
  if (object.kind === "RoleBinding" || object.kind === "ClusterRoleBinding") {
    if (scalar(at(object.body, "roleRef.name")) === "cluster-admin") facts.push("binding to cluster-admin");
  }
  if (object.kind === "Role" || object.kind === "ClusterRole") {
    for (const rule of list(object.body.rules).map(map)) {
      const verbs = list(rule.verbs).map((v) => scalar(v) ?? "");
      const resources = list(rule.resources).map((v) => scalar(v) ?? "");
      const groups = list(rule.apiGroups).map((v) => scalar(v) ?? "");
      if (verbs.includes("*")) facts.push(`wildcard verbs on ${resources.join(",") || "?"}`);
      if (resources.includes("*")) facts.push(`wildcard resources in groups ${groups.join(",") || '""'}`);
      if (resources.includes("secrets") && verbs.some((v) => ["get", "list", "watch", "*"].includes(v))) facts.push(`read access to secrets`);
      if (resources.some((r) => r === "pods/exec" || r === "pods/attach") && verbs.some((v) => ["create", "get", "*"].includes(v))) facts.push("pods/exec");
      if (verbs.some((v) => v === "escalate" || v === "bind" || v === "impersonate")) facts.push(`verbs ${verbs.filter((v) => ["escalate", "bind", "impersonate"].includes(v)).join(",")}`);
    }
  }
  return [...new Set(facts)].sort();
}

function escalation(base: K8sObject | undefined, head: K8sObject, report: Report): void {
  const before = new Set(base ? escalationFacts(base) : []);
  const added = escalationFacts(head).filter((fact) => !before.has(fact));
  if (added.length === 0) return;
  report(privilegeEscalation, head, "head", `${label(head)} ${base ? "now has" : "is added with"} ${added.join("; ")}`, `${label(head)} ${added.join("; ")}`);
}
