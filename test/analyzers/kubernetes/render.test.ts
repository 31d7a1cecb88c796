/**
 * Kustomizations rendered with the real `kubectl kustomize`, through the whole engine: what the
 * static reading misses (an overlay dropping a base's resource, JSON 6902 patches, generators),
 * renames, moves, refusals and render errors. Skipped where kubectl is not installed.
 */
import { describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { createKustomizeRenderer, findKubectl, type KustomizeRenderer } from "../../../src/analyzers/kubernetes/render.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";
import { summary } from "./helpers.js";

const KUBECTL = findKubectl(process.env);
const HAS_KUBECTL = "path" in KUBECTL;

async function scan(base: Tree, head: Tree, renderer?: KustomizeRenderer): Promise<Finding[]> {
  const result = await analyzeChangeSet(new MemorySource(base, head), renderer ? { kustomize: renderer } : {});
  return result.findings;
}

const deployment = (name: string, extra = "") => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}${extra}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers: [{name: app, image: "nginx:1.27"}]
`;
const pvc = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
`;
const service = `apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports: [{port: 80}]
`;

const base: Tree = {
  "deploy/base/kustomization.yaml": "resources:\n- deployment.yaml\n- pvc.yaml\n",
  "deploy/base/deployment.yaml": deployment("web"),
  "deploy/base/pvc.yaml": pvc,
  "deploy/prod/kustomization.yaml": "resources:\n- ../base\n",
};

describe.skipIf(!HAS_KUBECTL)(`kubectl kustomize renders (${"path" in KUBECTL ? KUBECTL.path : KUBECTL.unavailable})`, () => {
  it("an overlay that drops a resource its base still lists deletes it: the static reading, pooling the base, misses it", async () => {
    const head = { ...base, "deploy/prod/kustomization.yaml": "resources:\n- ../base\npatches:\n- patch: |-\n    $patch: delete\n    apiVersion: v1\n    kind: PersistentVolumeClaim\n    metadata:\n      name: data\n" };
    const renderer = createKustomizeRenderer();
    const findings = await scan(base, head, renderer);
    expect(summary(findings)).toEqual(["k8s/delete-storage critical base PersistentVolumeClaim/data"]);
    expect(findings[0]).toMatchObject({ file: "deploy/base/pvc.yaml", line: 1, side: "base" });
    expect(renderer.log).toEqual(expect.arrayContaining([{ side: "head", dir: "deploy/prod", reading: "rendered" }]));
    // The base alone still lists the claim: pooled with the overlay, it hides the deletion.
    expect(await scan(base, head)).toEqual([]);
  });

  it("a JSON 6902 patch that removes a prune safeguard", async () => {
    const withKeep: Tree = {
      ...base,
      "deploy/base/pvc.yaml": pvc.replace("  name: data\n", "  name: data\n  annotations:\n    kustomize.toolkit.fluxcd.io/prune: disabled\n"),
    };
    const head = {
      ...withKeep,
      "deploy/prod/kustomization.yaml":
        "resources:\n- ../base\npatches:\n- target: {kind: PersistentVolumeClaim, name: data}\n  patch: |-\n    - op: remove\n      path: /metadata/annotations/kustomize.toolkit.fluxcd.io~1prune\n",
    };
    const findings = await scan(withKeep, head, createKustomizeRenderer());
    expect(summary(findings)).toEqual(["k8s/prune-enabled critical head PersistentVolumeClaim/data"]);
    expect(findings[0]).toMatchObject({ file: "deploy/base/pvc.yaml", line: 1 });
    // The static reading does not apply JSON patches.
    expect(await scan(withKeep, head)).toEqual([]);
  });

  it("a configMapGenerator: new content is a new hash, not a deletion; removing the generator deletes the ConfigMap", async () => {
    const generated: Tree = {
      "deploy/app/kustomization.yaml": "resources:\n- deployment.yaml\nconfigMapGenerator:\n- name: settings\n  files:\n  - app.properties\n",
      "deploy/app/deployment.yaml": deployment("web"),
      "deploy/app/app.properties": "colour=blue\n",
    };
    const renderer = createKustomizeRenderer();
    const changed = { ...generated, "deploy/app/app.properties": "colour=green\n", "deploy/app/deployment.yaml": deployment("web").replace("nginx:1.27", "nginx:1.28") };
    expect(await scan(generated, changed, renderer)).toEqual([]);
    expect(renderer.log.filter((e) => e.reading === "rendered")).toHaveLength(2);

    const removed = { ...generated, "deploy/app/kustomization.yaml": "resources:\n- deployment.yaml\n" };
    const findings = await scan(generated, removed, createKustomizeRenderer());
    expect(summary(findings)).toEqual(["k8s/delete-config high base ConfigMap/settings"]);
    expect(findings[0]).toMatchObject({ file: "deploy/app/kustomization.yaml", line: 4, side: "base" });
  });

  it("a namespace change renames every object: each is deleted and created again", async () => {
    const before = { ...base, "deploy/prod/kustomization.yaml": "namespace: shop\nresources:\n- ../base\n" };
    const after = { ...base, "deploy/prod/kustomization.yaml": "namespace: store\nresources:\n- ../base\n" };
    const findings = await scan(before, after, createKustomizeRenderer());
    expect(summary(findings).sort()).toEqual(["k8s/delete-storage critical base PersistentVolumeClaim/shop/data", "k8s/delete-workload high base Deployment/shop/web"]);
    expect(findings.find((f) => f.rule === "k8s/delete-workload")!.message).toMatch(/renamed to Deployment\/store\/web/);
  });

  it("an object moved to another file of the kustomization is no change", async () => {
    const before: Tree = { "deploy/app/kustomization.yaml": "resources:\n- all.yaml\n", "deploy/app/all.yaml": `${deployment("web")}---\n${service}` };
    const after: Tree = { "deploy/app/kustomization.yaml": "resources:\n- deployment.yaml\n- service.yaml\n", "deploy/app/deployment.yaml": deployment("web"), "deploy/app/service.yaml": service };
    const renderer = createKustomizeRenderer();
    expect(await scan(before, after, renderer)).toEqual([]);
    expect(renderer.log.map((e) => e.reading)).toEqual(["rendered", "rendered"]);
  });

  it("a kustomization with a remote base is not rendered: it is read statically, and the log says why", async () => {
    const remote = { ...base, "deploy/prod/kustomization.yaml": "resources:\n- ../base\n- github.com/example/manifests//base?ref=v1\n" };
    const head = { ...remote, "deploy/base/kustomization.yaml": "resources:\n- deployment.yaml\n" };
    const renderer = createKustomizeRenderer();
    const findings = await scan(remote, head, renderer);
    expect(summary(findings)).toEqual(["k8s/delete-storage critical base PersistentVolumeClaim/data"]);
    expect(renderer.log).toEqual([
      { side: "base", dir: "deploy/prod", reading: "static", why: expect.stringMatching(/deploy\/prod\/kustomization.yaml names the remote github.com\/example\/manifests\/\/base\?ref=v1, which is not fetched/) },
      { side: "head", dir: "deploy/prod", reading: "static", why: expect.stringMatching(/remote/) },
    ]);
  });

  it("a kustomization kustomize refuses at head is k8s/unparsed with kustomize's message, and the static reading still judges", async () => {
    const head = {
      ...base,
      "deploy/base/kustomization.yaml": "resources:\n- deployment.yaml\n",
      "deploy/prod/kustomization.yaml": "resources:\n- ../base\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: remove\n      path: /spec/nothing/here\n",
    };
    const findings = await scan(base, head, createKustomizeRenderer());
    expect(summary(findings).sort()).toEqual(["k8s/delete-storage critical base PersistentVolumeClaim/data", "k8s/unparsed high head deploy/prod/kustomization.yaml"]);
    const unparsed = findings.find((f) => f.rule === "k8s/unparsed")!;
    expect(unparsed).toMatchObject({ file: "deploy/prod/kustomization.yaml", line: 1 });
    expect(unparsed.message).toMatch(/kubectl kustomize deploy\/prod.*could not render.*nothing/);
    expect(unparsed.message).not.toMatch(/changegate-kustomize-|\/tmp\//);
  });
});
