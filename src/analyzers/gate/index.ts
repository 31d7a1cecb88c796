import { globMatcher } from "../../util/glob.js";
import { configChange, incompleteAnalysis } from "../../../rules/gate/index.js";
import type { Finding } from "../../model/finding.js";
import { finding } from "../../model/rule.js";
import type { AnalysisContext, Analyzer, FileChange } from "../types.js";

/** A problem in a proposed policy file, located in that file. */
export interface PolicyProblem {
  message: string;
  line: number;
  column?: number;
  /** A valid policy that leaves findings ungated (`defaults: false`), not an error. */
  warning?: boolean;
}

export interface GateAnalyzerOptions {
  policyPath: string;
  /** Validates the proposed policy file so its errors can be annotated on the pull request. */
  validatePolicy?: (text: string) => PolicyProblem[];
  /**
   * Loads `validatePolicy` instead (the policy parser is large): prepare() awaits it when the
   * change holds a policy file. Without it loaded, a policy file fails closed, never unvalidated.
   */
  loadValidatePolicy?: () => Promise<(text: string) => PolicyProblem[]>;
}

/** Files that decide who reviews and what runs with the repository's credentials. */
const GATE_FILES = globMatcher(
  [
    "CODEOWNERS",
    ".github/CODEOWNERS",
    "docs/CODEOWNERS",
    ".github/workflows/**",
    ".github/actions/**",
    ".github/rulesets/**",
    ".github/settings.yml",
    ".github/policy.yml",
    ".policy.yml",
  ],
  { dot: true },
);

/** `gate/*` findings: changes to the gate itself. */
export function createGateAnalyzer(options: GateAnalyzerOptions): Analyzer {
  const isPolicy = (path: string) => path === options.policyPath;
  let validatePolicy = options.validatePolicy;
  return {
    id: "gate",
    unparsedRule: configChange,
    // Excluding `.github/**` must not switch the gate off.
    honoursExcludes: false,
    claims: (path) => isPolicy(path) || GATE_FILES(path),
    needsContent: (change) => isPolicy(change.path) && change.status !== "deleted",
    async prepare(claimed) {
      if (validatePolicy || !options.loadValidatePolicy) return;
      if (claimed === undefined || claimed.some((file) => file.status !== "deleted" && (isPolicy(file.path) || (file.previousPath !== undefined && isPolicy(file.previousPath))))) validatePolicy = await options.loadValidatePolicy();
    },
    analyze(change: FileChange, context: AnalysisContext): Finding[] {
      const removed = change.status === "deleted";
      const at = removed
        ? { file: change.path, line: 1, side: "base" as const }
        : { file: change.path, line: 1, side: "head" as const };
      if (isPolicy(change.path) || (change.previousPath !== undefined && isPolicy(change.previousPath))) {
        const verb = removed ? "deletes" : change.status === "added" ? "adds" : "changes";
        const findings = [
          finding(configChange, at, `This pull request ${verb} the changegate policy; it is still judged by the base branch's policy.`, {
            object: change.path,
          }),
        ];
        if (!removed && change.head && (validatePolicy || options.loadValidatePolicy)) {
          if (!validatePolicy) throw new Error("the policy validator is not loaded (prepare() the analyzer first)");
          for (const problem of validatePolicy(change.head.text)) {
            findings.push(
              finding(
                configChange,
                { file: change.path, line: Math.max(1, problem.line), side: "head" },
                problem.warning ? `The proposed policy leaves findings ungated: ${problem.message}` : `The proposed policy is invalid: ${problem.message}`,
                { object: change.path },
              ),
            );
          }
        }
        return findings;
      }
      const what = change.path.includes("workflows/") || change.path.includes("actions/") ? "a workflow" : "review rules";
      return [
        finding(configChange, at, `This pull request changes ${what} (${change.path}).`, {
          object: change.path,
          severity: context.authorKind === "agent" ? "high" : "medium",
        }),
      ];
    },
  };
}

/** A `gate/incomplete-analysis` finding, for what the engine or a source could not read. */
export function incompleteAnalysisFinding(file: string, message: string, side: "head" | "base" = "head"): Finding {
  return finding(incompleteAnalysis, { file, line: 1, side }, message, { object: file });
}
