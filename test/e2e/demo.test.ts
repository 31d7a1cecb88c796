/**
 * `npm run demo` as a newcomer runs it (scripts/demo.mjs, on the built dist/): the App story ends
 * green, and both demos say how to keep the repository they build (`--keep`), which they then do.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..", "..");

function demo(...args: string[]) {
  const result = spawnSync(process.execPath, [join(ROOT, "scripts", "demo.mjs"), ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: undefined },
    timeout: 150_000,
  });
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

function kept(out: string, pattern: RegExp): string {
  const dir = pattern.exec(out)?.[1];
  expect(dir, out).toBeDefined();
  return dir!;
}

describe("npm run demo", () => {
  it("the App demo ends green, gates the namespace deletion through the built-in floor, and mentions --keep", () => {
    const dir = mkdtempSync(join(tmpdir(), "changegate-demo-record-"));
    const recorded = join(dir, "held.json");
    const { code, out } = demo("--record", recorded);
    expect(code, out).toBe(0);
    // The README's picture is drawn from this record: it must be what the demo shows today.
    const shas = (text: string) => text.replace(/\b[0-9a-f]{7,40}\b/g, "<sha>");
    try {
      expect(shas(readFileSync(recorded, "utf8")), "docs/blocked-pull-request.json is stale: run `npm run picture`").toBe(shas(readFileSync(join(ROOT, "docs", "blocked-pull-request.json"), "utf8")));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(out).toContain("The gate is green");
    expect(out).toMatch(/failure +deploy\/namespaces\.yaml:6 +k8s\/delete-namespace \(critical\)/);
    expect(out).toContain("npm run demo -- --keep");
    expect(out).not.toContain("(kept the repository");
  }, 180_000);

  it("the CLI demo mentions --keep, and --keep keeps the repository", () => {
    const plain = demo("--cli");
    expect(plain.code, plain.out).toBe(0);
    expect(plain.out).toContain("npm run demo -- --cli --keep");
    const withKeep = demo("--cli", "--keep");
    expect(withKeep.code, withKeep.out).toBe(0);
    const dir = kept(withKeep.out, /\(kept (\S+)\)/);
    try {
      expect(existsSync(join(dir, ".git"))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
