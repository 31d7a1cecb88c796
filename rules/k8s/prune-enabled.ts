import type { RuleMeta } from "../../src/model/rule.js";

const ks = (prune: boolean) =>
  "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n" +
  `  interval: 10m\n  path: ./apps/production\n  prune: ${prune}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;

export const pruneEnabled: RuleMeta = {
  id: "k8s/prune-enabled",
  title: "Pruning turned on or a keep safeguard removed",
  severity: "high",
  category: "data-loss",
  why:
    "With pruning on (Argo CD `automated.prune`, Flux `prune: true`), whatever leaves the manifest set is deleted from " +
    "the cluster without a person confirming it. Removing a keep annotation (`Prune=false`, `Delete=false`, " +
    "`helm.sh/resource-policy: keep`, `kustomize.toolkit.fluxcd.io/prune: disabled`) or a deny sync window removes the " +
    "safeguard that kept an object, often a Namespace or a claim, from being deleted.",
  safeAlternative:
    "Before turning pruning on, compare the live objects with the manifests (`argocd app diff`, `flux diff " +
    "kustomization`) so nothing unexpected is pruned; keep the per-object safeguards on Namespaces, claims and volumes.",
  docs: "docs/rules.md#k8s-prune-enabled",
  examples: {
    fires: [{ note: "Flux prune false → true", base: { "clusters/production/apps.yaml": ks(false) }, head: { "clusters/production/apps.yaml": ks(true) } }],
    passes: [{ note: "prune true → false", base: { "clusters/production/apps.yaml": ks(true) }, head: { "clusters/production/apps.yaml": ks(false) } }],
  },
};
