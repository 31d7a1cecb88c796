/**
 * The server's environment. Probot's own loader (`probot run`) assigns `.env` over the process
 * environment, so a copied `.env.example` with `PORT=3000` or an empty `APP_ID=` silently wins
 * over what the operator exported. changegate's server reads `.env` the other way round: a value
 * set in the environment is kept, `.env` only fills the gaps, and an empty value in `.env` counts
 * as unset. The keys where the two disagree are reported so that the operator can see it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseEnv } from "node:util";

export interface LoadedEnv {
  env: Record<string, string | undefined>;
  /** Keys `.env` sets that the environment already set differently (the environment's value is kept). */
  shadowed: string[];
  /** The `.env` file read, if any. */
  file?: string;
}

export function loadEnv(cwd: string, shell: Record<string, string | undefined> = process.env): LoadedEnv {
  const file = join(cwd, ".env");
  let parsed: Record<string, string>;
  try {
    parsed = parseEnv(readFileSync(file, "utf8")) as Record<string, string>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return { env: { ...shell }, shadowed: [] };
    throw error;
  }
  const env: Record<string, string | undefined> = { ...shell };
  const shadowed: string[] = [];
  for (const [key, value] of Object.entries(parsed)) {
    if (value === "") continue;
    const current = shell[key];
    if (current === undefined || current === "") env[key] = value;
    else if (current !== value) shadowed.push(key);
  }
  return { env, shadowed, file };
}

export interface ServerConfig {
  appId?: number;
  privateKey?: string;
  secret: string;
  webhookPath: string;
  host: string;
  port: number;
  baseUrl: string;
  redisUrl?: string;
  logLevel: string;
  logFormat: "json" | "pretty";
  logLevelInString: boolean;
  logMessageKey?: string;
  sentryDsn?: string;
  /** How long SIGTERM waits for evaluations in flight before exiting anyway. */
  shutdownTimeoutMs: number;
  production: boolean;
}

/** Probot's settings (docs/configuration.md) plus changegate's own, from one environment. */
export function readConfig(env: Record<string, string | undefined>, privateKey: string | undefined): ServerConfig {
  const production = env.NODE_ENV === "production";
  const format = env.LOG_FORMAT?.trim();
  const appId = Number(env.APP_ID);
  return {
    ...(Number.isInteger(appId) && appId > 0 ? { appId } : {}),
    ...(privateKey ? { privateKey } : {}),
    secret: env.WEBHOOK_SECRET || "development",
    webhookPath: env.WEBHOOK_PATH || "/api/github/webhooks",
    // Probot 14 listens on localhost by default; a container sets HOST=0.0.0.0.
    host: env.HOST || "localhost",
    // PORT=0 picks a free port (tests); unset means 3000.
    port: env.PORT !== undefined && env.PORT !== "" && Number.isInteger(Number(env.PORT)) ? Number(env.PORT) : 3000,
    baseUrl: env.GHE_HOST ? `${env.GHE_PROTOCOL || "https"}://${env.GHE_HOST}/api/v3` : "https://api.github.com",
    ...(env.REDIS_URL ? { redisUrl: env.REDIS_URL } : {}),
    logLevel: env.LOG_LEVEL || "info",
    // NODE_ENV=production means JSON logs unless LOG_FORMAT says otherwise (`probot run` ignores it).
    logFormat: format ? (format === "pretty" ? "pretty" : "json") : production ? "json" : "pretty",
    logLevelInString: env.LOG_LEVEL_IN_STRING === "true",
    ...(env.LOG_MESSAGE_KEY ? { logMessageKey: env.LOG_MESSAGE_KEY } : {}),
    ...(env.SENTRY_DSN ? { sentryDsn: env.SENTRY_DSN } : {}),
    shutdownTimeoutMs: Number(env.SHUTDOWN_TIMEOUT_MS) > 0 ? Number(env.SHUTDOWN_TIMEOUT_MS) : 25_000,
    production,
  };
}
