import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import picomatch from "picomatch";
import { defineConfig } from "vitest/config";

// Files that run the engine, rules, policy and reports in-process (no module mocks, no HTTP
// interception, no servers, no environment changes) share one module graph per worker: importing
// the parsers and the engine again for each of them cost more than running their tests. Every
// other file (the App, the CLI, end-to-end, security, module mocks) gets a module graph of its own.
const sharesModules = picomatch("test/{analyzers,rules,policy,report,source,engine}/**/*.test.ts");
const mocksModules = picomatch("test/analyzers/migrations/embedded-sql.test.ts");
const testFiles = readdirSync("test", { recursive: true, encoding: "utf8" })
  .map((path) => `test/${path.replaceAll("\\", "/")}`)
  .filter((path) => path.endsWith(".test.ts"));
const inProcess = testFiles.filter((path) => sharesModules(path) && !mocksModules(path));

export default defineConfig({
  test: {
    environment: "node",
    // Vitest's default is one worker per core minus one: a single worker on a 2-core CI machine.
    // Many files wait on child processes, git and loopback servers, so more workers than cores pay.
    maxWorkers: Math.max(3, availableParallelism()),
    // The end-to-end tests start the built server: build it first when the sources are newer.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    projects: [
      { extends: true, test: { name: "in-process", include: inProcess, isolate: false } },
      { extends: true, test: { name: "isolated", include: testFiles.filter((path) => !inProcess.includes(path)), isolate: true } },
    ],
  },
});
