/**
 * `npm start`: the changegate GitHub App as a server. Probot does the GitHub side (the app's
 * credentials, installation tokens, retries and rate limits, the event router); this file owns
 * the process: the environment (the shell wins over `.env`), JSON logs with NODE_ENV=production,
 * the HTTP endpoints (src/server/http.ts), Redis when REDIS_URL is set, and a shutdown that lets
 * evaluations in flight finish before the process exits.
 *
 * Without APP_ID and a private key (and outside production) it hands over to `probot run`, whose
 * setup page registers the app from app.yml.
 */
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { getPrivateKey } from "@probot/get-private-key";
import { getTransformStream } from "@probot/pino";
import { pino } from "pino";
import { Probot, ProbotOctokit, run } from "probot";
import { createApp } from "../index.js";
import { MemoryCoordination, type Coordination } from "./coordination.js";
import { loadEnv, readConfig, type ServerConfig } from "./env.js";
import { failClosedGuard } from "./guard.js";
import { createRequestHandler, type HandlerState } from "./http.js";
import { RedisCoordination } from "./redis.js";
import { MemoryBlobCache, RedisBlobCache, type BlobCache } from "../github/blob-cache.js";
import { throttlePerInstallation } from "./throttle.js";
import { Tracker } from "./tracker.js";

export interface RunningServer {
  port: number;
  stop(): Promise<void>;
}

export async function startServer(envIn: Record<string, string | undefined> = process.env, cwd = process.cwd()): Promise<RunningServer | undefined> {
  const loaded = loadEnv(cwd, envIn);
  const env = loaded.env;
  // Handlers and libraries read process.env (APP_ID, NODE_ENV): give them the same view.
  for (const [key, value] of Object.entries(env)) if (value !== undefined) process.env[key] = value;
  let privateKey: string | undefined;
  try {
    privateKey = getPrivateKey({ env: env as NodeJS.ProcessEnv })?.toString() || undefined;
  } catch (error) {
    console.error(error);
  }
  const config = readConfig(env, privateKey);
  const log = await createLog(config);
  if (loaded.shadowed.length > 0) {
    log.warn({ event: "env", file: loaded.file, kept_from_environment: loaded.shadowed }, `${loaded.file} sets ${loaded.shadowed.join(", ")}; the environment's values are kept`);
  }

  if (config.appId === undefined || config.privateKey === undefined) {
    if (config.production) throw new Error("APP_ID and PRIVATE_KEY (or PRIVATE_KEY_PATH) are required with NODE_ENV=production");
    log.info({ event: "setup" }, "No APP_ID or private key: starting Probot's setup page to register the app from app.yml");
    await run([process.execPath, "probot", fileURLToPath(new URL("../index.js", import.meta.url))]);
    return undefined;
  }

  const state: HandlerState = { ready: false, draining: false };
  const tracker = new Tracker();
  let coordination: Coordination;
  // Migration histories are read as blobs by SHA: once per process in memory, once per deployment on Redis.
  let blobCache: BlobCache = new MemoryBlobCache();
  if (config.redisUrl) {
    const redis = new RedisCoordination(config.redisUrl, {
      log,
      track: (work) => tracker.track(work),
      ...(Number(env.CHANGEGATE_LOCK_LEASE_MS) > 0 ? { leaseMs: Number(env.CHANGEGATE_LOCK_LEASE_MS) } : {}),
    });
    await redis.connect();
    coordination = redis;
    blobCache = new RedisBlobCache(redis.client, blobCache, { log });
  } else {
    coordination = new MemoryCoordination();
  }

  const probot = new Probot({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.secret,
    baseUrl: config.baseUrl,
    log: log as never,
    // With REDIS_URL, Probot's throttling runs as a Bottleneck cluster shared by every replica.
    ...(config.redisUrl ? { redisConfig: config.redisUrl } : {}),
    Octokit: ProbotOctokit.plugin(failClosedGuard as never).defaults(throttlePerInstallation as never),
  });
  await probot.load(createApp({ lock: coordination.lock, blobCache }));

  const http = createServer(
    createRequestHandler({
      webhookPath: config.webhookPath,
      secret: config.secret,
      receiver: probot,
      coordination,
      tracker,
      background: coordination.kind === "redis",
      log,
      state,
    }),
  );
  http.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  state.ready = true;
  log.info({ event: "listening", host: config.host, port, webhook_path: config.webhookPath, coordination: coordination.kind, base_url: config.baseUrl }, `changegate listening on http://${config.host}:${port}${config.webhookPath}`);

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      state.draining = true;
      log.info({ event: "shutdown", in_flight: tracker.size }, "changegate is shutting down: finishing the evaluations in flight");
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeIdleConnections();
      const finished = await tracker.idle(config.shutdownTimeoutMs);
      if (!finished) log.error({ event: "shutdown", in_flight: tracker.size }, "changegate stopped with evaluations still running (their check runs stay in progress until the next event or a re-run)");
      http.closeAllConnections();
      await closed;
      await coordination.close();
      log.info({ event: "shutdown", finished }, "changegate stopped");
    })());
  return { port, stop };
}

async function createLog(config: ServerConfig) {
  const transform = await getTransformStream({ logFormat: config.logFormat, logLevelInString: config.logLevelInString, ...(config.sentryDsn ? { sentryDsn: config.sentryDsn } : {}) });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  return pino({ level: config.logLevel, name: "changegate", messageKey: config.logMessageKey ?? "msg" }, transform);
}

// Run as the entry point (npm start), not when imported by a test.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  startServer().then(
    (server) => {
      if (!server) return;
      for (const signal of ["SIGTERM", "SIGINT"] as const) {
        process.once(signal, () => {
          server.stop().then(
            () => process.exit(0),
            (error: unknown) => {
              console.error(error);
              process.exit(1);
            },
          );
        });
      }
    },
    (error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
