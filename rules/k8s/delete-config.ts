import type { RuleMeta } from "../../src/model/rule.js";

const SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: stripe-keys\n  namespace: shop\ntype: Opaque\nstringData:\n  key: placeholder\n";

export const deleteConfig: RuleMeta = {
  id: "k8s/delete-config",
  title: "Secret or ConfigMap deleted",
  severity: "high",
  category: "outage",
  why:
    "Pods that mount or reference a deleted Secret or ConfigMap fail to start on their next restart, and a Secret " +
    "holding generated credentials or TLS keys may not be recoverable.",
  safeAlternative:
    "Remove every reference first (env, volumes, imagePullSecrets, Ingress TLS), roll the pods, keep a copy of the " +
    "Secret's data, then delete it in a separate change.",
  docs: "docs/rules.md#k8s-delete-config",
  examples: {
    fires: [{ note: "a Secret leaves the manifest set", base: { "deploy/secret.yaml": SECRET }, head: { "deploy/README.md": "gone\n" } }],
    passes: [{ note: "an annotation change only", base: { "deploy/secret.yaml": SECRET }, head: { "deploy/secret.yaml": SECRET.replace("  namespace: shop\n", "  namespace: shop\n  annotations:\n    owner: payments\n") } }],
  },
};
