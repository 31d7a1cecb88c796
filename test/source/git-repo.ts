import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

const ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: "1",
  GIT_CONFIG_GLOBAL: "/dev/null",
  GIT_AUTHOR_NAME: "Test Author",
  GIT_AUTHOR_EMAIL: "author@example.com",
  GIT_COMMITTER_NAME: "Test Author",
  GIT_COMMITTER_EMAIL: "author@example.com",
  GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z",
  GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z",
};

/** A throwaway git repository in a temp directory, for tests that need real history. */
export class TestRepo {
  readonly dir: string;

  constructor(options: { branch?: string | null } = {}) {
    this.dir = mkdtempSync(join(tmpdir(), "changegate-test-"));
    this.git("init", "--quiet");
    if (options.branch !== null) this.git("symbolic-ref", "HEAD", `refs/heads/${options.branch ?? "main"}`);
  }

  git(...args: string[]): string {
    return execFileSync("git", ["-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", ...args], {
      cwd: this.dir,
      env: ENV,
      stdio: ["ignore", "pipe", "pipe"],
    }).toString("utf8");
  }

  /** Writes files (null deletes) and commits them; returns the new commit's SHA. */
  commit(files: Record<string, string | Uint8Array | null>, message = "change"): string {
    for (const [path, content] of Object.entries(files)) {
      const full = join(this.dir, path);
      if (content === null) {
        unlinkSync(full);
      } else {
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    }
    this.git("add", "--all");
    this.git("commit", "--quiet", "--allow-empty", "-m", message);
    return this.sha("HEAD");
  }

  sha(rev: string): string {
    return this.git("rev-parse", rev).trim();
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
