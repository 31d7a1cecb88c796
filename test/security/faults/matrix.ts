/**
 * The fault matrix: every GitHub operation the App calls, on every event that reaches it, with
 * each way GitHub fails (a 500, a 502 with an HTML body, a hang past the timeout, a secondary rate
 * limit, a 404). The operations are not listed by hand: a clean run of each event records the
 * requests it makes, and every operation it reached is then faulted in turn, persistently.
 *
 * Whatever fails, the check never passes (`success`, `neutral`) without a complete evaluation: it
 * ends as the clean run ends (the failure was retried or did not touch the verdict), or `failure`
 * saying what happened with a re-run button, or `action_required`; or, when the write of the check
 * run itself is what fails, it is left unpassed (missing or in progress: a required check that
 * blocks). Once GitHub heals, delivering the event again gives the clean run's verdict.
 *
 * One test file per event (faults/<event>.test.ts), so the events run on separate workers.
 */
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { APP_ID, BASE_REF, existingRun, harness, HEAD, payload, pullRequestPayload, TEST_REQUESTS, type Harness, type Payload } from "../../app/harness.js";
import type { Fault, FakeState } from "../../fakes/github.js";
import { requestValidator } from "../../support/openapi.js";
import { approval, dropState, DROP, HEAD2, HUMAN, MIGRATION, press, review, shown } from "../scenario.js";

const PASSING = new Set(["success", "neutral"]);

/**
 * The timeout of the faulted delivery in the hang cases: short, to keep 100 of them quick, and
 * retried twice, so a busy moment alone does not fail a case. Every other delivery (the setup, the
 * healed one, and every other fault) has the tests' usual timeout.
 */
const HANG_TIMEOUT_MS = 150;

const FAULTS: Record<string, Fault> = {
  "500": { status: 500, body: { message: "Server Error" } },
  "502 with an HTML body": { status: 502, body: "<html><body><h1>502 Bad Gateway</h1></body></html>", headers: { "content-type": "text/html" } },
  hang: "hang",
  "secondary rate limit": { status: 403, body: { message: "You have exceeded a secondary rate limit." }, headers: { "retry-after": "1" } },
  "404": { status: 404, body: { message: "Not Found" } },
};

/**
 * Writing the check run is how the App speaks, with an installation token; when one of these is
 * what fails, it cannot say anything, and the required check stays missing or in progress.
 */
const CANNOT_SPEAK = new Set(["checks/create", "checks/update", "apps/create-installation-access-token"]);

interface Scenario {
  /** The state before the event. */
  state(): FakeState;
  /** The deliveries (no faults yet) that bring the App to the moment of the event. */
  setup(h: Harness, state: FakeState): Promise<void>;
  /** The event under test; built after setup, since some payloads point at the run it wrote. */
  event(h: Harness, state: FakeState): [name: string, body: Payload];
  /** The head whose check is judged. */
  sha: string;
}

const group = payload("merge_group.checks_requested");
const GROUP_COMMIT = "4444444444444444444444444444444444444444";

const opened = async (h: Harness) => {
  await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
};

const SCENARIOS = {
  opened: {
    state: () => dropState(),
    setup: async () => {},
    event: () => ["pull_request", pullRequestPayload("opened", { author: HUMAN })],
    sha: HEAD,
  },
  synchronize: {
    state: () => dropState(),
    setup: async (h, state) => {
      await opened(h);
      state.pull.head = HEAD2;
      state.contents[HEAD2] = { [MIGRATION]: `${DROP}DROP TABLE accounts;\n` };
      state.commits = [...state.commits, { sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    },
    event: () => ["pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN })],
    sha: HEAD2,
  },
  "review submitted": {
    state: () => dropState(),
    setup: async (h, state) => {
      await opened(h);
      state.reviews = [review("alice")];
    },
    event: () => ["pull_request_review", approval("alice")],
    sha: HEAD,
  },
  "review dismissed": {
    state: () => dropState({ reviews: [review("alice")] }),
    setup: async (h, state) => {
      await h.receive("pull_request_review", approval("alice"));
      state.reviews = [review("alice", HEAD, "2024-01-02T00:00:00Z", "DISMISSED")];
    },
    event: () => ["pull_request_review", payload("pull_request_review.dismissed")],
    sha: HEAD,
  },
  "Sign off button": {
    state: () => dropState(),
    setup: opened,
    event: (h) => ["check_run", press(h, HEAD, "alice")],
    sha: HEAD,
  },
  "re-run": {
    state: () => dropState({ reviews: [review("alice")] }),
    setup: opened,
    event: (h) => {
      const p = payload("check_run.rerequested");
      const r = shown(h, HEAD)!;
      p.check_run.id = r.id;
      p.check_run.head_sha = HEAD;
      p.check_run.output = { ...p.check_run.output, text: r.output.text };
      return ["check_run", p];
    },
    sha: HEAD,
  },
  "merge group": {
    state: () => ({
      ...dropState(),
      owner: "octo-org",
      repo: "octo-repo",
      pull: { number: 104, head: HEAD, base: "380387fbc80638b734a49e1be1c4dfec1c01b33c", baseRef: BASE_REF, author: HUMAN },
      groupCommits: [{ sha: GROUP_COMMIT, message: "Drop the users table" }],
      associated: { [GROUP_COMMIT]: [104] },
    }),
    setup: async (h) => {
      h.github.checkRuns.push(existingRun(1, HEAD, { conclusion: "success" }));
    },
    event: () => ["merge_group", group],
    sha: group.merge_group.head_sha as string,
  },
} satisfies Record<string, Scenario>;

let h: Harness | undefined;

/** The App's own newest run on `sha`, if any. */
function verdict(sha: string) {
  return h!.github.runsFor(sha).filter((r) => r.app.id === APP_ID).sort((a, b) => b.id - a.id)[0];
}

const operationOf = (method: string, path: string) => requestValidator().operationOf({ method, path }) ?? `${method} ${path}`;

/** Runs a scenario without faults: its verdict and the operations the event reached. */
async function clean(scenario: Scenario): Promise<{ conclusion: string | null | undefined; operations: string[] }> {
  const state = scenario.state();
  h = await harness(state, { app: { requests: { ...TEST_REQUESTS } } });
  await scenario.setup(h, state);
  const before = h.github.requests.length;
  const [name, body] = scenario.event(h, state);
  await h.receive(name, body);
  const operations = new Set(h.github.requests.slice(before).map((r) => operationOf(r.method, r.path)));
  const conclusion = verdict(scenario.sha)?.conclusion;
  nock.cleanAll();
  return { conclusion, operations: [...operations].sort() };
}

export type MatrixEvent = keyof typeof SCENARIOS;

/** Declares the matrix of one event: every operation it reaches, with every fault. */
export function faultMatrix(event: MatrixEvent): void {
  const scenario: Scenario = SCENARIOS[event];
  describe(`fault matrix: ${event}`, async () => {
    // Registered per matrix, not at import: files that share this module each need the hook.
    afterEach(() => {
      nock.cleanAll();
      h = undefined;
    });
    const baseline = await clean(scenario);

    it("reaches GitHub and has a verdict without faults", () => {
      expect(baseline.operations.length).toBeGreaterThan(2);
      expect(baseline.conclusion).toBeTruthy();
    });

    for (const operation of baseline.operations) {
      it.for(Object.keys(FAULTS))(`${operation}: %s`, async (faultName) => {
        const fault = FAULTS[faultName]!;
        const state = scenario.state();
        // Read by the App at each delivery: only the faulted one of a hang case times out early.
        const requests = { ...TEST_REQUESTS };
        h = await harness(state, { app: { requests } });
        await scenario.setup(h, state);
        // A persistent hang fails every attempt the same way: retrying it would only multiply the
        // wait (what a retry does is tested in test/github/request-timeout.test.ts).
        if (fault === "hang") Object.assign(requests, { timeoutMs: HANG_TIMEOUT_MS, retries: 0 });
        let hits = 0;
        state.fault = (method, path) => {
          if (operationOf(method, path) !== operation) return undefined;
          hits++;
          return fault;
        };
        const [name, body] = scenario.event(h, state);
        // A handler that throws answers the delivery with an error; the check run is what counts.
        await h.receive(name, body).catch(() => undefined);
        const run = verdict(scenario.sha);
        const conclusion = run?.status === "completed" ? run.conclusion : undefined;
        // A hang case's short timeout applies to the whole delivery: on a busy machine an earlier
        // call can time out first, and the evaluation must then have failed closed before the fault
        // (a failure, or no verdict when the call that timed out was the check run's own write).
        if (fault === "hang" && hits === 0) expect(PASSING.has(conclusion ?? ""), `timed out before the fault, so it must not pass (ended ${conclusion})`).toBe(false);
        else expect(hits, "the fault was never reached").toBeGreaterThan(0);
        if (conclusion === undefined || conclusion === null) {
          // No verdict written: acceptable only when writing the verdict is what failed.
          expect(CANNOT_SPEAK.has(operation), `left ${run ? "in progress" : "without a run"}`).toBe(true);
        } else if (conclusion !== baseline.conclusion) {
          expect(["failure", "action_required"], `ended ${conclusion}: ${run?.output.summary}`).toContain(conclusion);
          if (conclusion === "failure") {
            expect(run!.output.summary ?? "", "a failure says what happened").toMatch(/GitHub|answer|could not|error|failed|traced/i);
            expect(run!.actions, "a failure offers a re-run").toContainEqual(expect.objectContaining({ identifier: "rerun" }));
          }
        }
        if (conclusion && PASSING.has(conclusion)) expect(baseline.conclusion, "passed where the clean run does not").toBe(conclusion);

        // GitHub heals; the same event again (a redelivery, or a re-run) gives the clean verdict.
        state.fault = undefined;
        Object.assign(requests, { timeoutMs: TEST_REQUESTS.timeoutMs, retries: TEST_REQUESTS.retries });
        const [againName, again] = scenario.event(h, state);
        await h.receive(againName, again);
        expect(verdict(scenario.sha)?.conclusion).toBe(baseline.conclusion);
      });
    }
  });
}
