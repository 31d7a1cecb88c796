import type { RuleMeta } from "../../src/model/rule.js";

const crd = (versions: string) =>
  "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: backups.example.com\nspec:\n  group: example.com\n" +
  "  names:\n    kind: Backup\n    plural: backups\n  scope: Namespaced\n  versions:\n" +
  versions;
const V1 = "  - name: v1\n    served: true\n    storage: true\n";
const V1BETA1 = "  - name: v1beta1\n    served: true\n    storage: false\n";

export const deleteCrd: RuleMeta = {
  id: "k8s/delete-crd",
  title: "CustomResourceDefinition deleted or version dropped",
  severity: "critical",
  category: "data-loss",
  why:
    "Deleting a CustomResourceDefinition deletes every custom resource of that kind in every namespace, and their " +
    "controllers' finalizers may delete what those resources manage (cloud databases, buckets, certificates). A served " +
    "version that is dropped makes every client and manifest still using it fail.",
  safeAlternative:
    "Keep the CRD until no resource of its kind is left (check with `kubectl get <plural> -A`). Stop serving a " +
    "version only after every stored object has been migrated to the storage version.",
  docs: "docs/rules.md#k8s-delete-crd",
  examples: {
    fires: [
      { note: "the CRD is removed", base: { "manifests/setup/crd.yaml": crd(V1) }, head: { "manifests/setup/README.md": "gone\n" } },
      { note: "a served version is dropped", base: { "manifests/setup/crd.yaml": crd(V1BETA1 + V1) }, head: { "manifests/setup/crd.yaml": crd(V1) } },
    ],
    passes: [{ note: "a version is added", base: { "manifests/setup/crd.yaml": crd(V1) }, head: { "manifests/setup/crd.yaml": crd(V1BETA1 + V1) } }],
  },
};
