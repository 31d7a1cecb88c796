import type { RuleMeta } from "../../src/model/rule.js";

const DEPLOY =
  "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n  replicas: 2\n  selector:\n" +
  "    matchLabels:\n      app: api\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n" +
  "        - name: api\n          image: example/api:1.0.0\n";

export const deleteWorkload: RuleMeta = {
  id: "k8s/delete-workload",
  title: "Workload or service deleted",
  severity: "high",
  category: "outage",
  why:
    "When a Deployment, StatefulSet, DaemonSet, Job, Service, Ingress or RBAC object leaves a pruned manifest set, the " +
    "cluster deletes it: its pods stop, its address and load balancer are released, and what depended on it fails. " +
    "Renaming an object, or changing its namespace, deletes the old one too.",
  safeAlternative:
    "Check that nothing still uses the object, scale it down first, and remove it in its own change. To rename, create " +
    "the new object next to the old one, move traffic, then delete the old one.",
  docs: "docs/rules.md#k8s-delete-workload",
  examples: {
    fires: [
      { note: "a Deployment leaves the manifest set", base: { "k8s/api.yaml": DEPLOY }, head: { "k8s/README.md": "gone\n" } },
      { note: "a rename deletes the old object", base: { "k8s/api.yaml": DEPLOY }, head: { "k8s/api.yaml": DEPLOY.replace("name: api\n", "name: api-v2\n") } },
    ],
    passes: [{ note: "an image bump only", base: { "k8s/api.yaml": DEPLOY }, head: { "k8s/api.yaml": DEPLOY.replace("1.0.0", "1.1.0") } }],
  },
};
