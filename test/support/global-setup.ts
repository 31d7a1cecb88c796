/**
 * Once per test run, before any test file:
 * - The end-to-end tests run the built server (dist/), as `npm start` does. `npm ci` builds it
 *   (the prepare script); this rebuilds it when a source file is newer than the build.
 * - GitHub's REST description is parsed and reduced for request validation (support/openapi.ts),
 *   so that test files read the small cached copy instead of each parsing 13 MB.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { requestDocument } from "./openapi.js";

const ROOT = join(import.meta.dirname, "..", "..");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

export default function setup(): void {
  const built = join(ROOT, "dist", "src", "server", "main.js");
  // The bundles (scripts/bundle.mjs) are written after the compiled files, from them.
  const bundled = [join(ROOT, "dist", "cli", "changegate.js"), join(ROOT, "dist", "action", "main.js")];
  const stale = !existsSync(built) || !bundled.every((path) => existsSync(path)) || Math.max(newest(join(ROOT, "src")), newest(join(ROOT, "rules"))) > statSync(built).mtimeMs;
  if (stale) execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "inherit" });
  requestDocument();
}
