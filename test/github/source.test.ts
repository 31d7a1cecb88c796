import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { GitHubSource, listPullFiles } from "../../src/github/source.js";
import type { Octokit } from "../../src/github/octokit.js";
import { SourceError } from "../../src/source/source.js";
import { requestValidator, type ApiRequest } from "../support/openapi.js";

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "shop" };
let recorded: ApiRequest[] = [];

function octokit(): Octokit {
  const Client = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
  return new Client({ auth: "test" }) as unknown as Octokit;
}

function record(this: unknown, uri: string, body: unknown) {
  const url = new URL(uri, API);
  recorded.push({ method: (this as { req: { method: string } }).req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), body: body === "" ? undefined : body });
}

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const openapi = requestValidator();
  const problems = recorded.flatMap((r) => openapi.validate(r));
  const pending = nock.pendingMocks();
  recorded = [];
  nock.cleanAll();
  expect(problems).toEqual([]);
  expect(pending).toEqual([]);
});

describe("GitHubSource", () => {
  it("lists files over pages, maps statuses and keeps rename sources", async () => {
    nock(API)
      .get("/repos/acme/shop/pulls/7/files")
      .query({ per_page: "100" })
      .reply(function (uri, body) {
        record.call(this, uri, body);
        return [200, [{ filename: "a.sql", status: "added" }, { filename: "b.sql", status: "renamed", previous_filename: "old.sql" }], { link: `<${API}/repositories/1/pulls/7/files?per_page=100&page=2>; rel="next"` }];
      })
      .get("/repositories/1/pulls/7/files")
      .query({ per_page: "100", page: "2" })
      .reply(200, [{ filename: "c.sql", status: "removed" }, { filename: "d.sql", status: "unchanged" }]);
    const listing = await listPullFiles(octokit(), { ...repo, pullNumber: 7, changedFiles: 4 });
    expect(listing.files).toEqual([
      { path: "a.sql", status: "added" },
      { path: "b.sql", status: "renamed", previousPath: "old.sql" },
      { path: "c.sql", status: "deleted" },
    ]);
    expect(listing.truncated).toBeUndefined();
  });

  it("reports a listing short of changed_files as truncated", async () => {
    nock(API).get("/repos/acme/shop/pulls/7/files").query(true).reply(200, [{ filename: "a.sql", status: "added" }]);
    const listing = await listPullFiles(octokit(), { ...repo, pullNumber: 7, changedFiles: 3001 });
    expect(listing.truncated?.reason).toContain("3,000");
  });

  it("reads raw content at the merge base and the head, memoised; a listed file answering 404 and a 5xx are retryable SourceErrors, never absent", async () => {
    nock(API)
      .get("/repos/acme/shop/contents/db%2Fa.sql")
      .query({ ref: "head1" })
      .matchHeader("accept", /raw/)
      .reply(function (uri, body) {
        record.call(this, uri, body);
        return [200, "DROP TABLE a;", { "content-type": "text/plain; charset=utf-8" }];
      })
      .get("/repos/acme/shop/contents/db%2Fa.sql")
      .query({ ref: "base1" })
      .reply(404, { message: "Not Found" })
      .get("/repos/acme/shop/contents/db%2Fb.sql")
      .query({ ref: "head1" })
      .reply(500, { message: "boom" });
    const source = new GitHubSource(octokit(), { ...repo, pullNumber: 7, base: "base1", head: "head1" });
    expect(new TextDecoder().decode((await source.read("head", "db/a.sql"))!)).toBe("DROP TABLE a;");
    expect(await source.read("head", "db/a.sql")).not.toBeNull(); // memoised: one request
    const missing = await source.read("base", "db/a.sql").catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(SourceError);
    expect((missing as SourceError).message).toContain("404");
    const error = await source.read("head", "db/b.sql").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).retryable).toBe(true);
  });

  it("lists directories from one recursive git tree per side", async () => {
    nock(API)
      .get("/repos/acme/shop/git/trees/head1")
      .query({ recursive: "1" })
      .reply(function (uri, body) {
        record.call(this, uri, body);
        return [200, { sha: "head1", truncated: false, tree: [{ path: "infra/main.tf", type: "blob" }, { path: "infra", type: "tree" }, { path: "infra/mod/x.tf", type: "blob" }, { path: "k8s/a.yaml", type: "blob" }] }];
      });
    const source = new GitHubSource(octokit(), { ...repo, pullNumber: 7, base: "base1", head: "head1" });
    expect(await source.list("head", "infra")).toEqual(["infra/main.tf", "infra/mod/x.tf"]);
    expect(await source.list("head", "")).toHaveLength(3);
  });
});
