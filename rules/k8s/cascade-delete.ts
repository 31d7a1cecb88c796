import type { RuleMeta } from "../../src/model/rule.js";

const APP =
  "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: billing\n  namespace: argocd\n  finalizers:\n" +
  "    - resources-finalizer.argocd.argoproj.io\nspec:\n  project: default\n  source:\n    repoURL: https://example.com/deploy.git\n" +
  "    path: billing\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: billing\n";

export const cascadeDelete: RuleMeta = {
  id: "k8s/cascade-delete",
  title: "GitOps object deleted with everything it deployed",
  severity: "critical",
  category: "data-loss",
  why:
    "Some objects own others: deleting an Argo CD Application that carries the resources finalizer deletes every " +
    "resource it deployed, an ApplicationSet deletes the Applications it generated, a Flux Kustomization with " +
    "`prune: true` deletes its whole inventory and a Flux HelmRelease uninstalls its release. One removed file can " +
    "delete a whole application with its data.",
  safeAlternative:
    "Remove the finalizer (or set `prune: false`, `preserveResourcesOnDeletion: true`) and let that sync first, so the " +
    "owner is deleted without its resources; then remove what should really go one object at a time.",
  docs: "docs/rules.md#k8s-cascade-delete",
  examples: {
    fires: [{ note: "an Application with the resources finalizer is removed", base: { "apps/billing.yaml": APP }, head: { "apps/README.md": "gone\n" } }],
    passes: [{ note: "the Application moves to another file", base: { "apps/billing.yaml": APP }, head: { "apps/all.yaml": APP } }],
  },
};
