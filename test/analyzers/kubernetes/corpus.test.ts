/**
 * The nine real commits of the shared corpus (`kubernetes-commits/`), read in place (the
 * khuedoan/homelab cases are GPL and never copied), each reported as its EXPECTED.md says,
 * including the two false-positive traps. Skipped when the corpus is not beside the repository.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createKustomizeRenderer, findKubectl } from "../../../src/analyzers/kubernetes/render.js";
import { atLeast, type Finding } from "../../../src/model/finding.js";
import { CORPUS, HAS_CORPUS, scanPair, summary } from "./helpers.js";

const COMMITS = join(CORPUS, "kubernetes-commits");
const deletions = (findings: Finding[]) => findings.filter((f) => f.side === "base" && atLeast(f.severity, "medium"));
const HAS_KUBECTL = "path" in findKubectl(process.env);

// The same answers whether kustomizations are rendered by kubectl or read statically.
describe.skipIf(!HAS_CORPUS).each([
  { reading: "static reading", render: false },
  ...(HAS_KUBECTL ? [{ reading: "kubectl kustomize", render: true }] : []),
])("kubernetes-commits corpus ($reading)", ({ render }) => {
  const scan = (name: string, kubernetes: string[] = []) => scanPair(join(COMMITS, name), kubernetes, render ? createKustomizeRenderer() : undefined);
  it("flux2 7c6e245: Namespace and HelmRelease ingress-nginx deleted under prune, Ingress dropped through values", async () => {
    const findings = await scan("flux2-kustomize-helm-example-7c6e245-remove-ingress-nginx");
    expect(summary(findings)).toEqual(
      expect.arrayContaining([
        "k8s/delete-namespace critical base Namespace/ingress-nginx",
        "k8s/cascade-delete critical base HelmRelease/ingress-nginx/ingress-nginx",
        "k8s/delete-workload medium base HelmRepository/ingress-nginx/ingress-nginx",
        "k8s/delete-workload medium head HelmRelease/podinfo/podinfo",
      ]),
    );
    const values = findings.find((f) => f.object === "HelmRelease/podinfo/podinfo")!;
    expect(values.message).toMatch(/ingress.enabled.*unverified/);
    // Everything added (envoy-gateway, Gateway API) is new: no deletion beyond the three objects.
    expect(deletions(findings).map((f) => f.object).sort()).toEqual(["HelmRelease/ingress-nginx/ingress-nginx", "HelmRepository/ingress-nginx/ingress-nginx", "Namespace/ingress-nginx"]);
  });

  it("flux2 f3a92cc: HelmRelease weave-gitops, its HelmRepository and NetworkPolicy deleted", async () => {
    const findings = await scan("flux2-kustomize-helm-example-f3a92cc-remove-weave-gitops");
    expect(summary(findings).sort()).toEqual([
      "k8s/cascade-delete critical base HelmRelease/flux-system/weave-gitops",
      "k8s/delete-workload medium base HelmRepository/flux-system/weave-gitops",
      "k8s/delete-workload medium base NetworkPolicy/flux-system/weave-gitops-ingress",
    ]);
  });

  it("homelab 0eb03e46: an ApplicationSet git-directory element removed cascades through Application seafile", async () => {
    const findings = await scan("homelab-0eb03e46-remove-seafile");
    expect(summary(findings)).toEqual(["k8s/cascade-delete critical base Application/seafile"]);
    expect(findings[0]!.file).toBe("apps/seafile/Chart.yaml");
    expect(findings[0]!.message).toMatch(/ApplicationSet.*bootstrap\/root\/templates\/stack.yaml.*finalizer/);
  });

  it("homelab 8e2a41f6: dendrite and element moved to a new Application: the old ones are cascade-deleted", async () => {
    const findings = await scan("homelab-8e2a41f6-matrix-namespace-merge");
    expect(summary(findings).sort()).toEqual(["k8s/cascade-delete critical base Application/dendrite", "k8s/cascade-delete critical base Application/element"]);
  });

  it("kube-prometheus 08378903: the metrics-server directory deleted, eight objects (its path added by the policy)", async () => {
    const name = "kube-prometheus-08378903-remove-metrics-server";
    // `experimental/` is none of the conventional manifest roots: without the policy's paths it is not read.
    expect(await scan(name)).toEqual([]);
    const findings = await scan(name, ["experimental/**"]);
    expect(summary(findings).sort()).toEqual([
      "k8s/delete-workload high base APIService/v1beta1.metrics.k8s.io",
      "k8s/delete-workload high base ClusterRole/system:metrics-server",
      "k8s/delete-workload high base ClusterRoleBinding/metrics-server:system:auth-delegator",
      "k8s/delete-workload high base ClusterRoleBinding/system:metrics-server",
      "k8s/delete-workload high base Deployment/kube-system/metrics-server",
      "k8s/delete-workload high base RoleBinding/kube-system/metrics-server-auth-reader",
      "k8s/delete-workload high base Service/kube-system/metrics-server",
      "k8s/delete-workload medium base ServiceAccount/kube-system/metrics-server",
    ]);
  });

  it("kube-prometheus 474d4e39: the immutable selector of DaemonSet node-exporter changes; nothing removed", async () => {
    const findings = await scan("kube-prometheus-474d4e39-node-exporter-selector");
    expect(summary(findings)).toEqual(["k8s/immutable-change high head DaemonSet/monitoring/node-exporter"]);
    expect(findings[0]!.file).toBe("manifests/node-exporter-daemonset.yaml");
  });

  it("kube-prometheus f043bc32: Deployment selector change, Role and RoleBinding deleted", async () => {
    const findings = await scan("kube-prometheus-f043bc32-kube-state-metrics-rbac-selector");
    expect(summary(findings).sort()).toEqual([
      "k8s/delete-workload high base Role/monitoring/kube-state-metrics",
      "k8s/delete-workload high base RoleBinding/monitoring/kube-state-metrics",
      "k8s/immutable-change high head Deployment/monitoring/kube-state-metrics",
    ]);
  });

  it("microservices-demo 20585fac (trap): files deleted, objects moved or already removed by $patch: delete", async () => {
    const findings = await scan("microservices-demo-20585fac-kustomize-refactor");
    expect(deletions(findings)).toEqual([]);
    // The one identity that leaves the test overlays is a ServiceAccount no workload there runs as.
    expect(summary(findings)).toEqual(["k8s/delete-workload low base ServiceAccount/shoppingassistantservice"]);
  });

  it("microservices-demo b84b8b7f (trap): a Helm template deleted, its objects moved to another template", async () => {
    expect(await scan("microservices-demo-b84b8b7f-helm-redis-template")).toEqual([]);
  });
});
