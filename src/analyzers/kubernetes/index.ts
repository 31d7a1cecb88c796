/**
 * The Kubernetes analyzer. Which paths it claims is decided here; reading the manifests (the YAML
 * parser, Kustomize, the checks: manifests.ts) loads in prepare(), so a scan that claims no
 * manifest never loads them.
 */
import { unparsed } from "../../../rules/k8s/index.js";
import type { Analyzer } from "../types.js";
import type * as ManifestReader from "./manifests.js";
import { manifestPaths } from "./paths.js";

export interface KubernetesAnalyzerOptions {
  /** The policy's `paths.kubernetes` globs, added to the built-in manifest roots. */
  paths?: readonly string[];
}

type Manifests = typeof ManifestReader;
let manifests: Manifests | undefined;
let loading: Promise<Manifests> | undefined;

function loaded(): Manifests {
  if (!manifests) throw new Error("the manifest reader is not loaded (prepare() the analyzer first)");
  return manifests;
}

export function createKubernetesAnalyzer(options: KubernetesAnalyzerOptions = {}): Analyzer {
  const paths = manifestPaths(options.paths ?? []);
  return {
    id: "kubernetes",
    unparsedRule: unparsed,
    claims: paths.claims,
    async prepare() {
      loading ??= import("./manifests.js");
      // A failed load is tried again by the next scan.
      loading.catch(() => (loading = undefined));
      manifests = await loading;
    },
    scopes: (query) => loaded().manifestScopes(query, paths),
    analyze: (change) => loaded().analyzeManifests({ changes: [change], unchanged: [], scopes: [], inputs: [] }),
    analyzeAll: (input) => loaded().analyzeManifests(input),
  };
}
