/**
 * The HTTP face of the server: GitHub's webhooks (signature checked over the exact bytes before
 * anything is parsed), health endpoints for load balancers and Kubernetes, nothing else.
 *
 * - `POST <webhook path>`: 415 unless JSON, 400 without the event, delivery and signature
 *   headers, 401 when X-Hub-Signature-256 does not match the secret, 400 for a body that is not
 *   JSON, 413 over GitHub's 25 MB payload cap, 503 while shutting down or when the shared state
 *   cannot be reached. A duplicate delivery id answers 200 and does nothing. Otherwise the event
 *   runs: inline (one process: the answer waits for the evaluation, 500 if it failed) or behind
 *   the acknowledgement (with Redis: 202 at once, the evaluation continues).
 * - `GET /healthz`: 200 while the process serves (liveness).
 * - `GET /readyz`: 200 once the app is loaded and, with Redis, Redis answers; 503 while
 *   draining (readiness). `GET /ping` answers PONG, as Probot's server does.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { verify } from "@octokit/webhooks-methods";
import type { Coordination } from "./coordination.js";
import type { Tracker } from "./tracker.js";

/** GitHub caps webhook payloads at 25 MB. */
const MAX_BODY = 25 * 1024 * 1024;

export interface Receiver {
  receive(event: { id: string; name: string; payload: unknown }): Promise<void>;
}

export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface HandlerState {
  ready: boolean;
  draining: boolean;
}

export interface HttpOptions {
  webhookPath: string;
  secret: string;
  receiver: Receiver;
  coordination: Coordination;
  tracker: Tracker;
  /** Acknowledge first, evaluate after (several replicas); otherwise the answer waits. */
  background: boolean;
  log: Log;
  state: HandlerState;
}

export function createRequestHandler(options: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  const { log, state } = options;
  return (req, res) => {
    void handle(req, res).catch((error: unknown) => {
      log.error({ event: "http", error: error instanceof Error ? error.message : String(error) }, "changegate could not answer a request");
      if (!res.headersSent) send(res, 500, { error: "internal error" });
    });
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?")[0]!.replace(/(?<!\/)\/+$/, "") || "/";
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/healthz") return send(res, 200, { status: "ok" });
      if (path === "/readyz") {
        const coordinated = state.ready && !state.draining ? await options.coordination.healthy() : false;
        const ok = state.ready && !state.draining && coordinated;
        return send(res, ok ? 200 : 503, { status: ok ? "ready" : state.draining ? "draining" : !state.ready ? "starting" : "redis unavailable", inFlight: options.tracker.size });
      }
      if (path === "/ping") {
        res.writeHead(200, { "content-type": "text/plain" }).end("PONG");
        return;
      }
    }
    if (path !== options.webhookPath.replace(/(?<!\/)\/+$/, "")) return send(res, 404, { error: "not found" });
    if (req.method !== "POST") return send(res, 405, { error: `${req.method} is not allowed here` });
    if (!/^\s*application\/json\s*(;|$)/i.test(req.headers["content-type"] ?? "")) return send(res, 415, { error: 'Content-Type must be "application/json"' });
    const name = header(req, "x-github-event");
    const id = header(req, "x-github-delivery");
    const signature = header(req, "x-hub-signature-256");
    const missing = [!name && "x-github-event", !id && "x-github-delivery", !signature && "x-hub-signature-256"].filter(Boolean);
    if (missing.length > 0) {
      req.resume();
      return send(res, 400, { error: `Required headers missing: ${missing.join(", ")}` });
    }
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { error: "payload over 25 MB" });
    if (!(await verify(options.secret, body, signature!).catch(() => false))) {
      log.warn({ event: "webhook-refused", id, name, reason: "signature" }, "changegate refused a webhook whose signature does not match");
      return send(res, 401, { error: "signature does not match" });
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return send(res, 400, { error: "body is not JSON" });
    }
    if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return send(res, 400, { error: "body is not a JSON object" });
    if (state.draining) return send(res, 503, { error: "shutting down; GitHub can redeliver" });

    let claimed: boolean;
    try {
      claimed = await options.coordination.claim(id!);
    } catch (error) {
      log.error({ event: "webhook-refused", id, name, reason: "coordination", error: (error as Error).message }, "changegate cannot record the delivery; refusing it so that it can be redelivered");
      return send(res, 503, { error: "shared state unavailable" });
    }
    if (!claimed) {
      log.info({ event: "duplicate-delivery", id, name }, "changegate already has this delivery");
      return send(res, 200, { status: "duplicate" });
    }

    const work = options.tracker.track(
      options.receiver.receive({ id: id!, name: name!, payload }).catch(async (error: unknown) => {
        // A failed delivery may be redelivered and must then run again.
        await options.coordination.release(id!).catch(() => undefined);
        throw error;
      }),
    );
    if (options.background) {
      work.catch((error: unknown) => log.error({ event: "evaluation-failed", id, name, error: error instanceof Error ? error.message : String(error) }, "changegate could not evaluate a delivery"));
      return send(res, 202, { status: "accepted" });
    }
    try {
      await work;
      send(res, 200, { status: "ok" });
    } catch (error) {
      log.error({ event: "evaluation-failed", id, name, error: error instanceof Error ? error.message : String(error) }, "changegate could not evaluate a delivery");
      send(res, 500, { error: "evaluation failed" });
    }
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value || undefined;
}

async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) {
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
