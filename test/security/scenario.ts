/**
 * Shared scenario for the security tests: a person's pull request adding a migration that drops a
 * table. alice (write) is the only eligible reviewer; the payloads are GitHub's, adjusted.
 */
import { expect } from "vitest";
import type { FakeCheckRun, FakeState } from "../fakes/github.js";
import { APP_ID, BASE, BASE_REF, defaultState, payload, PR, type Harness, type Payload, HEAD } from "../app/harness.js";

export const MIGRATION = "db/migrate/20240101000000_drop_users.sql";
export const DROP = "-- remove the old table\nDROP TABLE users;\n";
export const HEAD2 = "2222222222222222222222222222222222222222";
export const HUMAN = { login: "Codertocat", type: "User" };
export const PASSING = ["success", "neutral", "skipped"];

export function dropState(over: Partial<FakeState> = {}): FakeState {
  return defaultState({
    pull: { number: PR, head: HEAD, base: BASE, baseRef: BASE_REF, author: HUMAN },
    files: [{ path: MIGRATION, status: "added" }],
    contents: { [HEAD]: { [MIGRATION]: DROP } },
    commits: [{ sha: HEAD, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }],
    permissions: { alice: "write", bob: "write", rita: "read", tess: "triage", Codertocat: "admin" },
    ...over,
  });
}

/** The run GitHub shows for `sha`: this app's newest one (a re-run or a fallback creates a newer run). */
export function shown(h: Harness, sha: string): FakeCheckRun | undefined {
  const runs = h.github.runsFor(sha).filter((r) => r.app.id === APP_ID);
  return runs.sort((a, b) => b.id - a.id)[0];
}

/** This app's only run on `sha`. */
export function only(h: Harness, sha: string): FakeCheckRun {
  const runs = h.github.runsFor(sha).filter((r) => r.app.id === APP_ID);
  expect(runs).toHaveLength(1);
  return runs[0]!;
}

export function approval(login: string, type = "User", commit = HEAD): Payload {
  const p = payload("pull_request_review.submitted");
  p.review.user.login = login;
  p.review.user.type = type;
  p.review.state = "approved";
  p.review.commit_id = commit;
  return p;
}

export function review(user: string, commit = HEAD, at = "2024-01-02T00:00:00Z", state: "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED" = "APPROVED", type = "User") {
  return { user, type, state, commit_id: commit, submitted_at: at };
}

/** A "Sign off" press on this app's run of `sha`, as GitHub sends it (the run's output and completion time). */
export function press(h: Harness, sha: string, login: string, type = "User"): Payload {
  const p = payload("check_run.requested_action");
  const r = shown(h, sha)!;
  p.check_run.id = r.id;
  p.check_run.head_sha = sha;
  p.check_run.completed_at = r.completed_at;
  p.check_run.output = { ...p.check_run.output, title: r.output.title, summary: r.output.summary, text: r.output.text };
  p.sender = { ...p.sender, login, type };
  return p;
}

/** A re-run request of this app's run of `sha`. */
export function rerun(h: Harness, sha: string): Payload {
  const p = payload("check_run.rerequested");
  const r = shown(h, sha);
  p.check_run.head_sha = sha;
  if (r) {
    p.check_run.id = r.id;
    p.check_run.output = { ...p.check_run.output, text: r.output.text };
  }
  return p;
}
