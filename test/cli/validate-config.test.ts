import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "./io.js";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "changegate-validate-"));
  writeFileSync(join(dir, "good.yml"), "version: 1\nmode: report-only\n");
  writeFileSync(join(dir, "bad.yml"), "version: 1\nmode: sometimes\n");
  mkdirSync(join(dir, ".github"));
  writeFileSync(join(dir, ".github", "changegate.yml"), "version: 1\n");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("changegate validate-config", () => {
  it("exits 0 for a valid file and 1 with located errors for an invalid one", async () => {
    expect((await run(["validate-config", "good.yml"], { cwd: dir })).code).toBe(0);
    const bad = await run(["validate-config", "bad.yml"], { cwd: dir });
    expect(bad.code).toBe(1);
    expect(bad.stdout + bad.stderr).toMatch(/bad\.yml:2:\d+: /);
  });

  it("defaults to .github/changegate.yml in the working directory", async () => {
    expect((await run(["validate-config"], { cwd: dir })).code).toBe(0);
  });

  it("is a usage error for a missing file or extra arguments", async () => {
    expect((await run(["validate-config", "missing.yml"], { cwd: dir })).code).toBe(2);
    expect((await run(["validate-config", "a.yml", "b.yml"], { cwd: dir })).code).toBe(2);
    expect((await run(["validate-config", "--strict"], { cwd: dir })).code).toBe(2);
  });
});
