import type { RuleMeta } from "../../src/model/rule.js";

export const deleteNamespace: RuleMeta = {
  id: "k8s/delete-namespace",
  title: "Namespace deleted",
  severity: "critical",
  category: "data-loss",
  why:
    "Deleting a Namespace deletes every object inside it: workloads, Secrets, PersistentVolumeClaims and, through " +
    "their reclaim policy, the disks behind them. A namespace rename is the same deletion followed by an empty new namespace.",
  safeAlternative:
    "Move or back up what the namespace holds first. Protect namespaces from pruning (`argocd.argoproj.io/sync-options: " +
    "Delete=false`, `kustomize.toolkit.fluxcd.io/prune: disabled`) and delete them by hand once they are empty.",
  docs: "docs/rules.md#k8s-delete-namespace",
  examples: {
    fires: [
      {
        note: "the Namespace leaves the manifest set",
        base: { "k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n" },
        head: { "k8s/README.md": "moved elsewhere\n" },
      },
    ],
    passes: [
      {
        note: "the Namespace moves to another file",
        base: { "k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n" },
        head: { "k8s/all.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n" },
      },
    ],
  },
};
