import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    // Vitest's default is one worker per core minus one: a single worker on a 2-core CI machine.
    // Many files wait on child processes, git and loopback servers, so more workers than cores pay.
    maxWorkers: Math.max(3, availableParallelism()),
    // The end-to-end tests start the built server: build it first when the sources are newer.
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
