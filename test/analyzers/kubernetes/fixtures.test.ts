/** Real upstream files kept in fixtures/kubernetes (Apache-2.0; see its SOURCES.md): these run without the shared corpus. */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT, scanPair, summary } from "./helpers.js";

const FIXTURES = join(REPO_ROOT, "fixtures", "kubernetes");

describe("kubernetes fixtures", () => {
  it("kube-prometheus 474d4e39: DaemonSet selector change, at the object's first line, statement with both selectors", async () => {
    const findings = await scanPair(join(FIXTURES, "kube-prometheus-474d4e39"));
    expect(summary(findings)).toEqual(["k8s/immutable-change high head DaemonSet/monitoring/node-exporter"]);
    const [f] = findings;
    expect(f!.line).toBe(1);
    expect(f!.statement).toContain('"app":"node-exporter"');
    expect(f!.statement).toContain('"app.kubernetes.io/name":"node-exporter"');
  });

  it("flux2 7c6e245: a file dropped from a kustomization deletes its Namespace, HelmRepository and HelmRelease", async () => {
    const findings = await scanPair(join(FIXTURES, "flux2-7c6e245"));
    expect(summary(findings).sort()).toEqual([
      "k8s/cascade-delete critical base HelmRelease/ingress-nginx/ingress-nginx",
      "k8s/delete-namespace critical base Namespace/ingress-nginx",
      "k8s/delete-workload medium base HelmRepository/ingress-nginx/ingress-nginx",
    ]);
    expect(findings.every((f) => f.file === "infrastructure/controllers/ingress-nginx.yaml")).toBe(true);
  });
});
