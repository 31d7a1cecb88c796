import { API, edit, NAMESPACE, objectLine, shopApp, without } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();
const ns = objectLine(NAMESPACE, "Namespace", "shop");

runK8sRuleTests("k8s/delete-namespace", {
  fires: [
    {
      name: "the namespace file is deleted from a realistic app",
      base: app,
      head: without(app, "k8s/namespace.yaml"),
      findings: [{ file: "k8s/namespace.yaml", line: ns, side: "base", object: "Namespace/shop", message: /deletes every object in the namespace/ }],
    },
    {
      name: "a rename is a deletion of the old namespace",
      base: app,
      head: edit(app, "k8s/namespace.yaml", "kind: Namespace\nmetadata:\n  name: shop", "kind: Namespace\nmetadata:\n  name: shop-v2"),
      findings: [{ file: "k8s/namespace.yaml", line: ns, side: "base", object: "Namespace/shop", message: /Namespace\/shop is removed/ }],
    },
    {
      name: "a kustomization's namespace change renames a Namespace it renders",
      base: {
        "k8s/kustomization.yaml": "namespace: shop\nresources:\n  - namespace.yaml\n",
        "k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
      },
      head: {
        "k8s/kustomization.yaml": "namespace: shop\nresources: []\n",
        "k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n",
      },
      findings: [{ file: "k8s/namespace.yaml", line: 1, side: "base", object: "Namespace/shop" }],
    },
    {
      name: "a namespace kept by Delete=false is reported low: it stays, unmanaged",
      base: edit(app, "k8s/namespace.yaml", "  labels:\n    team: commerce", "  annotations:\n    argocd.argoproj.io/sync-options: Delete=false\n  labels:\n    team: commerce"),
      head: without(app, "k8s/namespace.yaml"),
      findings: [{ file: "k8s/namespace.yaml", line: ns, side: "base", object: "Namespace/shop", severity: "low", message: /keeps it in the cluster/ }],
    },
  ],
  passes: [
    { name: "the namespace moves into another file", base: app, head: { ...without(app, "k8s/namespace.yaml"), "k8s/api.yaml": `${NAMESPACE}---\n${API}` } },
    { name: "a label is added to the namespace", base: app, head: edit(app, "k8s/namespace.yaml", "team: commerce", "team: commerce\n    tier: gold") },
  ],
});
