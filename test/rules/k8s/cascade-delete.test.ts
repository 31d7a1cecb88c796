import { objectLine, shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();
const application = (name: string, finalizer = true, path = name) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: ${name}\n  namespace: argocd\n` +
  (finalizer ? "  finalizers:\n    - resources-finalizer.argocd.argoproj.io\n" : "") +
  `spec:\n  project: default\n  source:\n    repoURL: https://github.com/example/deploy.git\n    targetRevision: main\n    path: ${path}\n` +
  `  destination:\n    server: https://kubernetes.default.svc\n    namespace: ${name}\n  syncPolicy:\n    automated:\n      prune: true\n`;
const APPS = `${application("shop")}---\n${application("billing")}---\n${application("docs", false)}`;
const fluxKs = (prune: boolean) =>
  `apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps/production\n  prune: ${prune}\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n`;
const RELEASE =
  "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\n  namespace: cache\nspec:\n  interval: 1h\n  chart:\n    spec:\n      chart: redis\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n  values:\n    master:\n      persistence:\n        enabled: true\n";
const appSet = (elements: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: tenants\n  namespace: argocd\nspec:\n  generators:\n    - list:\n        elements:\n${elements}  template:\n    metadata:\n      name: '{{name}}'\n    spec:\n      project: default\n      source:\n        repoURL: https://github.com/example/deploy.git\n        path: 'tenants/{{name}}'\n      destination:\n        server: https://kubernetes.default.svc\n        namespace: '{{name}}'\n`;
const el = (name: string) => `          - name: ${name}\n`;

runK8sRuleTests("k8s/cascade-delete", {
  fires: [
    {
      name: "an Application with the resources finalizer is removed from an app-of-apps file",
      base: { ...app, "apps/root.yaml": APPS },
      head: { ...app, "apps/root.yaml": `${application("shop")}---\n${application("docs", false)}` },
      findings: [{ file: "apps/root.yaml", line: objectLine(APPS, "Application", "billing"), side: "base", object: "Application/argocd/billing", message: /resources-finalizer/ }],
    },
    {
      name: "a Flux Kustomization with prune is removed",
      base: { ...app, "clusters/production/apps.yaml": fluxKs(true) },
      head: app,
      findings: [{ file: "clusters/production/apps.yaml", line: 1, side: "base", object: "Kustomization/flux-system/apps", message: /whole inventory/ }],
    },
    {
      name: "a HelmRelease is removed",
      base: { ...app, "clusters/production/redis.yaml": RELEASE },
      head: app,
      findings: [{ file: "clusters/production/redis.yaml", line: 1, side: "base", object: "HelmRelease/cache/redis", message: /uninstalls the release/ }],
    },
    {
      name: "an ApplicationSet list element is removed",
      base: { ...app, "apps/tenants.yaml": appSet(el("acme") + el("globex")) },
      head: { ...app, "apps/tenants.yaml": appSet(el("acme")) },
      findings: [{ file: "apps/tenants.yaml", line: 1, object: "ApplicationSet/argocd/tenants", message: /element \{"name":"globex"\} is removed/ }],
    },
    {
      name: "a HelmRelease's target namespace changes (uninstall and reinstall)",
      base: { ...app, "clusters/production/redis.yaml": RELEASE },
      head: { ...app, "clusters/production/redis.yaml": RELEASE.replace("  interval: 1h\n", "  interval: 1h\n  targetNamespace: cache-v2\n") },
      findings: [{ file: "clusters/production/redis.yaml", line: 1, object: "HelmRelease/cache/redis", severity: "high", message: /uninstalls the release/ }],
    },
  ],
  passes: [
    { name: "the Applications move into one file each", base: { ...app, "apps/root.yaml": APPS }, head: { ...app, "apps/shop.yaml": application("shop"), "apps/billing.yaml": application("billing"), "apps/docs.yaml": application("docs", false) } },
    { name: "an Application without the finalizer is removed (its resources stay)", base: { ...app, "apps/root.yaml": APPS }, head: { ...app, "apps/root.yaml": `${application("shop")}---\n${application("billing")}` } },
    { name: "a Flux Kustomization without prune is removed", base: { ...app, "clusters/production/apps.yaml": fluxKs(false) }, head: app },
    { name: "an ApplicationSet element is added", base: { ...app, "apps/tenants.yaml": appSet(el("acme")) }, head: { ...app, "apps/tenants.yaml": appSet(el("acme") + el("globex")) } },
  ],
});
