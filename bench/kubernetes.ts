// Kubernetes manifest benchmark (prints figures; never a timed test). Run: node --import tsx bench/kubernetes.ts
//
// 1. Generates, deterministically from a seed, 10,000 objects across 500 manifest files (several
//    documents per file: Deployments, Services, ConfigMaps, StatefulSets with claims …) under
//    k8s/, commits them to a temporary git repository as `main`, then changes 1 % of the objects
//    (image bumps, replica changes, a few removals) on a branch.
// 2. Runs the real `changegate scan` process (node bin/changegate.js, built by `npm run build`)
//    on that branch: the whole process, git reads and the whole manifest root included.
// 3. In the same run, alternating with it, runs a bare `node -e` that only reads and parses the
//    same texts the scan parses (every head file and the base side of the changed ones) with the
//    same YAML library. Prints both medians, the ratio (target: at most 2×) and peak memory.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const FILES = 500;
const OBJECTS_PER_FILE = 20;
const CHANGED = 0.01;
const RUNS = 7;
const SEED = 20_261_201;

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TEAMS = ["checkout", "search", "identity", "billing", "catalog", "shipping", "ads", "media", "ops", "data"];

interface Doc {
  text: string;
  image?: string;
  replicas?: number;
}

function object(random: () => number, file: number, index: number): Doc {
  const ns = TEAMS[file % TEAMS.length]!;
  const name = `svc-${file}-${index}`;
  const roll = random();
  if (roll < 0.35) {
    const replicas = 1 + Math.floor(random() * 5);
    const image = `registry.example.com/${ns}/${name}:1.${Math.floor(random() * 40)}.0`;
    return {
      image,
      replicas,
      text:
        `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${name}\n  namespace: ${ns}\n  labels:\n    app: ${name}\n    team: ${ns}\n` +
        `spec:\n  replicas: ${replicas}\n  selector:\n    matchLabels:\n      app: ${name}\n  template:\n    metadata:\n      labels:\n        app: ${name}\n` +
        `    spec:\n      containers:\n        - name: app\n          image: ${image}\n          ports:\n            - containerPort: 8080\n` +
        `          resources:\n            requests:\n              cpu: 100m\n              memory: 128Mi\n          env:\n            - name: LOG_LEVEL\n              value: info\n`,
    };
  }
  if (roll < 0.65) {
    return { text: `apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  selector:\n    app: ${name}\n  ports:\n    - port: 80\n      targetPort: 8080\n` };
  }
  if (roll < 0.85) {
    return { text: `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${ns}\ndata:\n  FEATURE_FLAGS: "a,b,c"\n  TIMEOUT_MS: "${Math.floor(random() * 5000)}"\n  ENDPOINT: https://${name}.${ns}.svc.cluster.local\n` };
  }
  if (roll < 0.95) {
    const image = `registry.example.com/${ns}/${name}-db:15.${Math.floor(random() * 9)}`;
    return {
      image,
      text:
        `apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  serviceName: ${name}\n  replicas: 3\n  selector:\n    matchLabels:\n      app: ${name}\n` +
        `  template:\n    metadata:\n      labels:\n        app: ${name}\n    spec:\n      containers:\n        - name: db\n          image: ${image}\n` +
        `  volumeClaimTemplates:\n    - metadata:\n        name: data\n      spec:\n        accessModes: [ReadWriteOnce]\n        resources:\n          requests:\n            storage: 20Gi\n`,
    };
  }
  return { text: `apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  minAvailable: 1\n  selector:\n    matchLabels:\n      app: ${name}\n` };
}

function git(repo: string, ...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

interface Repo {
  dir: string;
  /** Where the texts the scan parses are, for the bare parse: head files and the base side of changed ones. */
  parseDir: string;
  files: number;
  objects: number;
  changed: number;
  bytes: number;
}

function generate(): Repo {
  const random = prng(SEED);
  const dir = mkdtempSync(join(tmpdir(), "changegate-k8s-bench-"));
  const parseDir = join(dir, ".bench-parse");
  git(dir, "init", "-q", "-b", "main");
  git(dir, "config", "user.email", "bench@example.com");
  git(dir, "config", "user.name", "bench");
  const docs: Doc[][] = [];
  const path = (f: number) => `k8s/${TEAMS[f % TEAMS.length]}/app-${String(f).padStart(3, "0")}.yaml`;
  let bytes = 0;
  for (let f = 0; f < FILES; f++) {
    docs.push(Array.from({ length: OBJECTS_PER_FILE }, (_, i) => object(random, f, i)));
    const text = docs[f]!.map((d) => d.text).join("---\n");
    mkdirSync(dirname(join(dir, path(f))), { recursive: true });
    writeFileSync(join(dir, path(f)), text);
    bytes += text.length;
  }
  git(dir, "add", "-A");
  git(dir, "commit", "-qm", "base");
  git(dir, "checkout", "-q", "-b", "change");

  const total = FILES * OBJECTS_PER_FILE;
  const wanted = Math.round(total * CHANGED);
  const touched = new Set<number>();
  const changedFiles = new Set<number>();
  while (touched.size < wanted) touched.add(Math.floor(random() * total));
  mkdirSync(parseDir, { recursive: true });
  for (const n of touched) {
    const f = Math.floor(n / OBJECTS_PER_FILE);
    const d = docs[f]![n % OBJECTS_PER_FILE]!;
    if (!changedFiles.has(f)) writeFileSync(join(parseDir, `base-${f}.yaml`), docs[f]!.map((x) => x.text).join("---\n"));
    changedFiles.add(f);
    const roll = random();
    if (d.image && roll < 0.8) d.text = d.text.replace(d.image, `${d.image}-patch1`);
    else if (d.replicas !== undefined && roll < 0.9) d.text = d.text.replace(`replicas: ${d.replicas}`, `replicas: ${d.replicas + 1}`);
    else if (roll < 0.95) d.text = d.text.replace("namespace:", "annotations:\n    bench/changed: \"true\"\n  namespace:");
    else d.text = "";
  }
  for (const f of changedFiles) {
    writeFileSync(join(dir, path(f)), docs[f]!.map((d) => d.text).filter(Boolean).join("---\n"));
  }
  git(dir, "commit", "-qam", "change 1 % of the objects");
  return { dir, parseDir, files: FILES, objects: total, changed: wanted, bytes };
}

interface Run {
  ms: number;
  maxRssKiB: number;
  stdout: string;
}

/** One process under /usr/bin/time (peak resident memory), wall time measured around it. */
function timed(command: string, args: string[], cwd: string): Run {
  const start = process.hrtime.bigint();
  const result = spawnSync("/usr/bin/time", ["-f", "%M", command, ...args], { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const rss = Number(result.stderr.trim().split("\n").pop());
  if (result.status !== 0 && result.status !== 1) throw new Error(`${command} ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return { ms, maxRssKiB: rss, stdout: result.stdout };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

// The bare parse: read every text the scan parses and parse it with the same library, nothing else.
const BARE = `
const { readdirSync, readFileSync } = require("node:fs");
const { join } = require("node:path");
const { parseAllDocuments } = require(${JSON.stringify(join(ROOT, "node_modules", "yaml"))});
let objects = 0;
const walk = (dir) => { for (const e of readdirSync(dir, { withFileTypes: true })) {
  const p = join(dir, e.name);
  if (e.isDirectory()) { if (e.name !== ".git") walk(p); }
  else if (p.endsWith(".yaml")) for (const d of parseAllDocuments(readFileSync(p, "utf8"))) { if (d.toJS()) objects++; }
} };
walk(process.argv[1]);
console.log(objects);
`;

function main(): void {
  console.log("building dist/ (npm run build) …");
  execFileSync("npm", ["run", "-s", "build"], { cwd: ROOT, stdio: "inherit" });
  const repo = generate();
  try {
    console.log(
      `corpus: ${repo.objects.toLocaleString("en")} objects in ${repo.files} files (${(repo.bytes / 1024 / 1024).toFixed(1)} MiB), ` +
        `${repo.changed} objects changed; repository ${repo.dir}`,
    );
    const scanArgs = [join(ROOT, "bin", "changegate.js"), "scan", "--repo", repo.dir, "--base", "main", "--head", "change", "--format", "json"];
    const scans: Run[] = [];
    const bares: Run[] = [];
    // One warm-up of each (file cache), then alternate.
    timed(process.execPath, scanArgs, ROOT);
    timed(process.execPath, ["-e", BARE, repo.dir], ROOT);
    for (let i = 0; i < RUNS; i++) {
      scans.push(timed(process.execPath, scanArgs, ROOT));
      bares.push(timed(process.execPath, ["-e", BARE, repo.dir], ROOT));
    }
    const report = JSON.parse(scans[0]!.stdout) as { findings: { rule: string }[] };
    const byRule = new Map<string, number>();
    for (const f of report.findings) byRule.set(f.rule, (byRule.get(f.rule) ?? 0) + 1);
    const scanMs = median(scans.map((r) => r.ms));
    const bareMs = median(bares.map((r) => r.ms));
    console.log(`findings: ${[...byRule].map(([rule, n]) => `${n} ${rule}`).join(", ") || "none"}`);
    console.log(`changegate scan (whole process): median ${scanMs.toFixed(0)} ms over ${RUNS} runs, peak RSS ${(Math.max(...scans.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB`);
    console.log(`bare node -e parse (yaml):        median ${bareMs.toFixed(0)} ms over ${RUNS} runs, peak RSS ${(Math.max(...bares.map((r) => r.maxRssKiB)) / 1024).toFixed(0)} MiB`);
    console.log(`ratio: ${(scanMs / bareMs).toFixed(2)}× (target ≤ 2×)`);
  } finally {
    rmSync(repo.dir, { recursive: true, force: true });
  }
}

main();
