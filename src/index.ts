/**
 * The changegate GitHub App (Probot). It only wires webhooks to handlers; the handlers decode
 * each event and hand it to the one gate pipeline (src/github/gate.ts).
 */
import type { Probot } from "probot";
import { registerHandlers, type HandlerOptions } from "./github/handlers.js";

/** An app function with test overrides (a fixed clock or app id). */
export function createApp(options: HandlerOptions = {}): (app: Probot) => void {
  return (app: Probot) => registerHandlers(app, options);
}

/** Probot's app function: `probot run ./dist/src/index.js`. */
export default function changegate(app: Probot): void {
  registerHandlers(app);
}
