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

type Pin = "this-app" | "unpinned" | "other-app";

/** Who may satisfy a required check of this name: this app, anyone (no pin), or another app only. */
function pinOf(check: RequiredCheck, appId: number | undefined): Pin {
  const pinned = check.integration_id ?? check.app_id;
  if (pinned === undefined || pinned === null) return "unpinned";
  return appId !== undefined && pinned === appId ? "this-app" : "other-app";
}

const UNPINNED =
  "it is required but not pinned to this app, so a workflow job or another app reporting a check named `changegate` can satisfy it; pin it to this app (the ruleset's or protection's expected source)";

/**
 * Whether the base branch requires this app's `changegate` check. A required check pinned to
 * another app is not enforcement (that app, or a workflow when it is GitHub Actions, satisfies
 * it); an unpinned one is, with a warning that anything reporting the name satisfies it.
 */
export async function readEnforcement(octokit: Octokit, repo: RepoRef, branch: string, appId: number | undefined): Promise<Enforcement> {
  const [rules, classic] = await Promise.allSettled([
    octokit.paginate(octokit.rest.repos.getBranchRules, { ...repo, branch, per_page: 100 }),
    octokit.rest.repos.getBranch({ ...repo, branch }),
  ]);
  const pins: Pin[] = [];
  let known = false;
  if (rules.status === "fulfilled") {
    known = true;
    for (const rule of rules.value) {
      if (rule.type !== "required_status_checks") continue;
      const checks = (rule as { parameters?: { required_status_checks?: RequiredCheck[] } }).parameters?.required_status_checks ?? [];
      for (const check of checks) if (check.context === CHECK_NAME) pins.push(pinOf(check, appId));
    }
  }
  if (classic.status === "fulfilled") {
    known = true;
    const protection = classic.value.data.protection?.required_status_checks;
    const checks = (protection?.checks ?? []) as RequiredCheck[];
    // `contexts` names checks whatever app sets them; `checks` says which app: it decides when present.
    if (checks.length > 0) {
      for (const check of checks) if (check.context === CHECK_NAME) pins.push(pinOf(check, appId));
    } else if ((protection?.contexts ?? []).includes(CHECK_NAME)) {
      pins.push("unpinned");
    }
  } else if (statusOf(classic.reason) === 404) {
    known = true;
  }
  if (pins.includes("this-app")) return { branch, required: true };
  if (pins.includes("unpinned")) return { branch, required: true, detail: UNPINNED };
  if (pins.includes("other-app")) {
    return { branch, required: false, detail: "a required check named `changegate` is pinned to another app: that app (or a workflow, for GitHub Actions) satisfies it, not this one" };
  }
  if (!known) {
    const reason = rules.status === "rejected" ? messageOf(rules.reason) : "the branch could not be read";
    return { branch, required: undefined, detail: reason };
  }
  return { branch, required: false };
}
