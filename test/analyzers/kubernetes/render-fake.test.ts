/**
 * The renderer's limits, against a fake kubectl (a small node script pointed at by
 * CHANGEGATE_KUBECTL): a render that hangs is killed, huge output is cut, a failing or garbled
 * render is a finding, and the process gets no plugin or Helm flag and a minimal environment.
 * No real kubectl is needed.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeChangeSet } from "../../../src/analyze.js";
import { createKustomizeRenderer, findKubectl, sanitise, type RendererOptions } from "../../../src/analyzers/kubernetes/render.js";
import type { Finding } from "../../../src/model/finding.js";
import { MemorySource, type Tree } from "../../../src/source/memory.js";
import { summary } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "changegate-fake-kubectl-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let scripts = 0;
/** A fake kubectl: `body` is the script after a prelude that records its argv, cwd and environment. */
function fake(body: string): { path: string; record: string } {
  const n = scripts++;
  const path = join(dir, `kubectl-${n}`);
  const record = join(dir, `record-${n}.json`);
  writeFileSync(
    path,
    `#!${process.execPath}
const fs = require("node:fs");
fs.writeFileSync(${JSON.stringify(record)}, JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: process.env, pid: process.pid }));
${body}
`,
    { mode: 0o755 },
  );
  return { path, record };
}

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: "nginx:1.27"}]}
`;
const base: Tree = { "deploy/app/kustomization.yaml": "resources:\n- deployment.yaml\n", "deploy/app/deployment.yaml": deployment };
const head: Tree = { ...base, "deploy/app/deployment.yaml": deployment.replace("1.27", "1.28") };

async function scanWith(kubectl: string, options: RendererOptions = {}, trees: [Tree, Tree] = [base, head]): Promise<{ findings: Finding[]; log: unknown[] }> {
  const renderer = createKustomizeRenderer({ env: { CHANGEGATE_KUBECTL: kubectl }, ...options });
  const result = await analyzeChangeSet(new MemorySource(...trees), { kustomize: renderer });
  return { findings: result.findings, log: [...renderer.log] };
}

/** Whether a process still runs (a zombie, killed but not yet reaped by whoever adopted it, does not). */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return true;
  }
};

describe("kubectl kustomize with a fake kubectl", () => {
  it("is called with no plugin or Helm flag, the default load restrictor, and no PATH, credentials or KUBECONFIG", async () => {
    const { path, record } = fake(`process.stdout.write(fs.readFileSync(${JSON.stringify(join(dir, "passthrough.yaml"))}));`);
    writeFileSync(join(dir, "passthrough.yaml"), deployment);
    process.env.CHANGEGATE_TEST_SECRET = "hunter2";
    const { findings, log } = await scanWith(path);
    delete process.env.CHANGEGATE_TEST_SECRET;
    expect(findings).toEqual([]);
    expect(log).toEqual([expect.objectContaining({ reading: "rendered" }), expect.objectContaining({ reading: "rendered" })]);
    const seen = JSON.parse(readFileSync(record, "utf8")) as { argv: string[]; cwd: string; env: Record<string, string> };
    expect(seen.argv.slice(0, 2)).toEqual(["kustomize", "--load-restrictor=LoadRestrictionsRootOnly"]);
    expect(seen.argv).toHaveLength(3);
    expect(seen.argv.join(" ")).not.toMatch(/enable-helm|enable-alpha-plugins|enable-exec|network/);
    expect(Object.keys(seen.env).sort()).toEqual(["HOME", "HTTPS_PROXY", "HTTP_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"]);
    expect(seen.env.HOME?.startsWith(seen.cwd)).toBe(true);
    // The private copy is gone once the scan is done.
    expect(existsSync(seen.cwd)).toBe(false);
  });

  it("starts no process for a scan without a kustomization", async () => {
    const { path, record } = fake("");
    const plain: Tree = { "deploy/app/deployment.yaml": deployment };
    const { log } = await scanWith(path, {}, [plain, { "deploy/app/deployment.yaml": deployment.replace("1.27", "1.28") }]);
    expect(log).toEqual([]);
    expect(existsSync(record)).toBe(false);
  });

  it("kills a render that hangs past the time limit, with the processes it started, and reports it", async () => {
    const { path, record } = fake(`
const { spawn } = require("node:child_process");
const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
fs.writeFileSync(${JSON.stringify(join(dir, "grandchild"))}, String(child.pid));
setInterval(() => {}, 1000);`);
    const { findings } = await scanWith(path, { timeoutMs: 1500 });
    expect(summary(findings)).toEqual(["k8s/unparsed high head deploy/app/kustomization.yaml"]);
    expect(findings[0]!.message).toMatch(/was stopped: it did not finish within the 1.5 s time limit/);
    const { pid } = JSON.parse(readFileSync(record, "utf8")) as { pid: number };
    const grandchild = Number(readFileSync(join(dir, "grandchild"), "utf8"));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(pid)).toBe(false);
    expect(alive(grandchild)).toBe(false);
  });

  it("cuts output over the cap and reports it", async () => {
    const { path } = fake(`const chunk = "# " + "x".repeat(1022) + "\\n"; let n = 0; const write = () => { while (n++ < 4096) { if (!process.stdout.write(chunk)) return process.stdout.once("drain", write); } }; write();`);
    const { findings } = await scanWith(path, { maxOutputBytes: 1024 * 1024 });
    expect(summary(findings)).toEqual(["k8s/unparsed high head deploy/app/kustomization.yaml"]);
    expect(findings[0]!.message).toMatch(/output is over the 1 MiB limit/);
  });

  it("reports a non-zero exit with kustomize's message, trimmed and sanitised", async () => {
    const { path } = fake(`process.stderr.write('E1202 06:32:28.514384   11438 run.go:72] "command failed" err="accumulating resources: \\\\"' + process.argv[process.argv.length - 1] + '/x.yaml\\\\" \\u001b[31mbroken\\u001b[0m"\\n'); process.exit(1);`);
    const { findings } = await scanWith(path);
    expect(summary(findings)).toEqual(["k8s/unparsed high head deploy/app/kustomization.yaml"]);
    expect(findings[0]!.message).toMatch(/could not render this kustomization: accumulating resources: "\/x\.yaml" \[31mbroken \[0m\. What it deploys is judged from the static reading/);
    expect(findings[0]!.message).not.toContain("\u001b");
    expect(findings[0]!.message).not.toContain("changegate-kustomize-");
  });

  it("reports output that is not YAML", async () => {
    const { path } = fake(`process.stdout.write("apiVersion: v1\\nkind: [unclosed\\n");`);
    const { findings } = await scanWith(path);
    expect(summary(findings)).toEqual(["k8s/unparsed high head deploy/app/kustomization.yaml"]);
    expect(findings[0]!.message).toMatch(/output could not be read as manifests/);
  });

  it("reads statically when rendering is turned off or the override is unusable", async () => {
    for (const [kubectl, why] of [
      ["off", /turned off/],
      ["kubectl", /must be an absolute path/],
      [join(dir, "missing"), /is not an executable file/],
    ] as const) {
      const { findings, log } = await scanWith(kubectl);
      expect(findings).toEqual([]);
      expect(log).toEqual([
        { side: "base", dir: "deploy/app", reading: "static", why: expect.stringMatching(why) },
        { side: "head", dir: "deploy/app", reading: "static", why: expect.stringMatching(why) },
      ]);
    }
  });
});

describe("finding kubectl", () => {
  it("takes the first kubectl on PATH outside the repository, never a relative PATH entry", () => {
    const repo = mkdtempSync(join(dir, "repo-"));
    const inRepo = join(repo, "bin");
    const outside = mkdtempSync(join(dir, "bin-"));
    mkdirSync(inRepo);
    writeFileSync(join(inRepo, "kubectl"), "#!/bin/sh\n", { mode: 0o755 });
    writeFileSync(join(outside, "kubectl"), "#!/bin/sh\n", { mode: 0o755 });
    expect(findKubectl({ PATH: ["bin", inRepo, outside].join(":") }, [repo])).toEqual({ path: join(outside, "kubectl") });
    expect(findKubectl({ PATH: `bin:${inRepo}` }, [repo])).toEqual({ unavailable: "kubectl is not on PATH" });
  });

  it("sanitises kustomize's message: the temporary directory, control characters and length", () => {
    const root = "/tmp/changegate-kustomize-abc";
    expect(sanitise(`error: open ${root}/repo/deploy/x.yaml: no such file\n\u001b[0m`, root)).toBe("open deploy/x.yaml: no such file [0m");
    expect(sanitise("e".repeat(2000), root)).toHaveLength(601);
  });
});
