// The findings on the corpus, as a digest per case: speed work must not change what is found.
//
//   node --import tsx bench/findings.ts            compare with bench/findings-digest.json (exit 1 on a difference)
//   node --import tsx bench/findings.ts --write    record the digest (do it on the commit you compare with)
//   node --import tsx bench/findings.ts --bin DIR/bin/changegate.js   run another build (a checkout of main)
//   node --import tsx bench/findings.ts --only TEXT  only the cases whose name contains TEXT
//
// Each case is a git repository of corpus files (bench/corpus.ts) scanned by the built CLI as a
// child process (`npm run build` first), the way a user runs it. A rule change that is meant to
// change findings re-records the digest in the same commit.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { BIN, caseRepo, corpusPresent, digestCases, ROOT } from "./corpus.js";

const DIGEST_FILE = join(ROOT, "bench", "findings-digest.json");

interface Entry {
  findings: number;
  outcome: string;
  sha256: string;
}

function scan(bin: string, repo: string): { entry: Entry; rules: Map<string, number> } {
  const run = spawnSync(process.execPath, [bin, "scan", "--repo", repo, "--base", "base", "--head", "head", "--format", "json"], {
    encoding: "utf8",
    maxBuffer: 1024 * 1024 * 1024,
  });
  if (run.status !== 0 && run.status !== 1) throw new Error(`changegate scan failed on ${repo} (exit ${run.status}): ${run.stderr}`);
  const report = JSON.parse(run.stdout) as { findings: Record<string, unknown>[]; decision: { outcome: string } };
  const lines = report.findings.map((f) => JSON.stringify(f, Object.keys(f).sort())).sort();
  const rules = new Map<string, number>();
  for (const f of report.findings) rules.set(String(f.rule), (rules.get(String(f.rule)) ?? 0) + 1);
  return {
    entry: { findings: lines.length, outcome: report.decision.outcome, sha256: createHash("sha256").update(lines.join("\n")).digest("hex") },
    rules,
  };
}

function main(): number {
  if (!corpusPresent()) {
    console.log("findings digest: ../shared/corpus is absent; skipped.");
    return 0;
  }
  const write = process.argv.includes("--write");
  const binAt = process.argv.indexOf("--bin");
  const bin = binAt >= 0 ? process.argv[binAt + 1]! : BIN;
  if (!existsSync(bin)) throw new Error(`${bin} is missing: run npm run build first`);
  const onlyAt = process.argv.indexOf("--only");
  const only = onlyAt >= 0 ? process.argv[onlyAt + 1]! : undefined;
  const recorded = existsSync(DIGEST_FILE) ? (JSON.parse(readFileSync(DIGEST_FILE, "utf8")) as Record<string, Entry>) : {};
  const now: Record<string, Entry> = {};
  let differ = 0;
  const cases = digestCases().filter((c) => only === undefined || c.name.includes(only));
  for (const c of cases) {
    const { entry } = scan(bin, caseRepo(c));
    now[c.name] = entry;
    const was = recorded[c.name];
    const same = was !== undefined && was.sha256 === entry.sha256 && was.outcome === entry.outcome;
    if (!write && !same) differ++;
    const mark = write ? "recorded" : same ? "same" : was === undefined ? "NEW" : `DIFFERENT (was ${was.findings}, ${was.outcome})`;
    console.log(`  ${c.name.padEnd(78)} ${String(entry.findings).padStart(5)} findings, ${entry.outcome.padEnd(14)} ${mark}`);
  }
  if (write) {
    const merged = only === undefined ? now : { ...recorded, ...now };
    writeFileSync(DIGEST_FILE, JSON.stringify(merged, null, 2) + "\n");
    console.log(`findings digest written to ${DIGEST_FILE}`);
    return 0;
  }
  const missing = only === undefined ? Object.keys(recorded).filter((name) => !(name in now)) : [];
  for (const name of missing) console.log(`  ${name}: recorded but no longer a case`);
  if (differ > 0 || missing.length > 0) {
    console.log(`FAILED: findings differ from ${DIGEST_FILE} in ${differ + missing.length} case(s)`);
    return 1;
  }
  console.log(`findings identical to the recorded digest in all ${Object.keys(now).length} cases`);
  return 0;
}

process.exitCode = main();
