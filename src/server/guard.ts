/**
 * Fails closed when coordination is lost: an Octokit plugin that refuses to write a passing
 * check-run conclusion (success, neutral, skipped) from an evaluation whose lock lease could not
 * be kept. The gate then fails the run instead (a `failure` with a re-run button is allowed:
 * it never lets a merge through).
 */
import type { Octokit } from "@octokit/core";
import { PASSING_CONCLUSIONS } from "../github/checks.js";
import { leaseLost } from "./coordination.js";

export function failClosedGuard(octokit: Octokit): void {
  octokit.hook.before("request", (options) => {
    const url = String(options.url ?? "");
    if (!/\/check-runs(\/\{?check_run_id\}?|\/\d+)?$/.test(url) || (options.method !== "POST" && options.method !== "PATCH")) return;
    const conclusion = (options as { conclusion?: unknown }).conclusion;
    if (typeof conclusion === "string" && PASSING_CONCLUSIONS.has(conclusion) && leaseLost()) {
      throw new Error("changegate lost its coordination lock (Redis) during this evaluation; it will not pass the check from it");
    }
  });
}
