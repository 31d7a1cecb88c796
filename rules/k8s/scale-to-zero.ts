import type { RuleMeta } from "../../src/model/rule.js";

const sts = (replicas: number) =>
  `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: kafka\n  namespace: data\nspec:\n  replicas: ${replicas}\n  serviceName: kafka\n` +
  "  selector:\n    matchLabels:\n      app: kafka\n  template:\n    metadata:\n      labels:\n        app: kafka\n    spec:\n      containers:\n" +
  "        - name: kafka\n          image: example/kafka:3.7\n";

export const scaleToZero: RuleMeta = {
  id: "k8s/scale-to-zero",
  title: "Workload scaled to zero",
  severity: "high",
  category: "outage",
  why:
    "Zero replicas stops every pod of the workload: the service it backs goes down at once. For a StatefulSet with a " +
    "PVC retention policy of `Delete` on scale-down, the claims of the removed pods are deleted too.",
  safeAlternative:
    "If the workload should stop, say so in the pull request and take it out of traffic first (remove it from the " +
    "Service or Ingress); if it should not, keep at least one replica.",
  docs: "docs/rules.md#k8s-scale-to-zero",
  examples: {
    fires: [{ note: "replicas 3 → 0", base: { "k8s/kafka.yaml": sts(3) }, head: { "k8s/kafka.yaml": sts(0) } }],
    passes: [{ note: "replicas 3 → 5", base: { "k8s/kafka.yaml": sts(3) }, head: { "k8s/kafka.yaml": sts(5) } }],
  },
};
