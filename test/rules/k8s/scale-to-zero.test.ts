import { API, DATABASE, edit, objectLine, shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();

runK8sRuleTests("k8s/scale-to-zero", {
  fires: [
    {
      name: "the API Deployment is scaled to zero",
      base: app,
      head: edit(app, "k8s/api.yaml", "  replicas: 3\n", "  replicas: 0\n"),
      findings: [{ file: "k8s/api.yaml", line: objectLine(API, "Deployment", "api"), object: "Deployment/shop/api", message: /replicas 3 → 0/ }],
    },
    {
      name: "the database StatefulSet is scaled to zero",
      base: app,
      head: edit(app, "k8s/database.yaml", "  replicas: 1\n", "  replicas: 0\n"),
      findings: [{ file: "k8s/database.yaml", line: objectLine(DATABASE, "StatefulSet", "postgres"), object: "StatefulSet/shop/postgres" }],
    },
    {
      name: "a kustomization replicas entry sets zero",
      base: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\n", "k8s/api.yaml": API },
      head: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\nreplicas:\n  - name: api\n    count: 0\n", "k8s/api.yaml": API },
      findings: [{ file: "k8s/api.yaml", line: 1, object: "Deployment/shop/api" }],
    },
    {
      name: "a Helm values replicaCount turns 0 (unverified, medium)",
      base: app,
      head: edit(app, "deploy/values.yaml", "replicaCount: 3", "replicaCount: 0"),
      findings: [{ file: "deploy/values.yaml", line: 1, object: "values deploy", severity: "medium" }],
    },
  ],
  passes: [
    { name: "scaled up", base: app, head: edit(app, "k8s/api.yaml", "  replicas: 3\n", "  replicas: 6\n") },
    { name: "replicas removed (the HPA scales it)", base: app, head: edit(app, "k8s/api.yaml", "  replicas: 3\n", "") },
    { name: "already zero at base", base: edit(app, "k8s/api.yaml", "  replicas: 3\n", "  replicas: 0\n"), head: edit(app, "k8s/api.yaml", "  replicas: 3\n", "  replicas: 0\n").valueOf() && edit(edit(app, "k8s/api.yaml", "  replicas: 3\n", "  replicas: 0\n"), "k8s/api.yaml", "api:1.14.2", "api:1.15.0") },
  ],
});
