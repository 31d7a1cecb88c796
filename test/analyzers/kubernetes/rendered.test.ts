/**
 * The pure half of rendering: which kustomizations are roots, which are refused and why, which
 * need a render at all, and what the generators name. No kubectl.
 */
import { describe, expect, it } from "vitest";
import type { ChangeSetInput } from "../../../src/analyzers/types.js";
import { readSides } from "../../../src/analyzers/kubernetes/manifests.js";
import { kustomizationRoots, namedFiles, planRenders, refusal } from "../../../src/analyzers/kubernetes/rendered.js";

function input(base: Record<string, string>, head: Record<string, string>): ChangeSetInput {
  const paths = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
  const changes = paths
    .filter((p) => base[p] !== head[p])
    .map((p) => ({ path: p, status: p in base ? (p in head ? "modified" : "deleted") : "added", base: p in base ? { path: p, text: base[p]! } : null, head: p in head ? { path: p, text: head[p]! } : null }) as const);
  const unchanged = paths.filter((p) => p in base && base[p] === head[p]).map((p) => ({ path: p, text: base[p]! }));
  return { changes, unchanged, scopes: [], inputs: [] };
}

const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";

describe("kustomization roots", () => {
  it("are the kustomizations no other lists, at either side; components are never roots; a cycle is rendered to show its error", () => {
    const tree = {
      "k/base/kustomization.yaml": "resources: [cm.yaml]\n",
      "k/base/cm.yaml": cm,
      "k/comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n",
      "k/prod/kustomization.yaml": "resources: [../base]\ncomponents: [../comp]\n",
      "k/a/kustomization.yaml": "resources: [../b]\n",
      "k/b/kustomization.yaml": "resources: [../a]\n",
    };
    const { base, head } = readSides(input(tree, { ...tree, "k/dev/kustomization.yaml": "resources: [../base]\n" }));
    expect(kustomizationRoots(base, head)).toEqual({ base: ["k/a", "k/prod"], head: ["k/a", "k/dev", "k/prod"] });
  });
});

describe("refusal", () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    ["an https resource", { "k/kustomization.yaml": "resources:\n- https://example.com/all.yaml\n" }, /names the remote https:\/\/example.com\/all.yaml/],
    ["a git:: base", { "k/kustomization.yaml": "bases:\n- git::https://example.com/repo.git//base\n" }, /remote git::/],
    ["a github.com component", { "k/kustomization.yaml": "components:\n- github.com/acme/c//x\n" }, /remote github.com/],
    ["a ?ref= resource", { "k/kustomization.yaml": "resources:\n- example.com/repo//base?ref=v1\n" }, /\?ref=v1/],
    ["a remote base of a local base", { "k/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources:\n- https://example.com/x.yaml\n" }, /b\/kustomization.yaml names the remote/],
    ["a generator reading a URL", { "k/kustomization.yaml": "configMapGenerator:\n- name: c\n  files: [key=https://example.com/x]\n" }, /remote https/],
    ["a remote patch", { "k/kustomization.yaml": "patches:\n- path: https://example.com/p.yaml\n" }, /remote https/],
    ["Helm charts", { "k/kustomization.yaml": "helmCharts:\n- name: redis\n  repo: https://charts.example.com\n" }, /inflates Helm charts/],
  ];
  for (const [name, tree, why] of cases) {
    it(`refuses ${name}`, () => {
      const { head } = readSides(input({}, tree));
      expect(refusal(head, "k")).toMatch(why);
    });
  }

  it("lets a URL in an inline patch, a label or a literal through", () => {
    const { head } = readSides(
      input({}, {
        "k/kustomization.yaml":
          "resources: [cm.yaml]\ncommonAnnotations: {docs: 'https://example.com'}\nconfigMapGenerator:\n- name: c\n  literals: [url=https://example.com]\npatches:\n- target: {kind: ConfigMap}\n  patch: |-\n    - op: add\n      path: /data/u\n      value: https://example.com/?ref=x\n",
        "k/cm.yaml": cm,
      }),
    );
    expect(refusal(head, "k")).toBeUndefined();
  });
});

describe("render plan", () => {
  it("renders a root only where the change touches a directory it reads, and refuses remote ones without running anything", () => {
    const tree = {
      "k/base/kustomization.yaml": "resources: [cm.yaml]\n",
      "k/base/cm.yaml": cm,
      "k/prod/kustomization.yaml": "resources: [../base]\n",
      "k/other/kustomization.yaml": "resources: [cm.yaml]\n",
      "k/other/cm.yaml": cm,
      "k/remote/kustomization.yaml": "resources: [../base, 'https://example.com/x.yaml']\n",
    };
    const change = input(tree, { ...tree, "k/base/cm.yaml": `${cm}data: {a: b}\n` });
    const { base, head } = readSides(change);
    const plan = planRenders(change, base, head).map(({ side, dirs, refused }) => ({ side, dirs, refused }));
    expect(plan).toEqual([
      { side: "base", dirs: ["k/prod"], refused: [{ dir: "k/remote", reason: expect.stringMatching(/remote/) }] },
      { side: "head", dirs: ["k/prod"], refused: [{ dir: "k/remote", reason: expect.stringMatching(/remote/) }] },
    ]);
    const untouched = input(tree, { ...tree, "k/unrelated.yaml": cm });
    const sides = readSides(untouched);
    expect(planRenders(untouched, sides.base, sides.head)).toEqual([]);
  });

  it("names the files generators read, relative to the repository", () => {
    expect(
      namedFiles("k/app/kustomization.yaml", {
        configMapGenerator: [{ name: "a", files: ["app.properties", "key=../shared/x.txt"], envs: [".env"] }],
        secretGenerator: [{ name: "s", env: "secret.env", files: ["https://example.com/x"] }],
        replacements: [{ path: "r.yaml" }],
      }),
    ).toEqual(["k/app/app.properties", "k/shared/x.txt", "k/app/.env", "k/app/secret.env", "k/app/r.yaml"]);
  });
});
