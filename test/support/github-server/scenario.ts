/**
 * The sample repository (fixtures/sample-repo) on the local GitHub: `main` holds base/, a branch
 * written by a coding agent adds head/ on top, and the people around it — the engineer who
 * started the agent (a committer of its commits), a DBA who may sign off, a reader.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { AppRecord, GitHubServer, PullRecord } from "./server.js";

export const SAMPLE = join(import.meta.dirname, "..", "..", "..", "fixtures", "sample-repo");
export const AGENT = "Copilot";
/** Started the agent and pushed its commits: a committer, never eligible. */
export const ENGINEER = "dana";
/** In acme/dba with write access: the qualified reviewer. */
export const DBA = "erin";

export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d)) {
      const path = join(d, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path).split("\\").join("/")] = readFileSync(path, "utf8");
    }
  };
  walk(dir);
  return out;
}

export interface Sample {
  app: AppRecord;
  pull: PullRecord;
  head: string;
}

/** Sets up the repository, the people and the app; opens the agent's pull request (no webhook yet). */
export function sampleRepository(github: GitHubServer, options: { appId?: number; secret?: string; branch?: string; number?: number; head?: Record<string, string | null> } = {}): Sample {
  const app = github.apps.get(options.appId ?? 4242) ?? github.registerApp({ id: options.appId ?? 4242, secret: options.secret ?? "sample-webhook-secret" });
  if (!github.git.branchExists(github.defaultBranch)) {
    github.push(github.defaultBranch, readTree(join(SAMPLE, "base")), { message: "Create customers, orders and sessions", author: ENGINEER, date: "2026-01-05T10:00:00Z" });
  }
  github.account(AGENT, "Bot");
  github.setPermission(ENGINEER, "write");
  github.setPermission(DBA, "write");
  github.setPermission("rita", "read");
  github.setTeamMember("acme/dba", DBA);
  github.requireCheck(github.defaultBranch, app.id);
  const branch = options.branch ?? "copilot/cleanup-legacy-orders";
  const head = github.push(branch, options.head ?? readTree(join(SAMPLE, "head")), {
    message: `Drop legacy orders, purge sessions, index orders by customer\n\nCo-authored-by: ${ENGINEER} <${github.identity(ENGINEER).email}>`,
    author: AGENT,
    committer: ENGINEER,
  });
  const pull = github.openPull({ head: branch, title: "Clean up legacy orders and expired sessions", author: AGENT, body: "Requested by @dana.", ...(options.number !== undefined ? { number: options.number } : {}) });
  return { app, pull, head };
}
