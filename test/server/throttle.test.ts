/**
 * The client Probot hands a webhook handler is throttled under its installation's key, not under
 * the one key every installation of the process (and, with Redis, of the deployment) would share.
 */
import { generateKeyPairSync } from "node:crypto";
import { Probot, ProbotOctokit } from "probot";
import { describe, expect, it } from "vitest";
import { throttlePerInstallation } from "../../src/server/throttle.js";

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });

/** The throttle options of the clients handlers get, for events of these installations. */
async function throttleIds(Octokit: typeof ProbotOctokit, installations: number[]): Promise<unknown[]> {
  const probot = new Probot({ appId: 1, privateKey, secret: "s", Octokit, logLevel: "fatal" });
  await probot.load((app) => {
    app.on("pull_request.opened", () => undefined);
  });
  for (const id of installations) {
    await probot.receive({ id: `d-${id}`, name: "pull_request", payload: { action: "opened", installation: { id }, repository: { owner: { login: "acme" }, name: "shop" }, pull_request: { number: 1 } } } as never);
  }
  return seen.splice(0);
}

const seen: unknown[] = [];
const recording = ProbotOctokit.defaults((options: { throttle?: { id?: string }; auth?: { installationId?: number } }) => {
  if (options.auth?.installationId !== undefined) seen.push(options.throttle?.id ?? "no-id");
  return options;
});

describe("throttlePerInstallation", () => {
  it("without it, every installation's handler client shares one throttle key", async () => {
    expect(await throttleIds(recording, [7, 8])).toEqual(["no-id", "no-id"]);
  });

  it("keys each handler client's throttle by its installation", async () => {
    expect(await throttleIds(recording.defaults(throttlePerInstallation as never) as typeof ProbotOctokit, [7, 8])).toEqual(["installation-7", "installation-8"]);
  });

  it("leaves disabled throttling, an explicit key and app-level clients alone", () => {
    expect(throttlePerInstallation({ auth: { installationId: 3 }, throttle: { enabled: false } })).toEqual({ auth: { installationId: 3 }, throttle: { enabled: false } });
    expect(throttlePerInstallation({ auth: { installationId: 3 }, throttle: { id: "mine" } }).throttle).toEqual({ id: "mine" });
    expect(throttlePerInstallation({ auth: { appId: 1 } })).toEqual({ auth: { appId: 1 } });
  });
});
