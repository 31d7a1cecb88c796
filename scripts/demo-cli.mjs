// `npm run demo -- --cli`: builds a small git repository in a temporary directory from
// fixtures/sample-repo/ (a base commit on main, then a branch with new migrations) and runs the
// built CLI on it: `changegate scan --repo <tmp>`. Pass --keep to keep the repository, or any scan
// flags (e.g. --format json) to pass them through.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = join(root, "fixtures", "sample-repo");
const cli = join(root, "bin", "changegate.js");

export async function runCliDemo(args) {
  const keep = args.includes("--keep");
  const scanArgs = args.filter((a) => a !== "--keep");
  // Fixed identity and dates: the same commits (and SHAs) on every machine, no global config involved.
  const env = {
    ...process.env,
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: process.platform === "win32" ? "NUL" : "/dev/null",
    GIT_AUTHOR_NAME: "Dana Developer",
    GIT_AUTHOR_EMAIL: "dana@example.com",
    GIT_COMMITTER_NAME: "Dana Developer",
    GIT_COMMITTER_EMAIL: "dana@example.com",
  };
  const repo = mkdtempSync(join(tmpdir(), "changegate-demo-"));
  const git = (gitArgs, date) =>
    execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...gitArgs], {
      cwd: repo,
      env: date ? { ...env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date } : env,
      stdio: ["ignore", "pipe", "pipe"],
    });

  let status = 0;
  try {
    git(["init", "--quiet"]);
    git(["symbolic-ref", "HEAD", "refs/heads/main"]);
    cpSync(join(fixtures, "base"), repo, { recursive: true });
    git(["add", "--all"]);
    git(["commit", "--quiet", "-m", "Create customers, orders and sessions"], "2026-01-05T10:00:00Z");
    git(["checkout", "--quiet", "-b", "cleanup-legacy-orders"]);
    cpSync(join(fixtures, "head"), repo, { recursive: true });
    git(["add", "--all"]);
    git(["commit", "--quiet", "-m", "Drop legacy orders, purge sessions, index orders by customer"], "2026-01-06T15:30:00Z");

    const log = git(["log", "--oneline", "--stat=100", "main..HEAD"]).toString("utf8");
    console.log(`A sample repository in ${repo}: branch cleanup-legacy-orders, one commit on top of main.\n`);
    console.log(log.trimEnd().replace(/^/gm, "  ") + "\n");
    console.log(`$ changegate scan --repo ${repo}${scanArgs.length ? ` ${scanArgs.join(" ")}` : ""}\n`);

    // Output is piped (to tell a verdict from a crash), so colour is forwarded explicitly.
    const color = process.stdout.isTTY && process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined ? { FORCE_COLOR: "1" } : {};
    const scan = spawnSync(process.execPath, [cli, "scan", "--repo", repo, ...scanArgs], {
      env: { ...process.env, ...color },
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    process.stdout.write(scan.stdout ?? "");
    process.stderr.write(scan.stderr ?? "");
    // Node exits with 1 on an uncaught exception too: a verdict always prints a report on stdout.
    const crashed = scan.status === 1 && (scan.stdout ?? "").trim() === "";
    const code = crashed ? 2 : (scan.status ?? 2);
    const meaning = { 0: "nothing needs a sign-off", 1: "a sign-off is needed before this can merge", 2: "the scan could not run" }[code] ?? "unexpected";
    console.log(`\nchangegate exited with ${code}: ${meaning}.`);
    // The demo succeeds when the scan ran: exit 1 (gated) is the expected verdict here.
    status = code === 0 || code === 1 ? 0 : 1;
  } catch (error) {
    console.error(`demo: ${error instanceof Error ? error.message : String(error)}`);
    status = 1;
  } finally {
    if (keep) console.log(`(kept ${repo})`);
    else {
      rmSync(repo, { recursive: true, force: true });
      console.log("(npm run demo -- --cli --keep keeps the repository, to look around or scan it again)");
    }
  }
  return status;
}
