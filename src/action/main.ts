/**
 * changegate as a step of a GitHub Actions workflow (action.yml): the same handlers and the same
 * `changegate` check run as the App, for a repository that cannot host an App. The runner has
 * written the event to GITHUB_EVENT_PATH; this builds a Probot instance that authenticates with
 * the workflow's GITHUB_TOKEN and hands it that one event, as a webhook delivery would.
 *
 * Why not `@probot/adapter-github-actions`: its newest release (4.0.3) depends on `probot ^13` and
 * carries its own copy of Probot 13, while changegate runs on Probot 14. What the adapter does is
 * small — a Probot with `githubToken`, then `probot.receive({ id, name, payload })` — so it is done
 * here against changegate's own Probot.
 *
 * What differs from the App, by GitHub's design:
 * - The run belongs to github-actions (the app behind GITHUB_TOKEN), so that is the app id the
 *   gate trusts (its own runs) and the source a ruleset must require.
 * - No "Sign off" button: GitHub sends a press to the app that created the run, never to this step.
 * - GITHUB_TOKEN cannot read organisation team membership: rules that name teams cannot be
 *   satisfied (the summary says so); name users instead.
 *
 * Exit status: 0 when the check run carries the verdict (whatever it is: the check blocks the
 * merge, not the step), 1 when the event could not be handled or nothing could be written.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { getTransformStream } from "@probot/pino";
import { pino } from "pino";
import { Probot, ProbotOctokit } from "probot";
import { createApp } from "../index.js";
import { failClosedGuard } from "../server/guard.js";
import { useBaselineWasmCompiler } from "../util/one-shot-wasm.js";

/** The github-actions app's id on github.com: the app a GITHUB_TOKEN's check runs belong to. */
export const GITHUB_ACTIONS_APP_ID = 15368;

/** Workflow events and the webhook event changegate handles for each. */
const EVENTS: Record<string, string> = {
  pull_request: "pull_request",
  // The same payload; the workflow file comes from the base branch, so a pull request cannot edit it.
  pull_request_target: "pull_request",
  pull_request_review: "pull_request_review",
  merge_group: "merge_group",
};

export interface ActionResult {
  code: number;
  message: string;
}

export async function runAction(env: Record<string, string | undefined> = process.env): Promise<ActionResult> {
  const token = env.GITHUB_TOKEN?.trim();
  if (!token) return { code: 1, message: "GITHUB_TOKEN is empty: pass `github-token` (the default is the workflow's token)" };
  const workflowEvent = env.GITHUB_EVENT_NAME ?? "";
  const name = EVENTS[workflowEvent];
  if (!name) return { code: 1, message: `changegate does not run on "${workflowEvent}" events; use pull_request (or pull_request_target), pull_request_review and merge_group` };
  if (!env.GITHUB_EVENT_PATH) return { code: 1, message: "GITHUB_EVENT_PATH is not set: this runs inside a GitHub Actions job" };
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(readFileSync(env.GITHUB_EVENT_PATH, "utf8")) as Record<string, unknown>;
  } catch (error) {
    return { code: 1, message: `cannot read the event at ${env.GITHUB_EVENT_PATH}: ${error instanceof Error ? error.message : String(error)}` };
  }

  let baseUrl = env.GITHUB_API_URL || "https://api.github.com";
  while (baseUrl.endsWith("/")) baseUrl = baseUrl.slice(0, -1);
  const appId = appIdFor(env.CHANGEGATE_APP_ID, baseUrl);
  if (appId === undefined) {
    return { code: 1, message: `app-id is needed on ${baseUrl}: the id of the GitHub Actions app there (its check runs are the ones changegate keeps)` };
  }

  const transform = await getTransformStream({ logFormat: env.LOG_FORMAT === "json" ? "json" : "pretty", logLevelInString: false });
  transform.pipe(pino.destination(1) as unknown as NodeJS.WritableStream);
  const log = pino({ level: env.LOG_LEVEL || "info", name: "changegate" }, transform);

  const probot = new Probot({ githubToken: token, baseUrl, log: log as never, Octokit: ProbotOctokit.plugin(failClosedGuard as never) });
  let unwritten = false;
  await probot.load(
    createApp({
      appId,
      signoffButton: false,
      // The App evaluates again later when nothing could be written; a workflow step ends instead,
      // and says so (a re-run of the job is the retry).
      retryDelaysMs: [0],
      schedule: () => {
        unwritten = true;
      },
    }),
  );
  // The run's id and attempt: a re-run of the job is a new delivery, as GitHub's redelivery is.
  const id = `actions-${env.GITHUB_RUN_ID ?? "local"}-${env.GITHUB_RUN_ATTEMPT ?? "1"}`;
  try {
    await probot.receive({ id, name, payload } as never);
  } catch (error) {
    return { code: 1, message: `changegate failed on ${workflowEvent}: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (unwritten) return { code: 1, message: "changegate could not write its check run (does the job have `checks: write`?); re-run the job" };
  return { code: 0, message: `changegate handled ${workflowEvent}` };
}

/** A workflow command ends at the line's end. */
function oneLine(text: string): string {
  return text.replaceAll("\r", "").replaceAll("\n", " ");
}

function appIdFor(configured: string | undefined, baseUrl: string): number | undefined {
  if (configured !== undefined && configured.trim() !== "") {
    const id = Number(configured);
    return Number.isInteger(id) && id > 0 ? id : undefined;
  }
  return baseUrl === "https://api.github.com" ? GITHUB_ACTIONS_APP_ID : undefined;
}

// Run as the action's step, not when imported by a test.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  // One event, then exit: like the CLI, the step parses a few files and must not wait on V8 optimising them.
  useBaselineWasmCompiler();
  runAction().then(
    ({ code, message }) => {
      // A workflow command: shown on the job's summary page as well as in its log.
      if (code !== 0) console.log(`::error title=changegate::${oneLine(message)}`);
      else console.log(message);
      process.exit(code);
    },
    (error: unknown) => {
      console.log(`::error title=changegate::${oneLine(error instanceof Error ? error.message : String(error))}`);
      process.exit(1);
    },
  );
}
