/**
 * Plan cost, whole process: a generated `terraform show -json` plan of 20,000 resource changes
 * (about 50 MB) through the real `changegate scan --terraform-plan` (bin/changegate.js on a small
 * git repository), beside a bare `node -e` that only JSON.parses the same file, alternating, in
 * the same run. Prints the medians, their ratio and the peak resident memory of each, and checks
 * the targets: at most 1.5× the bare parse's wall time, peak memory at most 4× the file size.
 * Then the limits: a 200 MB plan and JSON nested 100,000 deep each end in a finding, in seconds.
 *
 *   npm run build && node --import tsx bench/terraform-plan.ts
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BIN = join(ROOT, "bin", "changegate.js");
const CHANGES = 20_000;
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const TIME = "/usr/bin/time";

function resourceChange(i: number): object {
  const type = ["aws_instance", "aws_s3_bucket", "aws_db_instance", "aws_security_group_rule", "aws_iam_role_policy"][i % 5]!;
  const address = `module.service_${i % 40}.${type}.r${i}`;
  const before = {
    id: `id-${i.toString(16).padStart(8, "0")}`,
    arn: `arn:aws:service:eu-west-1:123456789012:${type}/r${i}`,
    name: `resource-${i}`,
    tags: { team: `team-${i % 17}`, env: "prod", cost_center: `cc-${i % 101}`, service: `service-${i % 40}` },
    deletion_protection: true,
    settings: [{ size: i % 500, enabled: true, description: "x".repeat(200 + (i % 300)), rules: Array.from({ length: 4 }, (_, r) => ({ port: 1000 + r, cidr: `10.${r}.${i % 255}.0/24` })) }],
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["s3:GetObject"], Resource: `arn:aws:s3:::bucket-${i}/*` }] }),
  };
  const actions = i % 500 === 0 ? ["delete"] : i % 333 === 0 ? ["delete", "create"] : i % 3 === 0 ? ["update"] : i % 3 === 1 ? ["no-op"] : ["create"];
  const after = actions[0] === "delete" && actions.length === 1 ? null : { ...before, tags: { ...before.tags, revision: String(i) } };
  return {
    address,
    module_address: `module.service_${i % 40}`,
    mode: "managed",
    type,
    name: `r${i}`,
    provider_name: "registry.terraform.io/hashicorp/aws",
    change: {
      actions,
      before: actions[0] === "create" ? null : before,
      after,
      after_unknown: { id: actions[0] === "create" },
      before_sensitive: {},
      after_sensitive: {},
      ...(actions.length === 2 ? { replace_paths: [["name"]] } : {}),
    },
    ...(actions.length === 2 ? { action_reason: "replace_because_cannot_update" } : {}),
  };
}

function writePlan(path: string, changes: number): number {
  const resource_changes = Array.from({ length: changes }, (_, i) => resourceChange(i));
  const planned = resource_changes.map((rc) => {
    const { address, type, name, change } = rc as { address: string; type: string; name: string; change: { after: unknown } };
    return { address, mode: "managed", type, name, values: change.after, sensitive_values: {} };
  });
  const text = JSON.stringify({
    format_version: "1.2",
    terraform_version: "1.9.5",
    planned_values: { root_module: { resources: planned } },
    resource_changes,
    configuration: { root_module: { module_calls: {} } },
    applyable: true,
    complete: true,
    errored: false,
  });
  writeFileSync(path, text);
  return Buffer.byteLength(text);
}

interface Run {
  ms: number;
  rssBytes: number | null;
  status: number | null;
  stdout: string;
}

/** One process, timed from spawn to exit; peak RSS from GNU time when present. */
function timed(command: string, args: string[], cwd: string): Run {
  const useTime = existsSync(TIME);
  const start = process.hrtime.bigint();
  const result = useTime
    ? spawnSync(TIME, ["-f", "%M", command, ...args], { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
    : spawnSync(command, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const kb = useTime ? Number(/(\d+)\s*$/.exec(result.stderr.trim())?.[1]) : NaN;
  return { ms, rssBytes: Number.isFinite(kb) ? kb * 1024 : null, status: result.status, stdout: result.stdout };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

function main(): void {
  if (!existsSync(join(ROOT, "dist", "src", "cli.js"))) {
    console.error("bench/terraform-plan.ts needs the compiled CLI: run `npm run build` first.");
    process.exit(2);
  }
  const work = mkdtempSync(join(tmpdir(), "changegate-plan-bench-"));
  try {
    const repo = join(work, "repo");
    execFileSync("git", ["init", "--quiet", "-b", "main", repo]);
    const git = (...args: string[]) => execFileSync("git", ["-C", repo, "-c", "user.name=bench", "-c", "user.email=bench@example.com", ...args]);
    writeFileSync(join(repo, "README.md"), "# infra\n");
    git("add", "-A");
    git("commit", "--quiet", "-m", "base");
    git("checkout", "--quiet", "-b", "feature");
    writeFileSync(join(repo, "README.md"), "# infra\n\nmore\n");
    git("commit", "--quiet", "-am", "head");

    const plan = join(work, "plan.json");
    const size = writePlan(plan, CHANGES);
    console.log(`plan: ${CHANGES.toLocaleString("en")} resource changes, ${mb(size)}`);

    const scanArgs = [BIN, "scan", "--repo", repo, "--base", "main", "--format", "json", "--terraform-plan", plan];
    const bareArgs = ["-e", `JSON.parse(require("node:fs").readFileSync(${JSON.stringify(plan)}, "utf8"))`];
    const scans: Run[] = [];
    const bares: Run[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      bares.push(timed(process.execPath, bareArgs, work));
      scans.push(timed(process.execPath, scanArgs, work));
    }
    const failed = scans.find((r) => r.status !== 1);
    if (failed) throw new Error(`changegate scan exited ${failed.status} (expected 1, gated): ${failed.stdout.slice(0, 500)}`);
    const findings = (JSON.parse(scans[0]!.stdout) as { findings: unknown[] }).findings.length;
    const scanMs = median(scans.map((r) => r.ms));
    const bareMs = median(bares.map((r) => r.ms));
    const ratio = scanMs / bareMs;
    console.log(`changegate scan --terraform-plan: median ${scanMs.toFixed(0)} ms over ${ROUNDS} runs (${findings} findings)`);
    console.log(`node -e JSON.parse:               median ${bareMs.toFixed(0)} ms over ${ROUNDS} runs`);
    console.log(`ratio: ${ratio.toFixed(2)}× (target ≤ 1.5×)`);
    const scanRss = Math.max(...scans.map((r) => r.rssBytes ?? 0));
    const bareRss = Math.max(...bares.map((r) => r.rssBytes ?? 0));
    if (scanRss > 0) {
      console.log(`peak RSS: scan ${mb(scanRss)} (${(scanRss / size).toFixed(2)}× the file; target ≤ 4×), bare parse ${mb(bareRss)} (${(bareRss / size).toFixed(2)}×)`);
    } else console.log("peak RSS: not measured (no /usr/bin/time)");

    // Limits: hostile inputs end in a finding, quickly.
    const big = join(work, "big.json");
    const bigSize = writePlan(big, Math.ceil((CHANGES * 200) / 50));
    const bigRun = timed(process.execPath, [BIN, "scan", "--repo", repo, "--base", "main", "--format", "json", "--terraform-plan", big], work);
    const bigFindings = bigRun.status === 1 ? (JSON.parse(bigRun.stdout) as { findings: { rule: string }[] }).findings.length : -1;
    console.log(`200 MB-class plan (${mb(bigSize)}): exit ${bigRun.status}, ${bigFindings} findings, ${(bigRun.ms / 1000).toFixed(1)} s, peak RSS ${bigRun.rssBytes ? mb(bigRun.rssBytes) : "n/a"}`);
    rmSync(big);
    const deep = join(work, "deep.json");
    writeFileSync(deep, `{"format_version":"1.2","resource_changes":[],"planned_values":${"[".repeat(100_000)}${"]".repeat(100_000)}}`);
    const deepRun = timed(process.execPath, [BIN, "scan", "--repo", repo, "--base", "main", "--format", "json", "--terraform-plan", deep], work);
    const deepRules = deepRun.status === 1 ? (JSON.parse(deepRun.stdout) as { findings: { rule: string }[] }).findings.map((f) => f.rule) : [];
    console.log(`JSON nested 100,000 deep: exit ${deepRun.status}, findings [${deepRules.join(", ")}], ${(deepRun.ms / 1000).toFixed(2)} s`);

    const ok = ratio <= 1.5 && (scanRss === 0 || scanRss <= 4 * size) && bigRun.status === 1 && deepRules.includes("tf/unparsed");
    console.log(ok ? "targets met" : "TARGETS MISSED");
    process.exitCode = ok ? 0 : 1;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main();
