import { DATABASE, edit, objectLine, shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();
const application = (syncPolicy: string) =>
  "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: shop\n  namespace: argocd\nspec:\n  project: default\n  source:\n" +
  "    repoURL: https://github.com/example/deploy.git\n    path: k8s\n  destination:\n    server: https://kubernetes.default.svc\n    namespace: shop\n" +
  syncPolicy;
const project = (windows: string) =>
  `apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: prod\n  namespace: argocd\nspec:\n  sourceRepos: ['*']\n  syncWindows:\n${windows}`;
const deny = (manual: boolean) => `    - kind: deny\n      schedule: '0 22 * * *'\n      duration: 8h\n      applications: ['*']\n      manualSync: ${manual}\n`;
const keptPvc = edit(app, "k8s/database.yaml", "  name: backups\n  namespace: shop\n", "  name: backups\n  namespace: shop\n  labels:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n");

runK8sRuleTests("k8s/prune-enabled", {
  fires: [
    {
      name: "Argo CD automated prune is turned on",
      base: { ...app, "apps/shop.yaml": application("  syncPolicy:\n    automated:\n      selfHeal: true\n") },
      head: { ...app, "apps/shop.yaml": application("  syncPolicy:\n    automated:\n      selfHeal: true\n      prune: true\n") },
      findings: [{ file: "apps/shop.yaml", line: 1, object: "Application/argocd/shop", message: /automated prune is turned on/ }],
    },
    {
      name: "the Flux prune: disabled label is removed from a PVC (critical)",
      base: keptPvc,
      head: app,
      findings: [{ file: "k8s/database.yaml", line: objectLine(DATABASE, "PersistentVolumeClaim", "backups"), object: "PersistentVolumeClaim/shop/backups", severity: "critical", message: /prune: disabled is removed/ }],
    },
    {
      name: "an AppProject deny window is removed",
      base: { ...app, "apps/project.yaml": project(deny(false)) },
      head: { ...app, "apps/project.yaml": project("    []\n").replace("  syncWindows:\n    []\n", "  syncWindows: []\n") },
      findings: [{ file: "apps/project.yaml", line: 1, object: "AppProject/argocd/prod", message: /deny sync window/ }],
    },
    {
      name: "manualSync is turned on in a deny window",
      base: { ...app, "apps/project.yaml": project(deny(false)) },
      head: { ...app, "apps/project.yaml": project(deny(true)) },
      findings: [{ file: "apps/project.yaml", line: 1, object: "AppProject/argocd/prod", message: /manualSync/ }],
    },
  ],
  passes: [
    { name: "automated prune is turned off", base: { ...app, "apps/shop.yaml": application("  syncPolicy:\n    automated:\n      prune: true\n") }, head: { ...app, "apps/shop.yaml": application("  syncPolicy:\n    automated: {}\n") } },
    { name: "a keep label is added", base: app, head: keptPvc },
    { name: "the kept PVC moves to another file with its label", base: keptPvc, head: { ...keptPvc, "k8s/database.yaml": String(keptPvc["k8s/database.yaml"]).split("---\n").slice(0, 2).join("---\n"), "k8s/backups.yaml": String(keptPvc["k8s/database.yaml"]).split("---\n")[2]! } },
  ],
});
