import { readdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import picomatch from "picomatch";
import { defineConfig } from "vitest/config";

// Files that run changegate in the test process (the engine, rules, policy, reports, and the App
// against the nock-backed fake GitHub) share one module graph per worker: importing the parsers,
// the engine and Probot again for each file cost more CPU than many files' tests. They keep no
// state between files (each App test builds its own Probot and fake, nock is reset per test).
// Files that start servers or child processes over real loopback sockets (end-to-end, CLI, demo,
// scripts), and module mocks, get a fresh worker each: nock's disabled net connect must not reach them.
// Vitest starts the projects' files in the order of the projects' names: "child-processes" first,
// since those files mostly wait (on servers, child processes, Redis leases), and their waits then
// overlap the CPU-bound in-process files instead of ending the run on a half-idle machine.
const sharesModules = picomatch(["test/{analyzers,rules,policy,report,source,engine,util}/**/*.test.ts", "test/security/**/*.test.ts", "test/app/*.test.ts", "test/github/*.test.ts"]);
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
      // A fresh worker per file parses SQL for a few seconds and exits: V8 optimising libpg-query's
      // WASM in the background costs it more CPU than it saves (a third of `test/cli/scan.test.ts`),
      // as for the CLI (bin/changegate.js). The long-lived in-process workers keep V8's defaults.
      {
        extends: true,
        test: { name: "child-processes", include: testFiles.filter((path) => !inProcess.includes(path)), isolate: true, execArgv: ["--liftoff-only"] },
      },
    ],
  },
});
