import { API, DATABASE, edit, objectLine, RBAC, shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();
const deployment = objectLine(API, "Deployment", "api");
const sts = objectLine(DATABASE, "StatefulSet", "postgres");

runK8sRuleTests("k8s/immutable-change", {
  fires: [
    {
      name: "a Deployment's selector changes",
      base: app,
      head: edit(app, "k8s/api.yaml", "    matchLabels:\n      app: api\n", "    matchLabels:\n      app.kubernetes.io/name: api\n"),
      findings: [{ file: "k8s/api.yaml", line: deployment, object: "Deployment/shop/api", message: /spec.selector changed.*field is immutable/ }],
    },
    {
      name: "a StatefulSet's volumeClaimTemplates change",
      base: app,
      head: edit(app, "k8s/database.yaml", "storage: 100Gi", "storage: 200Gi"),
      findings: [{ file: "k8s/database.yaml", line: sts, object: "StatefulSet/shop/postgres", message: /spec.volumeClaimTemplates changed/ }],
    },
    {
      name: "a StatefulSet's serviceName changes under a forced Argo CD replace",
      base: edit(app, "k8s/database.yaml", "  namespace: shop\nspec:\n  serviceName", "  namespace: shop\n  annotations:\n    argocd.argoproj.io/sync-options: Replace=true\nspec:\n  serviceName"),
      head: edit(app, "k8s/database.yaml", "  namespace: shop\nspec:\n  serviceName: postgres", "  namespace: shop\n  annotations:\n    argocd.argoproj.io/sync-options: Replace=true\nspec:\n  serviceName: pg"),
      findings: [{ file: "k8s/database.yaml", line: sts, object: "StatefulSet/shop/postgres", severity: "critical", message: /deletes and recreates/ }],
    },
    {
      name: "a PVC's storage class changes",
      base: app,
      head: edit(app, "k8s/database.yaml", "storageClassName: nfs", "storageClassName: efs"),
      findings: [{ file: "k8s/database.yaml", line: objectLine(DATABASE, "PersistentVolumeClaim", "backups"), object: "PersistentVolumeClaim/shop/backups", message: /storageClassName/ }],
    },
    {
      name: "a RoleBinding's roleRef changes",
      base: app,
      head: edit(app, "k8s/rbac.yaml", "  kind: Role\n  name: api\n", "  kind: ClusterRole\n  name: view\n"),
      findings: [{ file: "k8s/rbac.yaml", line: objectLine(RBAC, "RoleBinding", "api"), object: "RoleBinding/shop/api", message: /cannot change roleRef/ }],
    },
    {
      name: "a Service gets a fixed clusterIP",
      base: app,
      head: edit(app, "k8s/api.yaml", "spec:\n  selector:\n    app: api\n", "spec:\n  clusterIP: 10.96.0.50\n  selector:\n    app: api\n"),
      findings: [{ file: "k8s/api.yaml", line: objectLine(API, "Service", "api"), object: "Service/shop/api", message: /spec.clusterIP/ }],
    },
    {
      name: "commonLabels added in a kustomization change the selector",
      base: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\n", "k8s/api.yaml": API },
      head: { "k8s/kustomization.yaml": "commonLabels:\n  env: prod\nresources:\n  - api.yaml\n", "k8s/api.yaml": API },
      findings: [{ file: "k8s/api.yaml", line: deployment, object: "Deployment/shop/api" }],
    },
  ],
  passes: [
    { name: "an image bump only", base: app, head: edit(app, "k8s/database.yaml", "postgres:16.4", "postgres:16.6") },
    { name: "pod template labels change, selector unchanged", base: app, head: edit(app, "k8s/api.yaml", "      labels:\n        app: api\n", "      labels:\n        app: api\n        version: v2\n") },
    { name: "a StatefulSet's replicas and template change (mutable)", base: app, head: edit(edit(app, "k8s/database.yaml", "  replicas: 1\n", "  replicas: 3\n"), "k8s/database.yaml", "postgres:16.4", "postgres:17.0") },
    { name: "labels without includeSelectors leave selectors alone", base: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\n", "k8s/api.yaml": API }, head: { "k8s/kustomization.yaml": "labels:\n  - pairs:\n      env: prod\nresources:\n  - api.yaml\n", "k8s/api.yaml": API } },
  ],
});
