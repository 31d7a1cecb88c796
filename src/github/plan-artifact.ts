/**
 * The Terraform plan a repository's CI uploads as a workflow artifact (`terraform.plan_artifact`
 * in the base branch's policy), for the pull request's head commit only.
 *
 * Round trips: the successful workflow runs of the head commit, then the named artifact of the
 * newest run that has one, then its download (a zip, as GitHub serves every artifact). A plan
 * uploaded for another commit never counts: the runs are listed by the head SHA and each run's
 * own `head_sha` is checked again. Every API failure throws: a plan the policy names that cannot
 * be read is an analysis error (the check fails and offers a re-run), never an absent plan.
 */
import { unzipSync } from "fflate";
import type { ExtraInput } from "../analyzers/types.js";
import { TERRAFORM_PLAN_INPUT } from "../analyzers/terraform/index.js";
import { MAX_PLAN_BYTES } from "../analyzers/terraform/plan.js";
import type { Octokit, RepoRef } from "./octokit.js";
import { compareText } from "../util/compare.js";

/** An artifact larger than this (zipped) is not downloaded: the evaluation says so and fails closed. */
export const MAX_ARTIFACT_BYTES = 128 * 1024 * 1024;
/** Plans in one artifact; more is not a plan artifact. */
const MAX_ENTRIES = 50;

export type PlanArtifact =
  | { found: true; runId: number; artifactId: number; inputs: ExtraInput[] }
  | { found: false; reason: string };

export class PlanArtifactError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PlanArtifactError";
  }
}

export async function readPlanArtifact(octokit: Octokit, repo: RepoRef, headSha: string, name: string): Promise<PlanArtifact> {
  const { data: runs } = await octokit.rest.actions.listWorkflowRunsForRepo({ ...repo, head_sha: headSha, status: "success", per_page: 100 });
  const candidates = runs.workflow_runs.filter((run) => run.head_sha === headSha).sort((a, b) => Date.parse(b.updated_at) - Date.parse(a.updated_at) || b.id - a.id);
  for (const run of candidates) {
    const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: run.id, name, per_page: 100 });
    const artifact = data.artifacts.find((a) => a.name === name && !a.expired && (a.workflow_run?.head_sha === undefined || a.workflow_run.head_sha === headSha));
    if (!artifact) continue;
    if (artifact.size_in_bytes > MAX_ARTIFACT_BYTES) {
      throw new PlanArtifactError(`the plan artifact "${name}" is ${artifact.size_in_bytes} bytes, over the ${MAX_ARTIFACT_BYTES}-byte limit`);
    }
    const download = await octokit.rest.actions.downloadArtifact({ ...repo, artifact_id: artifact.id, archive_format: "zip" });
    const zip = bytesOf(download.data);
    return { found: true, runId: run.id, artifactId: artifact.id, inputs: plansIn(zip, name) };
  }
  return { found: false, reason: `no successful workflow run of ${headSha.slice(0, 7)} has uploaded "${name}" yet` };
}

function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new PlanArtifactError("GitHub did not send the plan artifact as bytes");
}

/** The files of the artifact's zip, each one plan; refused before inflating when they would be too large. */
function plansIn(zip: Uint8Array, name: string): ExtraInput[] {
  let total = 0;
  let entries = 0;
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(zip, {
      filter: (file) => {
        if (file.name.endsWith("/")) return false;
        entries++;
        total += file.originalSize;
        // fflate inflates each file into a buffer of its declared size, so a lying zip cannot grow past it.
        if (entries > MAX_ENTRIES) throw new PlanArtifactError(`the plan artifact "${name}" holds more than ${MAX_ENTRIES} files`);
        if (file.originalSize > MAX_PLAN_BYTES || total > MAX_PLAN_BYTES) throw new PlanArtifactError(`the plan artifact "${name}" unpacks to more than ${MAX_PLAN_BYTES} bytes`);
        return true;
      },
    });
  } catch (error) {
    if (error instanceof PlanArtifactError) throw error;
    throw new PlanArtifactError(`the plan artifact "${name}" is not a readable zip: ${error instanceof Error ? error.message : String(error)}`);
  }
  const inputs = Object.entries(files)
    .sort(([a], [b]) => compareText(a, b))
    .map(([file, bytes]): ExtraInput => ({ kind: TERRAFORM_PLAN_INPUT, path: `artifact:${name}/${file.replace(/^\/+/, "")}`, bytes }));
  if (inputs.length === 0) throw new PlanArtifactError(`the plan artifact "${name}" is empty`);
  return inputs;
}
