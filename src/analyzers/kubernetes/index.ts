/**
 * The Kubernetes analyzer. Which paths it claims is decided here; reading the manifests (the YAML
 * parser, Kustomize, the checks: manifests.ts) loads in prepare(), so a scan that claims no
 * manifest never loads them.
 *
 * Kustomizations are rendered with `kubectl kustomize` when the caller hands the analyzer a
 * `renderer` (render.ts: the CLI and the App make one from kubectl on PATH, or
 * `CHANGEGATE_KUBECTL`). The analyzer stays pure: in `derive` it plans which roots to render
 * from the files the engine read and hands them to the renderer; the results come back to
 * `analyzeAll` as extra inputs (rendered.ts). Without a renderer, or where a render is refused or
 * fails, the static reading (kustomize.ts) serves.
 */
import { unparsed } from "../../../rules/k8s/index.js";
import type { Analyzer, ExtraInput } from "../types.js";
import type * as ManifestReader from "./manifests.js";
import { manifestPaths } from "./paths.js";
import type { KustomizeRenderer } from "./render.js";

export type { KustomizeRenderer } from "./render.js";

export interface KubernetesAnalyzerOptions {
  /** The policy's `paths.kubernetes` globs, added to the built-in manifest roots. */
  paths?: readonly string[];
  /** Renders kustomizations (`createKustomizeRenderer()`); without it they are read statically. */
  renderer?: KustomizeRenderer;
}

type Manifests = typeof ManifestReader;
let manifests: Manifests | undefined;
let loading: Promise<Manifests> | undefined;

function loaded(): Manifests {
  if (!manifests) throw new Error("the manifest reader is not loaded (prepare() the analyzer first)");
  return manifests;
}

export const KUSTOMIZE_RENDER_INPUT = "kustomize-render";

export function createKubernetesAnalyzer(options: KubernetesAnalyzerOptions = {}): Analyzer {
  const paths = manifestPaths(options.paths ?? []);
  const renderer = options.renderer;
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
    scopes: (query) => loaded().manifestScopes(query, paths, { rendering: renderer !== undefined }),
    analyze: (change) => loaded().analyzeManifests({ changes: [change], unchanged: [], scopes: [], inputs: [] }),
    analyzeAll: (input) => loaded().analyzeManifests(input),
    ...(renderer
      ? {
          async derive(input): Promise<ExtraInput[]> {
            const requests = loaded().renderRequests(input);
            const rendered = await Promise.all(requests.map(async (request) => ({ request, results: await renderer.render(request) })));
            return rendered.flatMap(({ request, results }) => request.dirs.map((dir, index) => loaded().carryRender(request.side, dir, results[index]!, request.files)));
          },
        }
      : {}),
  };
}
