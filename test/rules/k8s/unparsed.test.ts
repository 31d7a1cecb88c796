import { API, edit, shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();

runK8sRuleTests("k8s/unparsed", {
  fires: [
    {
      name: "tabs in a changed manifest",
      base: app,
      head: edit(app, "k8s/api.yaml", "  namespace: shop\n  labels:", "  namespace: shop\n\tlabels:"),
      findings: [{ file: "k8s/api.yaml", line: 6, object: "k8s/api.yaml", message: /could not be read/ }],
    },
    {
      name: "a kustomization refers to a file that does not exist",
      base: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\n", "k8s/api.yaml": API },
      head: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\n  - worker.yaml\n", "k8s/api.yaml": API },
      findings: [{ file: "k8s/kustomization.yaml", line: 3, object: "k8s/kustomization.yaml", message: /worker.yaml.*cannot be built/ }],
    },
    {
      name: "an alias bomb",
      base: app,
      head: {
        ...app,
        "k8s/bomb.yaml":
          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n",
      },
      findings: [{ file: "k8s/bomb.yaml", line: 1, object: "k8s/bomb.yaml", message: /alias bomb/ }],
    },
  ],
  passes: [
    { name: "a valid change", base: app, head: edit(app, "k8s/api.yaml", "1.14.2", "1.14.3") },
    { name: "a Helm template is not judged as YAML", base: app, head: { ...app, "deploy/chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.0.0\n", "deploy/chart/templates/deployment.yaml": "{{- if .Values.enabled }}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n{{- end }}\n" } },
    { name: "a broken file that is not changed is not reported", base: { ...app, "k8s/legacy.yaml": "a: [\n" }, head: { ...app, "k8s/legacy.yaml": "a: [\n", "k8s/api.yaml": API.replace("1.14.2", "1.14.3") } },
  ],
});
