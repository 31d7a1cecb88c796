import { API, edit, INGRESS, objectLine, RBAC, shopApp, without } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();

runK8sRuleTests("k8s/delete-workload", {
  fires: [
    {
      name: "the API file (Deployment, Service, HPA) is deleted",
      base: app,
      head: without(app, "k8s/api.yaml"),
      findings: [
        { file: "k8s/api.yaml", line: objectLine(API, "Deployment", "api"), side: "base", object: "Deployment/shop/api", message: /pods are deleted/ },
        { file: "k8s/api.yaml", line: objectLine(API, "Service", "api"), side: "base", object: "Service/shop/api" },
        { file: "k8s/api.yaml", line: objectLine(API, "HorizontalPodAutoscaler", "api"), side: "base", object: "HorizontalPodAutoscaler/shop/api", severity: "medium" },
      ],
    },
    {
      name: "the Ingress is renamed",
      base: app,
      head: edit(app, "k8s/ingress.yaml", "  name: shop\n", "  name: storefront\n"),
      findings: [{ file: "k8s/ingress.yaml", line: 1, side: "base", object: "Ingress/shop/shop", message: /renamed to Ingress\/shop\/storefront/ }],
    },
    {
      name: "RBAC removed: the Role and its binding",
      base: app,
      head: { ...app, "k8s/rbac.yaml": RBAC.split("---\n")[0]! },
      findings: [
        { file: "k8s/rbac.yaml", line: objectLine(RBAC, "Role", "api"), side: "base", object: "Role/shop/api", message: /permissions/ },
        { file: "k8s/rbac.yaml", line: objectLine(RBAC, "RoleBinding", "api"), side: "base", object: "RoleBinding/shop/api" },
      ],
    },
    {
      name: "a namePrefix added in a kustomization renames every object",
      base: { "k8s/kustomization.yaml": "resources:\n  - ingress.yaml\n", "k8s/ingress.yaml": INGRESS },
      head: { "k8s/kustomization.yaml": "namePrefix: prod-\nresources:\n  - ingress.yaml\n", "k8s/ingress.yaml": INGRESS },
      findings: [{ file: "k8s/ingress.yaml", line: 1, side: "base", object: "Ingress/shop/shop", message: /renamed to Ingress\/shop\/prod-shop/ }],
    },
    {
      name: "a Helm chart dependency is removed (unverified, medium)",
      base: { ...app, "deploy/chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.2.0\ndependencies:\n  - name: redis\n    version: 19.x\n    repository: https://charts.bitnami.com/bitnami\n" },
      head: { ...app, "deploy/chart/Chart.yaml": "apiVersion: v2\nname: shop\nversion: 1.3.0\n" },
      findings: [{ file: "deploy/chart/Chart.yaml", line: 1, object: "chart deploy/chart", severity: "medium", message: /dependency redis is removed/ }],
    },
  ],
  passes: [
    { name: "an image bump only", base: app, head: edit(app, "k8s/api.yaml", "api:1.14.2", "api:1.15.0") },
    { name: "an annotation change only", base: app, head: edit(app, "k8s/ingress.yaml", "letsencrypt\n", "letsencrypt-prod\n    nginx.ingress.kubernetes.io/proxy-body-size: 8m\n") },
    { name: "the API objects move to one file each", base: app, head: { ...without(app, "k8s/api.yaml"), ...Object.fromEntries(API.split("---\n").map((doc, i) => [`k8s/api/${i}.yaml`, doc])) } },
    { name: "a non-Kubernetes YAML file is removed (docker-compose)", base: app, head: without(app, "deploy/docker-compose.yml", "deploy/ci.yml") },
    {
      name: "a file whose objects a $patch: delete already removed at base is deleted",
      base: {
        "k8s/kustomization.yaml": "resources:\n  - api.yaml\n  - worker.yaml\ncomponents:\n  - ../components/no-worker\n",
        "k8s/api.yaml": API,
        "k8s/worker.yaml": API.replaceAll("name: api\n", "name: worker\n"),
        "components/no-worker/kustomization.yaml":
          "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - patch: |-\n      apiVersion: apps/v1\n      kind: Deployment\n      metadata:\n        name: worker\n      $patch: delete\n  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata:\n        name: worker\n      $patch: delete\n  - patch: |-\n      apiVersion: autoscaling/v2\n      kind: HorizontalPodAutoscaler\n      metadata:\n        name: worker\n      $patch: delete\n",
      },
      head: { "k8s/kustomization.yaml": "resources:\n  - api.yaml\n", "k8s/api.yaml": API },
    },
    { name: "apps/v1beta2 → apps/v1 is the same Deployment", base: edit(app, "k8s/api.yaml", "apiVersion: apps/v1\n", "apiVersion: apps/v1beta2\n"), head: app },
  ],
});
