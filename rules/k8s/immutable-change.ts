import type { RuleMeta } from "../../src/model/rule.js";

const ds = (labels: string) =>
  "apiVersion: apps/v1\nkind: DaemonSet\nmetadata:\n  name: node-exporter\n  namespace: monitoring\nspec:\n  selector:\n    matchLabels:\n" +
  labels +
  "  template:\n    metadata:\n      labels:\n" +
  labels.replace(/^ {6}/gm, "        ") +
  "    spec:\n      containers:\n        - name: node-exporter\n          image: quay.io/prometheus/node-exporter:v1.8.0\n";

export const immutableChange: RuleMeta = {
  id: "k8s/immutable-change",
  title: "Immutable field changed",
  severity: "high",
  category: "outage",
  why:
    "The API server refuses changes to immutable fields (a workload's selector, a StatefulSet's volumeClaimTemplates " +
    "or serviceName, a Job's template, a claim's storage class, a Service's clusterIP, a binding's roleRef): the apply " +
    "fails with `field is immutable`. Forced through (`--force`, Argo CD `Replace=true`, Flux `force`), the object is " +
    "deleted and recreated, with an outage and, for storage, the data.",
  safeAlternative:
    "Create a new object under a new name with the new value, move traffic to it, then delete the old one. For a " +
    "StatefulSet, `kubectl delete --cascade=orphan` and re-create it keeps its pods and claims.",
  docs: "docs/rules.md#k8s-immutable-change",
  examples: {
    fires: [{ note: "a DaemonSet's selector changes", base: { "manifests/ds.yaml": ds("      app: node-exporter\n") }, head: { "manifests/ds.yaml": ds("      app.kubernetes.io/name: node-exporter\n") } }],
    passes: [
      {
        note: "only the image changes",
        base: { "manifests/ds.yaml": ds("      app: node-exporter\n") },
        head: { "manifests/ds.yaml": ds("      app: node-exporter\n").replace("v1.8.0", "v1.8.1") },
      },
    ],
  },
};
