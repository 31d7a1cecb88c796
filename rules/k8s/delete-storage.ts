import type { RuleMeta } from "../../src/model/rule.js";

const PVC = "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: pg-data\n  namespace: db\nspec:\n  accessModes: [ReadWriteOnce]\n  resources:\n    requests:\n      storage: 20Gi\n";

export const deleteStorage: RuleMeta = {
  id: "k8s/delete-storage",
  title: "Persistent storage deleted",
  severity: "critical",
  category: "data-loss",
  why:
    "A deleted PersistentVolumeClaim releases its volume, and with the `Delete` reclaim policy (the default for " +
    "dynamically provisioned volumes) the disk and its data are destroyed. A reclaim or retention policy turned to " +
    "`Delete` makes the next deletion or scale-down destroy data the same way.",
  safeAlternative:
    "Set the PersistentVolume's reclaim policy to `Retain` and back up the data before removing the claim; protect " +
    "claims from pruning (`argocd.argoproj.io/sync-options: Delete=false`, `kustomize.toolkit.fluxcd.io/prune: disabled`).",
  docs: "docs/rules.md#k8s-delete-storage",
  examples: {
    fires: [
      { note: "a PVC leaves the manifest set", base: { "k8s/db/pvc.yaml": PVC }, head: { "k8s/db/README.md": "gone\n" } },
      {
        note: "a PersistentVolume's reclaim policy turns to Delete",
        base: { "k8s/pv.yaml": "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv-1\nspec:\n  persistentVolumeReclaimPolicy: Retain\n" },
        head: { "k8s/pv.yaml": "apiVersion: v1\nkind: PersistentVolume\nmetadata:\n  name: pv-1\nspec:\n  persistentVolumeReclaimPolicy: Delete\n" },
      },
    ],
    passes: [
      {
        note: "the claim grows (allowed, nothing is lost)",
        base: { "k8s/db/pvc.yaml": PVC },
        head: { "k8s/db/pvc.yaml": PVC.replace("20Gi", "50Gi") },
      },
    ],
  },
};
