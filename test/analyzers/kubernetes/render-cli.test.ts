/**
 * `changegate scan` on a git repository with kustomizations: renders see the commits as git
 * stores them (an untracked file in the working tree is not there, a symlink is not followed),
 * and stderr says how the kustomizations were read. The real-kubectl cases are skipped without it.
 */
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { findKubectl } from "../../../src/analyzers/kubernetes/render.js";
import { run } from "../../cli/io.js";
import { TestRepo } from "../../source/git-repo.js";

const KUBECTL = findKubectl(process.env);
const repos: TestRepo[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const r of repos.splice(0)) r.remove();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const deployment = (name: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
`;

function repo(): TestRepo {
  const r = new TestRepo();
  repos.push(r);
  r.commit({ "deploy/app/kustomization.yaml": "resources:\n- web.yaml\n", "deploy/app/web.yaml": deployment("web") }, "app");
  r.git("checkout", "--quiet", "-b", "feature");
  return r;
}

const json = (stdout: string) => JSON.parse(stdout) as { findings: { rule: string; file: string; message: string }[] };

describe("changegate scan with kustomizations", () => {
  it("says on stderr that they were read statically when there is no kubectl", async () => {
    const r = repo();
    r.commit({ "deploy/app/web.yaml": deployment("web").replace("1.27", "1.28") });
    const result = await run(["scan", "--repo", r.dir, "--format", "json"], { env: {} });
    expect(result.stderr).toBe("changegate: kustomize: read statically: deploy/app (kubectl is not on PATH)\n");
    expect(json(result.stdout).findings).toEqual([]);
  });

  describe.skipIf(!("path" in KUBECTL))("with kubectl", () => {
    const env = { CHANGEGATE_KUBECTL: "path" in KUBECTL ? KUBECTL.path : "" };

    it("renders the commit, not the working tree: an untracked file the kustomization lists is missing", async () => {
      const r = repo();
      r.commit({ "deploy/app/kustomization.yaml": "resources:\n- web.yaml\n- extra.yaml\n" });
      writeFileSync(join(r.dir, "deploy/app/extra.yaml"), deployment("extra"));
      const result = await run(["scan", "--repo", r.dir, "--format", "json"], { env });
      const findings = json(result.stdout).findings;
      const unparsed = findings.filter((f) => f.rule === "k8s/unparsed" && f.message.includes("kubectl kustomize"));
      expect(unparsed).toHaveLength(1);
      expect(unparsed[0]!.message).toMatch(/extra\.yaml/);
      expect(result.stderr).toMatch(/^changegate: kustomize: read statically: deploy\/app \(.*extra\.yaml/);
    });

    it("never follows a symlink: it is a file holding the link's target", async () => {
      const outside = mkdtempSync(join(tmpdir(), "changegate-outside-"));
      dirs.push(outside);
      writeFileSync(join(outside, "leak.yaml"), deployment("leaked"));
      const r = repo();
      symlinkSync(join(outside, "leak.yaml"), join(r.dir, "deploy/app/linked.yaml"));
      r.commit({ "deploy/app/kustomization.yaml": "resources:\n- web.yaml\n- linked.yaml\n" });
      const result = await run(["scan", "--repo", r.dir, "--format", "json"], { env });
      const findings = json(result.stdout).findings;
      expect(findings.some((f) => f.rule === "k8s/unparsed" && f.message.includes("kubectl kustomize"))).toBe(true);
      expect(result.stdout).not.toContain("leaked");
    });

    it("says which kustomizations were rendered", async () => {
      const r = repo();
      r.commit({ "deploy/app/web.yaml": deployment("web").replace("1.27", "1.28") });
      const result = await run(["scan", "--repo", r.dir, "--format", "json"], { env });
      expect(json(result.stdout).findings).toEqual([]);
      expect(result.stderr).toBe(`changegate: kustomize: deploy/app rendered with kubectl at ${env.CHANGEGATE_KUBECTL}\n`);
    });
  });
});
