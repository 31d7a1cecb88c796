/**
 * Blobs the App reads by SHA (a migration history, a module, a manifest set) come in GraphQL
 * batches: a request per hundred blobs, not per file. What GraphQL cannot give exactly goes
 * through the REST blobs API, and a blob neither gives is a failed read.
 */
import { ProbotOctokit } from "probot";
import { afterEach, describe, expect, it } from "vitest";
import { GitHubSource, GRAPHQL_BLOBS_PER_QUERY } from "../../src/github/source.js";
import type { Octokit } from "../../src/github/octokit.js";
import { SourceError } from "../../src/source/source.js";
import { FakeGitHub } from "../fakes/github.js";
import { requestValidator } from "../support/openapi.js";
import { defaultState, MERGE_BASE } from "../app/harness.js";

let fake: FakeGitHub | undefined;

function octokit(github: FakeGitHub): Octokit {
  const Client = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
  return new Client({ auth: "test", request: { fetch: github.fetch } }) as unknown as Octokit;
}

function source(files: Record<string, string>, over: Parameters<typeof defaultState>[0] = {}) {
  fake = new FakeGitHub(defaultState({ contents: { [MERGE_BASE]: files, head1: files }, ...over }));
  const s = defaultState();
  return new GitHubSource(octokit(fake), { owner: s.owner, repo: s.repo, pullNumber: s.pull.number, base: MERGE_BASE, head: "head1" });
}

async function readAll(src: GitHubSource, dir: string): Promise<(string | Error)[]> {
  const paths = await src.list("base", dir);
  return Promise.all(paths.map((p) => src.read("base", p).then((b) => new TextDecoder().decode(b!), (e: Error) => e)));
}

afterEach(() => {
  const problems = (fake?.requests ?? []).flatMap((r) => requestValidator().validate(r));
  fake = undefined;
  expect(problems).toEqual([]);
});

const history = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`db/migrate/${String(i).padStart(4, "0")}_t.sql`, `CREATE TABLE t${i} (id int);\n`]));

describe("blobs read by SHA", () => {
  it("come a hundred to a GraphQL query, each once", async () => {
    const src = source(history(250));
    const texts = await readAll(src, "db/migrate");
    expect(texts).toHaveLength(250);
    expect(texts[249]).toBe("CREATE TABLE t249 (id int);\n");
    expect(GRAPHQL_BLOBS_PER_QUERY).toBe(100);
    expect(src.stats.blobQueries).toBe(3);
    expect(fake!.graphqlBlobReads).toHaveLength(250);
    expect(fake!.blobReads).toEqual([]);
  });

  it("read a large blob through the REST API (GraphQL truncates large text)", async () => {
    const src = source({ "db/migrate/0001_big.sql": `-- ${"x".repeat(300 * 1024)}\n`, "db/migrate/0002_small.sql": "SELECT 1;\n" });
    const texts = await readAll(src, "db/migrate");
    expect(texts.map((t) => (typeof t === "string" ? t.length : t))).toEqual([300 * 1024 + 4, 10]);
    expect(fake!.blobReads).toHaveLength(1);
    expect(fake!.graphqlBlobReads).toHaveLength(1);
  });

  it("fall back to REST when the GraphQL answer is not the blob, and fail the read when REST fails too", async () => {
    const files = history(3);
    const src = source(files, { graphqlBlobText: (text) => text.replace("t1 ", "t1_renamed ") });
    const texts = await readAll(src, "db/migrate");
    expect(texts).toEqual(Object.values(files));
    expect(fake!.blobReads).toHaveLength(1);

    const broken = source(files, { failRoute: (method, path) => (path === "/graphql" || path.includes("/git/blobs/") ? 502 : undefined) });
    const results = await readAll(broken, "db/migrate");
    expect(results).toHaveLength(3);
    for (const r of results) {
      expect(r).toBeInstanceOf(SourceError);
      expect((r as SourceError).retryable).toBe(true);
    }
  });

  it("read through REST, ten in flight, when the GraphQL query fails", async () => {
    const src = source(history(40), { failRoute: (_method, path) => (path === "/graphql" ? 502 : undefined), delayMs: 20 });
    const texts = await readAll(src, "db/migrate");
    expect(texts.every((t) => typeof t === "string")).toBe(true);
    expect(fake!.blobReads).toHaveLength(40);
    const blobs = fake!.requests.filter((r) => r.path.includes("/git/blobs/"));
    const mostAtOnce = Math.max(...blobs.map((r) => blobs.filter((o) => o.start <= r.start && o.end > r.start).length));
    expect(mostAtOnce).toBeLessThanOrEqual(10);
    expect(mostAtOnce).toBeGreaterThan(1);
  });
});
