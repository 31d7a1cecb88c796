// `npm test`: the type check, the linter and the test suite, at once. The suite's first files
// mostly wait (on the built server, Redis leases, GitHub's one-write-a-second pacing), so the two
// static checks run in CPU those waits leave idle instead of before the suite. Their output is
// held and printed after the suite's, so the suite's report stays readable; the command fails
// when any of the three fails. Arguments are passed to vitest (`npm test -- test/cli`).
import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// The checks are the package's own `typecheck` and `lint` scripts, run by the npm that runs this.
const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ["npm"];

/** Runs a command; resolves with its exit code and, unless shown as it runs, its output. */
function run(name, [command, ...args], { show = false } = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: show ? "inherit" : ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk) => (output += chunk));
    child.stderr?.on("data", (chunk) => (output += chunk));
    child.on("error", (error) => resolve({ name, code: 1, output: `${output}${error.message}\n` }));
    child.on("close", (code, signal) => resolve({ name, code: code ?? 1, output: signal ? `${output}ended by ${signal}\n` : output }));
  });
}

const checks = ["typecheck", "lint"].map((script) => run(script, [...npm, "run", "--silent", script]));
const suite = await run("vitest", [process.execPath, join(root, "node_modules", "vitest", "vitest.mjs"), "run", ...process.argv.slice(2)], { show: true });
let failed = suite.code !== 0;
for (const check of await Promise.all(checks)) {
  if (check.output.trim()) process.stdout.write(`\n${check.name}:\n${check.output}`);
  process.stdout.write(`${check.name}: ${check.code === 0 ? "passed" : `failed (exit ${check.code})`}\n`);
  failed ||= check.code !== 0;
}
process.exit(failed ? 1 : 0);
