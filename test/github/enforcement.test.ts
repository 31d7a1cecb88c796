import nock from "nock";
import { ProbotOctokit } from "probot";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { readEnforcement } from "../../src/github/enforcement.js";
import type { Octokit } from "../../src/github/octokit.js";

const API = "https://api.github.com";
const repo = { owner: "acme", repo: "shop" };

function octokit(): Octokit {
  const Client = ProbotOctokit.defaults((o: Record<string, unknown>) => ({ ...o, retry: { enabled: false }, throttle: { enabled: false } }));
  return new Client({ auth: "test" }) as unknown as Octokit;
}

const noBranchProtection = { name: "main", commit: { sha: "a" }, protected: false, protection_url: "" };

beforeAll(() => nock.disableNetConnect());
afterEach(() => {
  const pending = nock.pendingMocks();
  nock.cleanAll();
  expect(pending).toEqual([]);
});

describe("readEnforcement", () => {
  it("finds the check in a ruleset, pinned to this app", async () => {
    nock(API)
      .get("/repos/acme/shop/rules/branches/main")
      .query({ per_page: "100" })
      .reply(200, [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "changegate", integration_id: 7 }] } }])
      .get("/repos/acme/shop/branches/main")
      .reply(200, noBranchProtection);
    expect(await readEnforcement(octokit(), repo, "main", 7)).toEqual({ branch: "main", required: true });
  });

  it("does not count a check pinned to another app", async () => {
    nock(API)
      .get("/repos/acme/shop/rules/branches/main")
      .query(true)
      .reply(200, [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "changegate", integration_id: 99 }] } }])
      .get("/repos/acme/shop/branches/main")
      .reply(200, noBranchProtection);
    expect((await readEnforcement(octokit(), repo, "main", 7)).required).toBe(false);
  });

  it("finds the check in classic branch protection", async () => {
    nock(API)
      .get("/repos/acme/shop/rules/branches/main")
      .query(true)
      .reply(200, [])
      .get("/repos/acme/shop/branches/main")
      .reply(200, { ...noBranchProtection, protected: true, protection: { required_status_checks: { contexts: ["changegate"], checks: [{ context: "changegate", app_id: null }] } } });
    expect((await readEnforcement(octokit(), repo, "main", 7)).required).toBe(true);
  });

  it("does not count classic protection that lists the name but pins it to another app (a workflow can satisfy it)", async () => {
    nock(API)
      .get("/repos/acme/shop/rules/branches/main")
      .query(true)
      .reply(200, [])
      .get("/repos/acme/shop/branches/main")
      .reply(200, { ...noBranchProtection, protected: true, protection: { required_status_checks: { contexts: ["changegate"], checks: [{ context: "changegate", app_id: 15368 }] } } });
    const result = await readEnforcement(octokit(), repo, "main", 7);
    expect(result.required).toBe(false);
    expect(result.detail).toContain("pinned to another app");
  });

  it("warns that an unpinned required check can be satisfied by anything reporting the name", async () => {
    nock(API)
      .get("/repos/acme/shop/rules/branches/main")
      .query(true)
      .reply(200, [{ type: "required_status_checks", parameters: { required_status_checks: [{ context: "changegate" }] } }])
      .get("/repos/acme/shop/branches/main")
      .reply(200, noBranchProtection);
    const result = await readEnforcement(octokit(), repo, "main", 7);
    expect(result.required).toBe(true);
    expect(result.detail).toContain("not pinned");
  });

  it("cannot tell when both reads fail", async () => {
    nock(API).get("/repos/acme/shop/rules/branches/main").query(true).reply(500, {}).get("/repos/acme/shop/branches/main").reply(500, {});
    const result = await readEnforcement(octokit(), repo, "main", 7);
    expect(result.required).toBeUndefined();
  });
});
