import { afterEach, expect, it } from "vitest";
import { defaultState, harness, HEAD, pullRequestPayload, finishHarness, existingRun, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(() => expect(finishHarness()).toEqual([]));

it("the default export is the app: it learns its own id and finds its own run again", async () => {
  h = await harness(defaultState({ files: [{ path: "src/app.ts", status: "modified" }] }), { defaultExport: true });
  h.github.checkRuns.push(existingRun(1, HEAD, { app: { id: 999 } }));
  await h.receive("pull_request", pullRequestPayload("opened"));
  await h.receive("pull_request", pullRequestPayload("opened"));
  const runs = h.github.runsFor(HEAD).filter((r) => r.app.id !== 999);
  expect(runs).toHaveLength(1);
  expect(h.github.checkRuns.find((r) => r.id === 1)!.writes).toBe(1);
  expect(runs[0]!.conclusion).toBe("success");
});

it("ignores another app's run of the same name", async () => {
  h = await harness(defaultState({ files: [{ path: "src/app.ts", status: "modified" }] }));
  h.github.checkRuns.push(existingRun(1, HEAD, { app: { id: 999 } }));
  await h.receive("pull_request", pullRequestPayload("opened"));
  const mine = h.github.runsFor(HEAD).filter((r) => r.app.id !== 999);
  expect(mine).toHaveLength(1);
  expect(h.github.checkRuns.find((r) => r.id === 1)!.writes).toBe(1);
});

