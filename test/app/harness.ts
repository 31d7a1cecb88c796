/**
 * Shared set-up for the app tests (probot/settings' common.js): the real Probot app with retry
 * and throttling off (ProbotOctokit.defaults callback form), the fake GitHub as its transport
 * (nock disables net connect, so nothing else reaches a network), payloads from fixtures/payloads,
 * captured logs, and one teardown that checks the installation token was exchanged, no pending
 * mocks, no unknown route and every request against the OpenAPI description.
 */
import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import nock from "nock";
import { Probot, ProbotOctokit } from "probot";
import type { HandlerOptions } from "../../src/github/handlers.js";
import changegate, { createApp } from "../../src/index.js";
import { FakeGitHub, type FakeCheckRun, type FakeState } from "../fakes/github.js";
import { requestValidator } from "../support/openapi.js";

export const APP_ID = 123;
export const OWNER = "Codertocat";
export const REPO = "Hello-World";
export const PR = 2;
/** The head and base of Codertocat/Hello-World#2 in the published payloads. */
export const HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";
export const BASE = "f95f852bd8fca8fcc58a9a2d6c842781e32a215e";
export const MERGE_BASE = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
export const BASE_REF = "master";
export const POLICY = ".github/changegate.yml";

const { privateKey } = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs1", format: "pem" },
});

export type Payload = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export function payload(name: string): Payload {
  return JSON.parse(readFileSync(new URL(`../../fixtures/payloads/${name}.json`, import.meta.url), "utf8")) as Payload;
}

/** The opened payload with the head, author and file count of the scenario. */
export function pullRequestPayload(action: "opened" | "synchronize" | "edited", over: { head?: string; before?: string; author?: { login: string; type: string }; changedFiles?: number } = {}): Payload {
  const p = payload(`pull_request.${action}`);
  if (over.head) p.pull_request.head.sha = over.head;
  if (over.before) p.before = over.before;
  if (over.author) {
    p.pull_request.user.login = over.author.login;
    p.pull_request.user.type = over.author.type;
  }
  if (over.changedFiles !== undefined) p.pull_request.changed_files = over.changedFiles;
  p.pull_request.base.ref = BASE_REF;
  p.pull_request.base.sha = BASE;
  return p;
}

export function defaultState(over: Partial<FakeState> = {}): FakeState {
  return {
    owner: OWNER,
    repo: REPO,
    appId: APP_ID,
    pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author: { login: "Codertocat", type: "User" } },
    mergeBase: MERGE_BASE,
    files: [],
    contents: {},
    commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }],
    reviews: [],
    permissions: {},
    teams: {},
    branchRules: [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "changegate", integration_id: APP_ID }], strict_required_status_checks_policy: false } }],
    ...over,
  };
}

export interface LogLine {
  level: string;
  obj: Record<string, unknown>;
  msg?: string;
}

export interface Harness {
  probot: Probot;
  github: FakeGitHub;
  logs: LogLine[];
  /** Delivers a webhook; `id` repeats a delivery id, as GitHub does on a redelivery. */
  receive(name: string, body: Payload, id?: string): Promise<void>;
  /** Asserts the teardown invariants and cleans nock. Returns the problems (empty when all is well). */
  finish(): string[];
}

let deliveries = 0;
/** The harness of the running test, finished by `finishHarness` in each file's afterEach. */
let current: Harness | undefined;

/** Finishes the current test's harness: the problems it found (empty when all is well). */
export function finishHarness(): string[] {
  const problems = current?.finish() ?? [];
  current = undefined;
  return problems;
}

/** A completed `changegate` run already on a commit: this app's, unless `over.app` says otherwise. */
export function existingRun(id: number, headSha: string, over: Partial<FakeCheckRun> = {}): FakeCheckRun {
  return {
    id,
    name: "changegate",
    head_sha: headSha,
    app: { id: APP_ID },
    status: "completed",
    conclusion: "success",
    output: { title: "", summary: "", text: "" },
    annotations: [],
    actions: [],
    writes: 1,
    ...over,
  };
}

/**
 * Requests as in production except for the backoff. The timeout is production's too: a fake that
 * takes longer than that is broken, while a short one flakes when the machine is busy.
 * Tests of hung calls use `HUNG_CALL_REQUESTS`, whose short timeout is what they measure.
 */
export const TEST_REQUESTS = { timeoutMs: 10_000, retries: 2, backoffMs: 1, maxRetryAfterMs: 120_000, sleep: () => Promise.resolve() };
export const HUNG_CALL_REQUESTS = { ...TEST_REQUESTS, timeoutMs: 500 };

/**
 * The re-evaluation the App schedules after a failure it could not write is not run unless a test
 * asks for it (its own `schedule`): the App's 30 s timer would fire in whatever test file the
 * worker runs next, and evaluate again against that file's fake GitHub.
 */
const NO_LATER_RETRIES: NonNullable<HandlerOptions["schedule"]> = () => {};

export async function harness(state: FakeState, options: { now?: () => number; defaultExport?: boolean; app?: HandlerOptions } = {}): Promise<Harness> {
  nock.disableNetConnect();
  const logs: LogLine[] = [];
  const log = captureLogger(logs);
  const github = new FakeGitHub(state);
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    log: log as never,
    request: { fetch: github.fetch },
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(options.defaultExport ? changegate : createApp({ appId: APP_ID, requests: TEST_REQUESTS, schedule: NO_LATER_RETRIES, ...(options.now ? { now: options.now } : {}), ...options.app }));
  // GitHub's clock follows the app's in tests: one clock, moved by the test.
  if (options.now && !state.now) state.now = options.now;
  const openapi = requestValidator();
  current = {
    probot,
    github,
    logs,
    receive: async (name, body, id) => {
      await probot.receive({ id: id ?? `delivery-${++deliveries}`, name: name as never, payload: body as never });
    },
    finish() {
      const problems = [...github.unexpected.map((u) => `unexpected request ${u}`)];
      // The App acts as the installation: a test in which it never exchanged a token tested nothing of it.
      if (!github.requests.some((r) => r.path.endsWith("/access_tokens"))) problems.push("no installation token exchange");
      for (const r of github.requests) problems.push(...openapi.validate(r));
      const pending = nock.pendingMocks();
      problems.push(...pending.map((m) => `pending mock ${m}`));
      nock.cleanAll();
      return problems;
    },
  };
  return current;
}

/** A pino-shaped logger that keeps what it is given. */
function captureLogger(lines: LogLine[]) {
  const make = (bindings: Record<string, unknown>): Record<string, unknown> => {
    const at = (level: string) => (obj: unknown, msg?: string) => {
      if (typeof obj === "string") lines.push({ level, obj: { ...bindings }, msg: obj });
      else lines.push({ level, obj: { ...bindings, ...(obj as Record<string, unknown>) }, ...(msg !== undefined ? { msg } : {}) });
    };
    const logger: Record<string, unknown> = {
      level: "trace",
      trace: at("trace"),
      debug: at("debug"),
      info: at("info"),
      warn: at("warn"),
      error: at("error"),
      fatal: at("fatal"),
      child: (more: Record<string, unknown>) => make({ ...bindings, ...more }),
      isLevelEnabled: () => true,
    };
    return logger;
  };
  return make({});
}

/**
 * Another app process on the same fake GitHub (the running test's harness's): a second
 * Probot with its own app instance, for races between replicas. Its `receive` delivers to it.
 */
export async function anotherInstance(options: { now?: () => number; app?: HandlerOptions } = {}): Promise<{ probot: Probot; receive(name: string, body: Payload, id?: string): Promise<void> }> {
  if (!current) throw new Error("anotherInstance needs the test's harness first: it shares its fake GitHub");
  const probot = new Probot({
    appId: APP_ID,
    privateKey,
    log: captureLogger([]) as never,
    request: { fetch: current.github.fetch },
    Octokit: ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } })),
  });
  await probot.load(createApp({ appId: APP_ID, requests: TEST_REQUESTS, schedule: NO_LATER_RETRIES, ...(options.now ? { now: options.now } : {}), ...options.app }));
  return {
    probot,
    receive: async (name, body, id) => {
      await probot.receive({ id: id ?? `delivery-${++deliveries}`, name: name as never, payload: body as never });
    },
  };
}
