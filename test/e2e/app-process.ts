/**
 * The app as a user runs it: `npm start` (node dist/src/server/main.js) in a child process, with
 * the documented environment pointed at the local GitHub server through Probot's GitHub
 * Enterprise settings (GHE_HOST, GHE_PROTOCOL). Logs are JSON (NODE_ENV=production) and kept.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import type { AppRecord, GitHubServer } from "../support/github-server/server.js";

export const ROOT = join(import.meta.dirname, "..", "..");

export interface AppProcess {
  child: ChildProcess;
  url: string;
  webhookUrl: string;
  logs: Record<string, unknown>[];
  /** Lines that were not JSON. */
  text: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  /** Run `node dist/src/server/main.js` in this directory instead of `npm start` at the root. */
  cwd?: string;
}

export async function startApp(github: GitHubServer, app: AppRecord, options: StartOptions = {}): Promise<AppProcess> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    APP_ID: String(app.id),
    PRIVATE_KEY: app.privateKey,
    WEBHOOK_SECRET: app.secret,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
  };
  for (const [k, v] of Object.entries(options.env ?? {})) {
    if (v === undefined) delete env[k];
    else env[k] = v;
  }
  const child = options.cwd
    ? spawn(process.execPath, [join(ROOT, "dist", "src", "server", "main.js")], { cwd: options.cwd, env, stdio: ["ignore", "pipe", "pipe"] })
    : // npm runs the server as its own child: a process group of their own lets stop() end both.
      spawn("npm", ["start", "--silent"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const logs: Record<string, unknown>[] = [];
  const text: string[] = [];
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  let port: number | undefined;
  const listening = new Promise<number>((resolve, reject) => {
    let buffer = "";
    child.stdout!.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          logs.push(entry);
          if (entry.event === "listening" && typeof entry.port === "number") resolve((port = entry.port));
        } catch {
          if (line.trim() !== "") text.push(line);
        }
      }
    });
    child.stderr!.on("data", (chunk: Buffer) => text.push(...chunk.toString("utf8").split("\n").filter(Boolean)));
    void exited.then(({ code }) => reject(new Error(`the app exited (${code}) before listening:\n${text.join("\n")}`)));
  });
  await listening;
  const url = `http://127.0.0.1:${port}`;
  return {
    child,
    url,
    webhookUrl: `${url}/api/github/webhooks`,
    logs,
    text,
    exited,
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) {
        // The whole group when npm started it (npm does not always pass the signal on).
        if (options.cwd === undefined && child.pid !== undefined) {
          try {
            process.kill(-child.pid, signal);
          } catch {
            child.kill(signal);
          }
        } else child.kill(signal);
      }
      return exited;
    },
  };
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
