/**
 * The migration history an added migration is judged against (the schema model), as the App reads
 * it: one recursive tree per side and the blobs by SHA in GraphQL batches, through a cache shared
 * across deliveries, so a history costs no request per file, and nothing once it has been read;
 * never the contents API per file.
 */
import { afterEach, describe, expect, it } from "vitest";
import { MemoryBlobCache } from "../../src/github/blob-cache.js";
import { defaultState, finishHarness, harness, HEAD, MERGE_BASE, pullRequestPayload } from "./harness.js";

afterEach(() => {
  expect(finishHarness()).toEqual([]);
});

const HISTORY = 40;
const history: Record<string, string> = {};
for (let i = 0; i < HISTORY; i++) history[`db/migrations/${String(i + 1).padStart(6, "0")}_t${i}.up.sql`] = `CREATE TABLE t${i} (id bigint PRIMARY KEY, note text);\n`;
const ADDED = `db/migrations/${String(HISTORY + 1).padStart(6, "0")}_notes.up.sql`;
/** A new table under IF NOT EXISTS: judged new only because the history is read. */
const MIGRATION = "CREATE TABLE IF NOT EXISTS notes (id bigint PRIMARY KEY, body text);\nCREATE INDEX notes_body_idx ON notes (body);\n";

function state() {
  return defaultState({
    files: [{ path: ADDED, status: "added" }],
    contents: { [MERGE_BASE]: { ...history }, [HEAD]: { ...history, [ADDED]: MIGRATION } },
  });
}

describe("the App reads the migration history for the schema model", () => {
  it("through the trees API and one GraphQL query for the blobs, not a request per migration; a shared cache reads each blob once", async () => {
    const blobCache = new MemoryBlobCache();
    const h = await harness(state(), { app: { blobCache } });
    await h.receive("pull_request", pullRequestPayload("opened"));
    const run = h.github.runsFor(HEAD).at(-1)!;
    // The index on a table the history shows is new does not block: nothing gates.
    expect(run.conclusion).toBe("success");
    const requests = h.github.apiRequests();
    const contents = requests.filter((r) => r.path.includes("/contents/") && decodeURIComponent(r.path).includes("/db/migrations/"));
    const trees = requests.filter((r) => r.path.includes("/git/trees/") && r.query.recursive !== undefined);
    // The added migration alone goes through the contents API; the history comes as blobs.
    expect(contents.map((r) => decodeURIComponent(r.path).split("/contents/")[1])).toEqual([ADDED]);
    expect(trees).toHaveLength(2);
    expect(requests.filter((r) => r.path === "/graphql")).toHaveLength(1);
    expect(h.github.graphqlBlobReads).toHaveLength(HISTORY);
    expect(new Set(h.github.graphqlBlobReads).size).toBe(HISTORY);
    expect(h.github.blobReads).toEqual([]);
    expect(finishHarness()).toEqual([]);

    // A push to the same pull request: the history's blobs come from the cache.
    const again = await harness(state(), { app: { blobCache } });
    await again.receive("pull_request", pullRequestPayload("synchronize"));
    expect(again.github.blobReads).toEqual([]);
    expect(again.github.graphqlBlobReads).toEqual([]);
    expect(again.github.runsFor(HEAD).at(-1)!.conclusion).toBe("success");
  });

  it("reads a blob through the REST API when GraphQL fails, and only text whose hash is the blob's counts", async () => {
    const failing = state();
    failing.failRoute = (method, path) => (path === "/graphql" ? 502 : undefined);
    const h = await harness(failing);
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(h.github.runsFor(HEAD).at(-1)!.conclusion).toBe("success");
    expect(new Set(h.github.blobReads).size).toBe(HISTORY);
    expect(finishHarness()).toEqual([]);

    // GraphQL answers other text for one blob (a proxy, a changed encoding): that blob is read again by REST.
    const tampered = state();
    const victim = Object.keys(history)[0]!;
    tampered.graphqlBlobText = (text) => (text === history[victim] ? "DROP TABLE t0;\n" : text);
    const h2 = await harness(tampered);
    await h2.receive("pull_request", pullRequestPayload("opened"));
    expect(h2.github.graphqlBlobReads).toHaveLength(HISTORY);
    expect(h2.github.blobReads).toHaveLength(1);
    expect(h2.github.runsFor(HEAD).at(-1)!.conclusion).toBe("success");
  });

  it("fails closed when a blob cannot be read: the model falls back and the file is a finding", async () => {
    const s = state();
    s.failRoute = (method, path) => ((method === "GET" && path.includes("/git/blobs/")) || path === "/graphql" ? 500 : undefined);
    const h = await harness(s);
    await h.receive("pull_request", pullRequestPayload("opened"));
    const run = h.github.runsFor(HEAD).at(-1)!;
    expect(run.conclusion).not.toBe("success");
    expect(run.annotations.some((a) => (a as { message: string }).message.includes("CREATE TABLE IF NOT EXISTS earlier cannot tell whether it is new"))).toBe(true);
  });
});
