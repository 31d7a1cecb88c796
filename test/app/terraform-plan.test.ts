/**
 * Terraform plans in the App: a plan committed in the pull request, and the plan the repository's
 * CI uploads as a workflow artifact (terraform.plan_artifact), read for the current head only and
 * folded into the same check run; terraform.require_plan holds the check until it arrives.
 */
import { zipSync, strToU8 } from "fflate";
import { afterEach, describe, expect, it } from "vitest";
import { APP_ID, BASE_REF, defaultState, finishHarness, harness, HEAD, MERGE_BASE, payload, POLICY, pullRequestPayload, type Harness } from "./harness.js";
import type { FakeCheckRun, FakeState, FakeWorkflowRun } from "../fakes/github.js";

const HEAD2 = "2222222222222222222222222222222222222222";
const MODULE = "infra/db/main.tf";
// Only a tag changes: the HCL diff finds nothing; what apply will do is in the plan.
const TF_BASE = 'resource "aws_db_instance" "main" {\n  identifier = "orders"\n  engine     = "postgres"\n  tags       = { team = "orders" }\n}\n';
const TF_HEAD = TF_BASE.replace('team = "orders"', 'team = "payments"');

/** `terraform show -json` of a plan that replaces the database (the tag change forced nothing; a drift did). */
function plan(action: "delete" | "update"): string {
  const actions = action === "delete" ? ["delete", "create"] : ["update"];
  return JSON.stringify({
    format_version: "1.2",
    terraform_version: "1.9.5",
    applyable: true,
    complete: true,
    errored: false,
    resource_changes: [
      {
        address: "aws_db_instance.main",
        mode: "managed",
        type: "aws_db_instance",
        name: "main",
        provider_name: "registry.terraform.io/hashicorp/aws",
        change: { actions, before: { identifier: "orders", engine: "postgres" }, after: { identifier: "orders", engine: "postgres" }, ...(action === "delete" ? { replace_paths: [["engine"]] } : {}) },
        ...(action === "delete" ? { action_reason: "replace_because_cannot_update" } : {}),
      },
    ],
  });
}

const artifactRun = (id: number, headSha: string, planText: string, name = "terraform-plan"): FakeWorkflowRun => ({
  id,
  head_sha: headSha,
  conclusion: "success",
  updated_at: "2024-01-02T00:00:00Z",
  artifacts: [{ id: id * 10, name, zip: zipSync({ "plan.json": strToU8(planText) }) }],
});

function tfState(policy: string, over: Partial<FakeState> = {}): FakeState {
  return defaultState({
    files: [{ path: MODULE, status: "modified" }],
    contents: { [BASE_REF]: { [POLICY]: policy }, [MERGE_BASE]: { [MODULE]: TF_BASE }, [HEAD]: { [MODULE]: TF_HEAD }, [HEAD2]: { [MODULE]: TF_HEAD } },
    permissions: { alice: "write", Codertocat: "admin" },
    ...over,
  });
}

const ARTIFACT_POLICY = "version: 1\nterraform:\n  plan_artifact: terraform-plan\n";

let h: Harness | undefined;
afterEach(() => {
  const problems = finishHarness();
  h = undefined;
  expect(problems).toEqual([]);
});

/** This app's runs on `sha`, newest first (a re-evaluation whose annotations change starts a new run). */
const mine = (sha: string) => h!.github.runsFor(sha).filter((r) => r.app.id === APP_ID).sort((a, b) => b.id - a.id);
/** Everything a reviewer reads on a run: summary, details and the annotations on the lines. */
const shown = (run: FakeCheckRun | undefined) => `${run?.output.summary ?? ""}\n${run?.output.text ?? ""}\n${JSON.stringify(run?.annotations ?? [])}`;

function workflowCompleted(headSha = HEAD, runId = 1) {
  const p = payload("workflow_run.completed");
  p.workflow_run.id = runId;
  p.workflow_run.head_sha = headSha;
  p.workflow_run.pull_requests[0].head.sha = headSha;
  return p;
}

describe("Terraform plans in the App", () => {
  it("a plan committed under paths.terraform_plans is analysed with the change", async () => {
    const state = tfState("version: 1\npaths:\n  terraform_plans: [\"plans/**\"]\n");
    state.files.push({ path: "plans/prod.json", status: "added" });
    state.contents[HEAD]!["plans/prod.json"] = plan("delete");
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened"));
    const [run] = mine(HEAD);
    expect(run!.conclusion).toBe("action_required");
    expect(JSON.stringify(run!.annotations)).toContain("plans/prod.json");
    expect(shown(run)).toMatch(/tf\/replace/);
  });

  it("a plan artifact that arrives after the first evaluation joins the check", async () => {
    const state = tfState(ARTIFACT_POLICY);
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(mine(HEAD)).toHaveLength(1);
    expect(mine(HEAD)[0]!.conclusion).not.toBe("action_required");

    state.workflowRuns = [artifactRun(1, HEAD, plan("delete"))];
    await h.receive("workflow_run", workflowCompleted());
    const runs = mine(HEAD);
    expect(runs[0]!.conclusion).toBe("action_required");
    expect(shown(runs[0])).toMatch(/aws_db_instance\.main/);
    expect(JSON.stringify(runs[0]!.annotations)).toContain("artifact:terraform-plan/plan.json");
  });

  it("later evaluations keep reading the plan: a review does not make its findings disappear", async () => {
    const state = tfState(ARTIFACT_POLICY, { workflowRuns: [artifactRun(1, HEAD, plan("delete"))] });
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(mine(HEAD)[0]!.conclusion).toBe("action_required");
    state.reviews = [{ user: "alice", state: "APPROVED", commit_id: HEAD, submitted_at: "2024-01-02T00:00:00Z" }];
    const review = payload("pull_request_review.submitted");
    review.review.user.login = "alice";
    review.review.commit_id = HEAD;
    await h.receive("pull_request_review", review);
    // Signed off against the plan's findings, which are still there.
    expect(mine(HEAD)[0]!.conclusion).toBe("success");
    expect(shown(mine(HEAD)[0])).toMatch(/aws_db_instance\.main/);
  });

  it("a plan uploaded for an older head never counts for the new one", async () => {
    const state = tfState(ARTIFACT_POLICY + "  require_plan: true\n", { workflowRuns: [artifactRun(1, HEAD, plan("update"))] });
    state.pull.head = HEAD2;
    state.commits = [{ sha: HEAD2, author: { login: "Codertocat" }, committer: { login: "Codertocat" } }];
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("synchronize", { head: HEAD2, before: HEAD }));
    // The event for the old head's run re-evaluates the pull request at its current head: no plan there.
    await h.receive("workflow_run", workflowCompleted(HEAD));
    const [run] = mine(HEAD2);
    expect(run!.conclusion).toBe("action_required");
    expect(shown(run)).toMatch(/terraform\.require_plan/);
    expect(mine(HEAD)).toHaveLength(0);
  });

  it("require_plan with no plan yet holds the check and says why; the plan's arrival releases what it shows", async () => {
    const state = tfState(ARTIFACT_POLICY + "  require_plan: true\n");
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(mine(HEAD)[0]!.conclusion).toBe("action_required");
    expect(shown(mine(HEAD)[0])).toMatch(/requires a Terraform plan/);

    state.workflowRuns = [artifactRun(1, HEAD, plan("update"))];
    await h.receive("workflow_run", workflowCompleted());
    expect(mine(HEAD)[0]!.conclusion).toBe("success");
    // (Annotations only append on a run, so the earlier one stays listed; the verdict is the summary's.)
    expect(mine(HEAD)[0]!.output.summary).toMatch(/Nothing needs sign-off/);
  });

  it("a plan artifact that cannot be read fails the check with a re-run, never reads as no plan", async () => {
    const state = tfState(ARTIFACT_POLICY, { workflowRuns: [artifactRun(1, HEAD, plan("delete"))], fault: (method, path) => (path.includes("/actions/artifacts/") ? { status: 502, body: "<html>Bad Gateway</html>" } : undefined) });
    h = await harness(state);
    await h.receive("pull_request", pullRequestPayload("opened"));
    const [run] = mine(HEAD);
    expect(run!.conclusion).toBe("failure");
    expect(shown(run)).toMatch(/plan artifact "terraform-plan" could not be read/);
    expect(run!.actions).toContainEqual(expect.objectContaining({ identifier: "rerun" }));
  });

  it("a zip that is not one is an analysis failure, not a pass", async () => {
    const bad: FakeWorkflowRun = { ...artifactRun(1, HEAD, plan("delete")), artifacts: [{ id: 10, name: "terraform-plan", zip: strToU8("PK\u0003\u0004 this is not a zip") }] };
    h = await harness(tfState(ARTIFACT_POLICY, { workflowRuns: [bad] }));
    await h.receive("pull_request", pullRequestPayload("opened"));
    expect(mine(HEAD)[0]!.conclusion).toBe("failure");
    expect(shown(mine(HEAD)[0])).toMatch(/not a readable zip/);
  });

  it("a workflow run that uploaded nothing costs no evaluation", async () => {
    const state = tfState(ARTIFACT_POLICY, { workflowRuns: [{ id: 1, head_sha: HEAD, conclusion: "success", updated_at: "2024-01-02T00:00:00Z", artifacts: [] }] });
    h = await harness(state);
    await h.receive("workflow_run", workflowCompleted());
    expect(mine(HEAD)).toHaveLength(0);
    expect(h.github.apiRequests().map((r) => `${r.method} ${r.path}`)).toEqual([`GET /repos/Codertocat/Hello-World/actions/runs/1/artifacts`]);
  });
});
