/**
 * Is the gate enforced? A check that is not required only informs. Reads the base branch's
 * active rulesets (metadata: read) and its classic protection summary (contents: read); the
 * classic `/protection` endpoint would need administration: read, which the app does not ask for.
 */
import { CHECK_NAME } from "../report/check-run.js";
import { messageOf, statusOf, type Octokit, type RepoRef } from "./octokit.js";

export interface Enforcement {
  branch: string;
  /** undefined: could not tell. */
  required: boolean | undefined;
  detail?: string;
}

interface RequiredCheck {
  context: string;
  integration_id?: number | null;
  app_id?: number | null;
}

export async function readEnforcement(octokit: Octokit, repo: RepoRef, branch: string, appId: number | undefined): Promise<Enforcement> {
  const matches = (check: RequiredCheck) => {
    if (check.context !== CHECK_NAME) return false;
    const pinned = check.integration_id ?? check.app_id;
    return pinned === undefined || pinned === null || appId === undefined || pinned === appId;
  };
  const [rules, classic] = await Promise.allSettled([
    octokit.paginate(octokit.rest.repos.getBranchRules, { ...repo, branch, per_page: 100 }),
    octokit.rest.repos.getBranch({ ...repo, branch }),
  ]);
  let known = false;
  if (rules.status === "fulfilled") {
    known = true;
    for (const rule of rules.value) {
      if (rule.type !== "required_status_checks") continue;
      const checks = (rule as { parameters?: { required_status_checks?: RequiredCheck[] } }).parameters?.required_status_checks ?? [];
      if (checks.some(matches)) return { branch, required: true };
    }
  }
  if (classic.status === "fulfilled") {
    known = true;
    const protection = classic.value.data.protection?.required_status_checks;
    const contexts = protection?.contexts ?? [];
    const checks = (protection?.checks ?? []) as RequiredCheck[];
    if (contexts.includes(CHECK_NAME) || checks.some(matches)) return { branch, required: true };
  } else if (statusOf(classic.reason) === 404) {
    known = true;
  }
  if (!known) {
    const reason = rules.status === "rejected" ? messageOf(rules.reason) : "the branch could not be read";
    return { branch, required: undefined, detail: reason };
  }
  return { branch, required: false };
}
