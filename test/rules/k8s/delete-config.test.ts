import { CONFIG, edit, objectLine, shopApp, without } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const app = shopApp();

runK8sRuleTests("k8s/delete-config", {
  fires: [
    {
      name: "the config file (ConfigMap and Secret) is deleted",
      base: app,
      head: without(app, "k8s/config.yaml"),
      findings: [
        { file: "k8s/config.yaml", line: objectLine(CONFIG, "ConfigMap", "api-settings"), side: "base", object: "ConfigMap/shop/api-settings", message: /fail on their next start/ },
        { file: "k8s/config.yaml", line: objectLine(CONFIG, "Secret", "api-secrets"), side: "base", object: "Secret/shop/api-secrets" },
      ],
    },
    {
      name: "the Secret is renamed",
      base: app,
      head: edit(app, "k8s/config.yaml", "  name: api-secrets\n", "  name: api-credentials\n"),
      findings: [{ file: "k8s/config.yaml", line: objectLine(CONFIG, "Secret", "api-secrets"), side: "base", object: "Secret/shop/api-secrets", message: /renamed to Secret\/shop\/api-credentials/ }],
    },
    {
      name: "a SealedSecret is removed",
      base: { ...app, "k8s/sealed.yaml": "apiVersion: bitnami.com/v1alpha1\nkind: SealedSecret\nmetadata:\n  name: stripe\n  namespace: shop\nspec:\n  encryptedData:\n    key: AgBy3i4OJSWK+PiTySYZZA==\n" },
      head: app,
      findings: [{ file: "k8s/sealed.yaml", line: 1, side: "base", object: "SealedSecret/shop/stripe" }],
    },
    {
      name: "a Secret kept by helm.sh/resource-policy: keep is reported low (it stays, unmanaged)",
      base: edit(app, "k8s/config.yaml", "  name: api-secrets\n  namespace: shop\n", "  name: api-secrets\n  namespace: shop\n  annotations:\n    helm.sh/resource-policy: keep\n"),
      head: edit(app, "k8s/config.yaml", /---\n[\s\S]*$/, ""),
      findings: [{ file: "k8s/config.yaml", line: objectLine(CONFIG, "Secret", "api-secrets"), side: "base", object: "Secret/shop/api-secrets", severity: "low", message: /keeps it in the cluster/ }],
    },
  ],
  passes: [
    { name: "a ConfigMap value changes", base: app, head: edit(app, "k8s/config.yaml", "LOG_LEVEL: info", "LOG_LEVEL: debug") },
    { name: "the Secret moves to its own file", base: app, head: { ...app, "k8s/config.yaml": CONFIG.split("---\n")[0]!, "k8s/secret.yaml": CONFIG.split("---\n")[1]! } },
  ],
});
