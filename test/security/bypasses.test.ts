/**
 * The bypass catalogue (issue 12, build item 1): every way of talking the gate past a
 * destructive change that the issue names, one test per attempt, each asserting that the check
 * does not pass, beside controls that must pass. Each runs the real app against the stateful
 * fake GitHub (every request checked against the OpenAPI description).
 *
 * The fourteen defects found by the attack, each an attempt too, are reproduced one test each in
 * test/security/defects.test.ts (1. an old success surviving a failed re-evaluation … 14. a base
 * policy answering 404), and every fault on every endpoint in test/security/faults/.
 */
import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import nock from "nock";
import { afterEach, describe, expect, it } from "vitest";
import { decodeState } from "../../src/gate/state.js";
import { createRequestHandler } from "../../src/server/http.js";
import type { FakeCheckRun, FakeFile, FakeState } from "../fakes/github.js";
import { APP_ID, BASE, BASE_REF, defaultState, existingRun, finishHarness, harness, HEAD, MERGE_BASE, payload, POLICY, PR, pullRequestPayload, type Harness } from "../app/harness.js";
import { approval, DROP, dropState, HEAD2, HUMAN, MIGRATION, only, PASSING, press, review } from "./scenario.js";

let h: Harness | undefined;
afterEach(() => expect(finishHarness()).toEqual([]));

const AGENT = { login: "copilot-swe-agent[bot]", type: "Bot" };
const OLD = "1111111111111111111111111111111111111111";

/** The scenario with the Copilot login an admin too (an agent account with every permission). */
function state(over: Partial<FakeState> = {}): FakeState {
  const s = dropState(over);
  s.permissions = { Copilot: "admin", ...s.permissions };
  return s;
}

/** Opens a pull request by `author` whose head holds `files` (path → text; all added) and returns this app's run. */
async function opened(files: Record<string, string>, author = HUMAN, over: Partial<FakeState> = {}): Promise<FakeCheckRun> {
  h = await harness(
    state({
      pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author },
      files: Object.keys(files).map((path): FakeFile => ({ path, status: "added" })),
      contents: { [HEAD]: files },
      commits: [{ sha: HEAD, author: { login: author.login, type: author.type }, committer: { login: "web-flow" } }],
      ...over,
    }),
  );
  await h.receive("pull_request", pullRequestPayload("opened", { author }));
  return only(h, HEAD);
}

/** An approval by `login` (a review GitHub lists and its webhook); the run that follows. */
async function approvedBy(login: string, type = "User", over: Partial<FakeState> = {}): Promise<FakeCheckRun> {
  h = await harness(state({ reviews: [review(login, HEAD, "2024-01-02T00:00:00Z", "APPROVED", type)], ...over }));
  await h.receive("pull_request_review", approval(login, type));
  return only(h, HEAD);
}

function held(r: FakeCheckRun, reason?: string): void {
  expect(PASSING).not.toContain(r.conclusion);
  if (reason !== undefined) expect(r.output.summary).toContain(reason);
}

describe("controls: what must pass", () => {
  it("control: an approval by a write collaborator signs off", async () => {
    expect((await approvedBy("alice")).conclusion).toBe("success");
  });

  it("control: the Sign off button pressed by a write collaborator signs off", async () => {
    await opened({ [MIGRATION]: DROP });
    await h!.receive("check_run", press(h!, HEAD, "alice"));
    expect(only(h!, HEAD).conclusion).toBe("success");
  });

  it("control: an agent's pull request with a migration that only adds passes", async () => {
    const r = await opened({ [MIGRATION]: "CREATE TABLE audit (id bigint PRIMARY KEY);\n" }, AGENT);
    expect(PASSING).toContain(r.conclusion);
  });

  it("control: an active member of the required team signs off", async () => {
    h = await harness(teamState([review("dave")]));
    await h.receive("pull_request_review", approval("dave"));
    expect(only(h, HEAD).conclusion).toBe("success");
  });
});

describe("ineligible approvals", () => {
  it("self-approval: the pull request's author approves", async () => {
    held(await approvedBy("Codertocat"), "(author)");
  });

  it("an approval by a bot (a GitHub App)", async () => {
    held(await approvedBy("alice-helper[bot]", "Bot"), "bot");
  });

  it("an approval by an agent account (the Copilot login on a User account, admin)", async () => {
    held(await approvedBy("Copilot"), "coding agent");
  });

  it("an approval by a read user", async () => {
    held(await approvedBy("rita"), "insufficient permission");
  });

  it("an approval by a triage user", async () => {
    held(await approvedBy("tess"), "insufficient permission");
  });

  it("an approval by a pending member of the required team", async () => {
    h = await harness(teamState([review("paula")]));
    await h.receive("pull_request_review", approval("paula"));
    held(only(h, HEAD), "not in team");
  });

  it("an approval by a co-author named in a no-reply Co-authored-by trailer", async () => {
    held(await approvedBy("bob", "User", { commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" }, message: "Drop users\n\nCo-authored-by: Bob B <4242+bob@users.noreply.github.com>\n" }] }), "committer");
  });

  it("an approval by a co-author named by login in a Co-authored-by trailer", async () => {
    held(await approvedBy("bob", "User", { commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" }, message: "Drop users\n\nCo-authored-by: bob <bob@example.com>\n" }] }), "committer");
  });

  it("an approval by a pusher: whoever pushed cannot sign off, even under another commit identity, on later heads too", async () => {
    const s = state();
    h = await harness(s);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    // bob pushes a commit written under the author's name (or an e-mail GitHub cannot map).
    s.pull.head = HEAD2;
    s.contents[HEAD2] = { [MIGRATION]: DROP };
    s.commits = [...s.commits, { sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    const pushed = pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN });
    pushed.sender = { ...pushed.sender, login: "bob", type: "User" };
    await h.receive("pull_request", pushed);
    // The author pushes once more; bob's push is still remembered.
    const HEAD3 = "3333333333333333333333333333333333333333";
    s.pull.head = HEAD3;
    s.contents[HEAD3] = { [MIGRATION]: DROP };
    s.commits = [...s.commits, { sha: HEAD3, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    const again = pullRequestPayload("synchronize", { head: HEAD3, before: HEAD2, author: HUMAN });
    again.sender = { ...again.sender, login: "Codertocat", type: "User" };
    await h.receive("pull_request", again);
    expect(decodeState(only(h, HEAD3).output.text)?.pushers).toEqual(["bob", "Codertocat"]);
    s.reviews = [review("bob", HEAD3)];
    await h.receive("pull_request_review", approval("bob", "User", HEAD3));
    held(only(h, HEAD3), "pushed or committed commits");
  });

  it("an approval by a non-collaborator (the permission lookup answers 404)", async () => {
    held(await approvedBy("nobody"), "none permission");
  });
});

describe("sign-offs bound to what was reviewed", () => {
  it("an approval before a malicious push: a push that adds a new DROP voids it", async () => {
    const s = state({ reviews: [review("alice")] });
    h = await harness(s);
    await h.receive("pull_request_review", approval("alice"));
    expect(only(h, HEAD).conclusion).toBe("success");
    s.pull.head = HEAD2;
    s.contents[HEAD2] = { [MIGRATION]: `${DROP}DROP TABLE orders;\n` };
    s.commits = [...s.commits, { sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN }));
    held(only(h, HEAD2), "gating findings changed");
  });

  it("a hand-added managed label: changegate:signed-off added by hand changes nothing and is taken off", async () => {
    h = await harness(state({ pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author: HUMAN, labels: ["changegate:signed-off"] } }));
    const p = pullRequestPayload("opened", { author: HUMAN });
    p.pull_request.labels = [{ name: "changegate:signed-off" }];
    await h.receive("pull_request", p);
    held(only(h, HEAD));
    expect(h.github.labelWrites).toContainEqual({ method: "DELETE", labels: "changegate:signed-off" });
  });
});

describe("the Sign off button", () => {
  it.each([
    ["the author", "Codertocat", "User", "(author)"],
    ["a bot", "helper[bot]", "Bot", "bot"],
    ["a coding agent", "Copilot", "Bot", "coding agent"],
    ["a triage user", "tess", "User", "insufficient permission"],
    ["a read user", "rita", "User", "insufficient permission"],
  ])("the button pressed by someone ineligible: %s", async (_what, login, type, reason) => {
    await opened({ [MIGRATION]: DROP });
    await h!.receive("check_run", press(h!, HEAD, login, type));
    const r = only(h!, HEAD);
    held(r, reason);
    expect(decodeState(r.output.text)?.signoffs).toEqual([]);
  });

  it("the button pressed on an old run: a press on the old head's run after a push that changed the findings", async () => {
    await opened({ [MIGRATION]: DROP });
    const s = h!.github.state;
    const stale = press(h!, HEAD, "alice");
    s.pull.head = HEAD2;
    s.contents[HEAD2] = { [MIGRATION]: `${DROP}DROP TABLE orders;\n` };
    s.commits = [...s.commits, { sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    await h!.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD, author: HUMAN }));
    await h!.receive("check_run", stale);
    held(only(h!, HEAD2), "gating findings changed");
  });
});

describe("a forged webhook", () => {
  async function post(server: Server, body: string, signature: string): Promise<number> {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/api/github/webhooks`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-github-event": "pull_request_review", "x-github-delivery": "forged-1", "x-hub-signature-256": signature },
      body,
    });
    return res.status;
  }

  it("a forged webhook: a delivery not signed with the App's secret is refused before anything runs", async () => {
    const received: unknown[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const handler = createRequestHandler({
      webhookPath: "/api/github/webhooks",
      secret: "the-app-secret",
      receiver: { receive: async (e) => void received.push(e) },
      coordination: { claim: async () => true, release: async () => undefined, healthy: async () => true } as never,
      tracker: { track: <T,>(p: Promise<T>) => p, size: 0 } as never,
      background: false,
      log,
      state: { ready: true, draining: false },
    });
    const server = createServer(handler);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    nock.enableNetConnect("127.0.0.1");
    try {
      const body = JSON.stringify(approval("alice"));
      const sign = (secret: string, text: string) => `sha256=${createHmac("sha256", secret).update(text).digest("hex")}`;
      expect(await post(server, body, sign("a-guessed-secret", body))).toBe(401);
      expect(await post(server, body, `sha256=${"0".repeat(64)}`)).toBe(401);
      // A signed body altered afterwards.
      expect(await post(server, body.replace('"approved"', '"APPROVED"'), sign("the-app-secret", body))).toBe(401);
      expect(received).toEqual([]);
      // control: the same delivery, signed, is received.
      expect(await post(server, body, sign("the-app-secret", body))).toBe(200);
      expect(received).toHaveLength(1);
    } finally {
      nock.disableNetConnect();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("a forged webhook body: an approval the payload claims but GitHub does not list counts for nothing", async () => {
    // The delivery says alice approved (a replayed or crafted payload); GitHub's review list is empty.
    h = await harness(state());
    await h.receive("pull_request_review", approval("alice"));
    held(only(h, HEAD));
    expect(decodeState(only(h, HEAD).output.text)?.signoffs).toEqual([]);
  });
});

describe("the policy comes from the base branch", () => {
  it("retargeting the base branch to a lax base and back cannot borrow the lax verdict at the same head", async () => {
    const s = state({ contents: { lax: { [POLICY]: "version: 1\nmode: report-only\n" }, [HEAD]: { [MIGRATION]: DROP } } });
    h = await harness(s);
    await h.receive("pull_request", pullRequestPayload("opened", { author: HUMAN }));
    expect(only(h, HEAD).conclusion).toBe("action_required");
    // Retargeted to `lax`: the run on this commit stays held by the verdict against master.
    s.pull.baseRef = "lax";
    await h.receive("pull_request", pullRequestPayload("edited", { author: HUMAN }));
    held(only(h, HEAD), "#2 against `master`");
    // Back on master it is judged by master's policy; a sign-off there clears it.
    s.pull.baseRef = BASE_REF;
    await h.receive("pull_request", pullRequestPayload("edited", { author: HUMAN }));
    held(only(h, HEAD));
    s.reviews = [review("alice")];
    await h.receive("pull_request_review", approval("alice"));
    expect(only(h, HEAD).conclusion).toBe("success");
    // and the clearance is what `lax` now sees too.
    s.pull.baseRef = "lax";
    await h.receive("pull_request", pullRequestPayload("edited", { author: HUMAN }));
    expect(["success", "neutral"]).toContain(only(h, HEAD).conclusion);
  });
});

describe("destructive changes hidden from the analyzers", () => {
  it("a suppression comment added by an agent-authored pull request is shown, never obeyed", async () => {
    const r = await opened({ [MIGRATION]: "-- squawk-ignore-file\n-- changegate-ack: reviewed, safe\n-- atlas:nolint\nDROP TABLE users; -- squawk-ignore ban-drop-table\n" }, AGENT);
    held(r, "sql/drop-table");
  });

  it("a destructive statement hidden in a DO block", async () => {
    held(await opened({ [MIGRATION]: "DO $$\nBEGIN\n  IF true THEN\n    DROP TABLE users;\n  END IF;\nEND\n$$;\n" }, AGENT), "sql/drop-table");
  });

  it("a destructive statement hidden in a dynamic EXECUTE", async () => {
    held(await opened({ [MIGRATION]: "DO $$\nBEGIN\n  EXECUTE 'DR' || 'OP TABLE ' || quote_ident('users');\nEND\n$$;\n" }, AGENT), "sql/opaque-code");
  });

  it.each([
    ["Rails `execute`", "db/migrate/20240101000000_drop_users.rb", 'class DropUsers < ActiveRecord::Migration[7.1]\n  def change\n    execute "DROP TABLE users"\n  end\nend\n'],
    ["Django `RunSQL`", "app/migrations/0002_drop_users.py", "from django.db import migrations\n\nclass Migration(migrations.Migration):\n    operations = [migrations.RunSQL('DROP TABLE users')]\n"],
    ["Alembic `op.execute`", "alembic/versions/abc123_drop_users.py", "from alembic import op\n\ndef upgrade():\n    op.execute('DROP TABLE users')\n"],
    ["Knex `raw`", "migrations/20240101000000_drop_users.js", "exports.up = function (knex) {\n  return knex.raw('DROP TABLE users');\n};\n"],
    ["TypeORM `query`", "src/migrations/1700000000000-DropUsers.ts", "export class DropUsers1700000000000 {\n  async up(q) {\n    await q.query(`DROP TABLE users`);\n  }\n}\n"],
  ])("a destructive statement hidden in an ORM execute: %s", async (_what, path, text) => {
    held(await opened({ [path]: text }, AGENT), "sql/drop-table");
  });

  it("a destructive statement hidden in a Liquibase `sql` change", async () => {
    const xml = '<?xml version="1.0"?>\n<databaseChangeLog xmlns="http://www.liquibase.org/xml/ns/dbchangelog">\n  <changeSet id="1" author="agent">\n    <sql>DROP TABLE users</sql>\n  </changeSet>\n</databaseChangeLog>\n';
    held(await opened({ "db/changelog/db.changelog-master.xml": xml }, AGENT), "sql/drop-table");
  });

  it("a destructive change hidden behind a YAML anchor: a Liquibase dropTable used as an alias", async () => {
    const yaml = "x-drop: &drop\n  dropTable:\n    tableName: users\ndatabaseChangeLog:\n  - changeSet:\n      id: 1\n      author: agent\n      changes:\n        - *drop\n";
    held(await opened({ "db/changelog/db.changelog-master.yaml": yaml }, AGENT), "sql/drop-table");
  });

  it("a destructive change hidden behind a YAML merge key: a Liquibase change merged in with <<", async () => {
    const yaml = "x-drop: &drop\n  dropTable:\n    tableName: users\ndatabaseChangeLog:\n  - changeSet:\n      id: 1\n      author: agent\n      changes:\n        - <<: *drop\n";
    held(await opened({ "db/changelog/db.changelog-master.yaml": yaml }, AGENT), "sql/drop-table");
  });

  it("a destructive change hidden behind a YAML anchor in a Kubernetes manifest", async () => {
    const before = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n";
    const after = "x: &meta\n  name: other\n";
    h = await harness(
      state({
        pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author: AGENT },
        files: [{ path: "k8s/namespace.yaml", status: "modified" }],
        contents: { [MERGE_BASE]: { "k8s/namespace.yaml": before }, [HEAD]: { "k8s/namespace.yaml": after } },
        commits: [{ sha: HEAD, author: AGENT, committer: { login: "web-flow" } }],
      }),
    );
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    held(only(h, HEAD), "k8s/delete-namespace");
  });

  it("a file renamed out of the migration globs in the same pull request that makes it destructive", async () => {
    const from = "db/migrate/20240101000000_create_audit.sql";
    h = await harness(
      state({
        pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author: AGENT },
        files: [{ path: "scratch/notes.txt", status: "renamed", previous: from }],
        contents: { [MERGE_BASE]: { [from]: "CREATE TABLE audit (id bigint);\n" }, [HEAD]: { "scratch/notes.txt": "DROP TABLE users;\n" } },
        commits: [{ sha: HEAD, author: AGENT, committer: { login: "web-flow" } }],
      }),
    );
    await h.receive("pull_request", pullRequestPayload("opened", { author: AGENT }));
    held(only(h, HEAD));
  });

  it("a 3,001-file pull request: the files GitHub will not list are incomplete analysis", async () => {
    const files = Array.from({ length: 3001 }, (_, i) => ({ path: `src/file-${String(i).padStart(4, "0")}.ts`, status: "modified" as const }));
    h = await harness(defaultState({ files }));
    await h.receive("pull_request", pullRequestPayload("opened", { changedFiles: 3001 }));
    const r = only(h, HEAD);
    expect(r.conclusion).toBe("action_required");
    expect(r.output.summary).toContain("gate/incomplete-analysis");
    expect(h.github.requests.filter((q) => q.path.endsWith("/files"))).toHaveLength(30);
  });
});

describe("the merge queue", () => {
  it("a merge group holding an unsigned pull request fails", async () => {
    const group = payload("merge_group.checks_requested");
    const base = "380387fbc80638b734a49e1be1c4dfec1c01b33c";
    h = await harness(
      defaultState({
        owner: "octo-org",
        repo: "octo-repo",
        pull: { number: 104, head: HEAD, base, baseRef: "main", author: HUMAN },
        pulls: [{ number: 7, head: HEAD2, base, baseRef: "main", author: HUMAN }],
        groupCommits: [{ sha: OLD, message: "Drop the users table (#7)" }],
      }),
    );
    h.github.checkRuns.push(existingRun(1, HEAD, { conclusion: "success" }), existingRun(2, HEAD2, { conclusion: "action_required" }));
    await h.receive("merge_group", group);
    const r = h.github.runsFor(group.merge_group.head_sha).find((x) => x.id > 2 && x.app.id === APP_ID)!;
    expect(r.conclusion).toBe("failure");
    expect(r.output.summary).toContain("#7 is not signed off");
  });
});

function teamState(reviews: ReturnType<typeof review>[]): FakeState {
  const policy = 'version: 1\nrules:\n  - name: DBA sign-off\n    when: { findings: ["sql/drop-*"] }\n    require: { approvals: 1, from: { teams: [Codertocat/dba] } }\n';
  return state({
    contents: { [BASE_REF]: { [POLICY]: policy }, [HEAD]: { [MIGRATION]: DROP } },
    teams: { "Codertocat/dba": { dave: "active", paula: "pending" } },
    permissions: { dave: "write", paula: "write" },
    reviews,
  });
}
