import { shopApp } from "./app.js";
import { runK8sRuleTests } from "./harness.js";

const crd = (name: string, versions: string) =>
  `apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: ${name}.monitoring.coreos.com\nspec:\n  group: monitoring.coreos.com\n` +
  `  names:\n    kind: X\n    plural: ${name}\n  scope: Namespaced\n  versions:\n${versions}`;
const v = (name: string, served = true) => `  - name: ${name}\n    served: ${served}\n    storage: ${name === "v1"}\n`;
const setup = (versions = v("v1")) => `${crd("prometheuses", versions)}---\n${crd("alertmanagers", v("v1"))}`;
const app = shopApp();

runK8sRuleTests("k8s/delete-crd", {
  fires: [
    {
      name: "one CRD of a two-CRD file is removed",
      base: { ...app, "manifests/setup/crds.yaml": setup() },
      head: { ...app, "manifests/setup/crds.yaml": crd("prometheuses", v("v1")) },
      findings: [{ file: "manifests/setup/crds.yaml", line: 16, side: "base", object: "CustomResourceDefinition/alertmanagers.monitoring.coreos.com", message: /every custom resource/ }],
    },
    {
      name: "a served version is dropped",
      base: { ...app, "manifests/setup/crds.yaml": setup(v("v1alpha1") + v("v1")) },
      head: { ...app, "manifests/setup/crds.yaml": setup(v("v1")) },
      findings: [{ file: "manifests/setup/crds.yaml", line: 1, object: "CustomResourceDefinition/prometheuses.monitoring.coreos.com", severity: "high", message: /v1alpha1 is no longer served/ }],
    },
    {
      name: "a version stops being served",
      base: { ...app, "manifests/setup/crds.yaml": setup(v("v1alpha1") + v("v1")) },
      head: { ...app, "manifests/setup/crds.yaml": setup(v("v1alpha1", false) + v("v1")) },
      findings: [{ file: "manifests/setup/crds.yaml", line: 1, object: "CustomResourceDefinition/prometheuses.monitoring.coreos.com", severity: "high" }],
    },
  ],
  passes: [
    { name: "a version is added", base: { ...app, "manifests/setup/crds.yaml": setup() }, head: { ...app, "manifests/setup/crds.yaml": setup(v("v1") + v("v2", true)) } },
    { name: "the CRDs move into one file each", base: { ...app, "manifests/setup/crds.yaml": setup() }, head: { ...app, "manifests/setup/a.yaml": crd("prometheuses", v("v1")), "manifests/setup/b.yaml": crd("alertmanagers", v("v1")) } },
    { name: "apiextensions v1beta1 → v1 is the same object", base: { ...app, "manifests/setup/crds.yaml": setup().replaceAll("apiextensions.k8s.io/v1\n", "apiextensions.k8s.io/v1beta1\n") }, head: { ...app, "manifests/setup/crds.yaml": setup() } },
  ],
});
