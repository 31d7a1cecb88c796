/** Which files the Kubernetes analyzer reads, and which directories it must see whole. */
import picomatch from "picomatch";
import { globMatcher } from "../../util/glob.js";

export const KUSTOMIZATION_NAMES = ["kustomization.yaml", "kustomization.yml", "Kustomization"] as const;

export function isKustomizationFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return (KUSTOMIZATION_NAMES as readonly string[]).includes(base);
}

export function dirOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}

/** Conventional manifest roots (top-level directories). */
export const MANIFEST_ROOTS = ["k8s", "deploy", "manifests", "kustomize", "clusters", "apps"] as const;

const MANIFEST_FILE = /\.(ya?ml|json)$/i;

export function isManifestFileName(path: string): boolean {
  return MANIFEST_FILE.test(path) || isKustomizationFile(path);
}

/** A file under a chart's `templates/`: Helm templates are not rendered, so their objects are never diffed. */
export function isChartTemplate(path: string, chartDirs: ReadonlySet<string>): boolean {
  const parts = path.split("/");
  for (let i = parts.length - 2; i >= 0; i--) {
    if (parts[i] !== "templates") continue;
    const chart = parts.slice(0, i).join("/");
    if (chartDirs.has(chart) || (i >= 2 && parts[i - 2] === "charts")) return true;
  }
  return false;
}

export function isChartFile(path: string): boolean {
  return path === "Chart.yaml" || path.endsWith("/Chart.yaml");
}

/** Helm values files: `values.yaml`, `values-prod.yaml`, `podinfo-values.yaml`. */
export function isValuesFile(path: string): boolean {
  const base = path.slice(path.lastIndexOf("/") + 1);
  return /^values([-._].*)?\.ya?ml$/i.test(base) || /[-._]values\.ya?ml$/i.test(base);
}

export interface ManifestPaths {
  claims(path: string): boolean;
  /** The manifest root a claimed path belongs to: a root, read whole; or, for a kustomization outside the roots, its own directory. */
  rootOf(path: string): { dir: string; recursive: boolean };
}

export function manifestPaths(extraGlobs: readonly string[]): ManifestPaths {
  const extra = globMatcher(extraGlobs, { dot: true });
  const extraBases = extraGlobs.map((glob) => picomatch.scan(glob).base.replace(/\/$/, ""));
  const inRoot = (path: string) => (MANIFEST_ROOTS as readonly string[]).includes(path.split("/")[0]!) && path.includes("/");
  return {
    claims(path) {
      if (!isManifestFileName(path)) return false;
      return inRoot(path) || isKustomizationFile(path) || extra(path);
    },
    rootOf(path) {
      if (inRoot(path)) return { dir: path.split("/")[0]!, recursive: true };
      if (extra(path)) {
        for (const base of extraBases) if (base === "" || path.startsWith(`${base}/`)) return { dir: base, recursive: true };
      }
      return { dir: dirOf(path), recursive: false };
    },
  };
}
