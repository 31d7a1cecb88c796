/**
 * The check run as a plan (pure): a decision and its findings in, the writes out — title,
 * summary, text, annotation batches of 50 and the buttons. `src/github` performs the plan; the
 * CLI and tests read it without HTTP.
 */
import { createHash } from "node:crypto";
import { findRule } from "../../rules/index.js";
import { compareFindings, type Finding } from "../model/finding.js";
import { docsUrl } from "../model/rule.js";
import type { Conclusion, Decision, Dismissal, RuleResult } from "../policy/types.js";

export const CHECK_NAME = "changegate";
/** GitHub's cap on `output.summary` and `output.text`. */
export const OUTPUT_LIMIT = 65_535;
/** GitHub accepts at most 50 annotations per request; more are appended by further updates. */
export const ANNOTATIONS_PER_REQUEST = 50;
/** Annotations beyond this are listed in the text only. */
export const MAX_ANNOTATIONS = 500;

export const SIGNOFF_ACTION = { label: "Sign off", identifier: "signoff", description: "Sign off on these findings" } as const;
export const RERUN_ACTION = { label: "Re-run analysis", identifier: "rerun", description: "Analyse this pull request again" } as const;

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: "notice" | "warning" | "failure";
  title: string;
  message: string;
  raw_details?: string;
}

export interface CheckRunAction {
  label: string;
  identifier: string;
  description: string;
}

export interface PolicyProblemReport {
  message: string;
  line: number;
  column?: number;
}

export interface CheckRunInput {
  headSha: string;
  /** Absent when the policy could not be loaded. */
  decision?: Decision;
  findings: readonly Finding[];
  policy: { source: "file" | "default" | "invalid"; path: string; errors?: readonly PolicyProblemReport[] };
  analysis?: { analysed: number; unclaimed: number; errors: readonly { file: string; message: string; retryable: boolean }[] };
  /** `false` when the base branch's rules do not require the check; undefined when unknown. */
  enforced?: { required: boolean | undefined; branch: string; detail?: string };
  /** Button presses refused in this evaluation, with the reason. */
  refused?: readonly Dismissal[];
  /**
   * `false` when a press of Sign off could never reach the gate: GitHub sends a requested action
   * to the app that created the run, and a run written with a workflow's GITHUB_TOKEN belongs to
   * github-actions (Action mode). The button is not offered and the summary does not mention it.
   */
  signoffButton?: boolean;
  /**
   * The hidden state block to append to the text (never cut), or a function that writes it from
   * the plan's own conclusion and annotation hash (so a state can remember them in one pass).
   */
  stateBlock?: string | ((plan: { conclusion: Conclusion; annotationsHash: string }) => string);
  /** Whether the annotations are still to be written (annotations append; a re-evaluation must not repeat them). */
  annotate?: boolean;
  /** The hash of the annotations this run already carries: the same set is not sent again. */
  annotated?: string;
}

export interface CheckRunPlan {
  name: string;
  title: string;
  summary: string;
  text: string;
  conclusion: Conclusion;
  actions: CheckRunAction[];
  annotationBatches: Annotation[][];
  /** Hash of the full annotation list, remembered so that the same set is never appended twice. */
  annotationsHash: string;
}

export function planCheckRun(input: CheckRunInput): CheckRunPlan {
  const invalidPolicy = input.policy.source === "invalid";
  const decision = input.decision;
  const analysisErrors = input.analysis?.errors ?? [];
  const retryable = analysisErrors.some((e) => e.retryable);

  let conclusion: Conclusion;
  if (invalidPolicy || !decision) conclusion = "failure";
  else if (analysisErrors.length > 0 && decision.mode !== "report-only") conclusion = "failure";
  else conclusion = safeConclusion(decision);

  const title = titleFor(input, conclusion);
  const annotations = annotationsFor(input);
  const annotationsHash = createHash("sha256").update(JSON.stringify(annotations)).digest("hex").slice(0, 16);
  const shown = input.annotate === false || input.annotated === annotationsHash ? [] : annotations.slice(0, MAX_ANNOTATIONS);
  const annotationBatches: Annotation[][] = [];
  for (let i = 0; i < shown.length; i += ANNOTATIONS_PER_REQUEST) annotationBatches.push(shown.slice(i, i + ANNOTATIONS_PER_REQUEST));

  const actions: CheckRunAction[] = [];
  if (decision && decision.outcome === "needs-signoff" && !invalidPolicy && analysisErrors.length === 0 && input.signoffButton !== false) actions.push({ ...SIGNOFF_ACTION });
  if (retryable || analysisErrors.length > 0) actions.push({ ...RERUN_ACTION });

  return {
    name: CHECK_NAME,
    title,
    summary: fit(summaryLines(input, conclusion, annotations.length), OUTPUT_LIMIT),
    text: textFor(input, typeof input.stateBlock === "function" ? input.stateBlock({ conclusion, annotationsHash }) : (input.stateBlock ?? "")),
    conclusion,
    actions,
    annotationBatches,
    annotationsHash,
  };
}

/** Required checks pass on success, neutral and skipped: a held or blocked pull request never gets those. */
function safeConclusion(decision: Decision): Conclusion {
  if (decision.outcome === "blocked") return "failure";
  if (decision.outcome === "needs-signoff") return decision.conclusion === "failure" ? "failure" : "action_required";
  return decision.conclusion === "neutral" ? "neutral" : decision.conclusion === "success" ? "success" : decision.conclusion;
}

function titleFor(input: CheckRunInput, conclusion: Conclusion): string {
  if (input.policy.source === "invalid") return `Blocked: the policy ${input.policy.path} on the base branch is invalid`;
  const errors = input.analysis?.errors ?? [];
  if (errors.length > 0) return `Failed: ${errors.length === 1 ? errors[0]!.file : count(errors.length, "file")} could not be read — re-run the check`;
  const d = input.decision;
  if (!d) return "Failed: no decision";
  if (d.summary) return oneLine(d.summary, 200);
  switch (conclusion) {
    case "success":
      return "No sign-off needed";
    case "neutral":
      return `${count(d.nonGating.length, "finding")}, none gating`;
    case "action_required":
      return "Waiting for sign-off";
    default:
      return "Blocked";
  }
}

function summaryLines(input: CheckRunInput, conclusion: Conclusion, annotationCount: number): string[] {
  const lines: string[] = [];
  const d = input.decision;
  lines.push(`**${verdict(conclusion)}** — head \`${input.headSha.slice(0, 12)}\``, "");

  if (input.enforced && input.enforced.required === false) {
    lines.push(
      `> [!WARNING]`,
      `> The \`${CHECK_NAME}\` check is not required on \`${input.enforced.branch}\`: a pull request can be merged whatever it says. ` +
        `Add it to the branch's ruleset or protection as a required status check.${input.enforced.detail ? ` (${input.enforced.detail})` : ""}`,
      "",
    );
  } else if (input.enforced && input.enforced.required === true && input.enforced.detail) {
    lines.push(`> [!WARNING]`, `> The \`${CHECK_NAME}\` check on \`${input.enforced.branch}\`: ${input.enforced.detail}.`, "");
  } else if (input.enforced && input.enforced.required === undefined && input.enforced.detail) {
    lines.push(`> Could not tell whether \`${CHECK_NAME}\` is required on \`${input.enforced.branch}\`: ${input.enforced.detail}`, "");
  }

  if (input.policy.source === "invalid") {
    lines.push(`### The policy is invalid`, "", `\`${input.policy.path}\` on the base branch could not be used, so the gate fails closed:`, "");
    for (const e of input.policy.errors ?? []) lines.push(`- line ${e.line}${e.column ? `, column ${e.column}` : ""}: ${e.message}`);
    lines.push("", "Fix the policy on the base branch, then re-run this check.", "");
  }

  const errors = input.analysis?.errors ?? [];
  if (errors.length > 0) {
    lines.push(`### Analysis failed`, "", "These files could not be read, so nothing about them is known. The check never passes on a partial read:", "");
    for (const e of errors.slice(0, 50)) lines.push(`- \`${e.file}\`: ${e.message}${e.retryable ? " (temporary — re-run)" : ""}`);
    lines.push("", "Use **Re-run analysis** above (or GitHub's re-run) to try again.", "");
  }

  if (d) {
    if (d.mode === "report-only") lines.push("_Report-only mode: the policy never blocks the merge._", "");
    for (const reason of d.blockReasons) lines.push(`- ⛔ ${reason}`);
    if (d.blockReasons.length > 0) lines.push("");
    if (d.rules.length > 0) {
      lines.push("### Gating rules", "", "| Rule | Status | Signed off by | Asked | |", "|---|---|---|---|---|");
      for (const rule of d.rules) lines.push(ruleRow(rule));
      lines.push("");
      const dismissed = d.rules.flatMap((r) => r.dismissed.map((x) => ({ ...x, rule: r.name })));
      const unique = new Map(dismissed.map((x) => [`${x.user}\0${x.reason}`, x]));
      if (unique.size > 0) {
        lines.push("Not counted:", "");
        for (const x of unique.values()) lines.push(`- @${x.user}: ${x.reason}`);
        lines.push("");
      }
    }
    if (input.refused && input.refused.length > 0) {
      lines.push("### Sign-off refused", "");
      for (const r of input.refused) lines.push(`- @${r.user} pressed **Sign off** but cannot sign off: ${r.reason}`);
      lines.push("");
    }
    if (d.outcome === "needs-signoff") {
      lines.push(
        (input.signoffButton === false
          ? "**How to sign off:** an eligible reviewer approves the pull request. "
          : "**How to sign off:** an eligible reviewer approves the pull request, or presses **Sign off** above. ") +
          "Eligible: a person (not an agent or bot), not the author or a committer of this pull request, with the required " +
          "repository permission and, where a rule names teams, an active member of one. A sign-off covers this head and " +
          "these findings; a push that changes the findings voids it.",
        "",
      );
    }
    if (d.reviewers.users.length + d.reviewers.teams.length > 0) {
      lines.push(`Review requested from ${[...d.reviewers.users.map((u) => `@${u}`), ...d.reviewers.teams.map((t) => `@${t}`)].join(", ")}.`, "");
    }
  }

  if (input.analysis) {
    lines.push(
      `Analysed ${count(input.analysis.analysed, "file")}; ${count(input.analysis.unclaimed, "changed file")} no analyzer claims (not read).` +
        (annotationCount > MAX_ANNOTATIONS ? ` Annotations show the first ${MAX_ANNOTATIONS} of ${annotationCount} findings.` : ""),
      "",
    );
  }

  const findings = [...input.findings].sort(compareFindings);
  if (findings.length > 0) {
    const gating = gatingKeys(d);
    lines.push("### Findings");
    let file: string | undefined;
    for (const f of findings) {
      if (f.file !== file) {
        file = f.file;
        lines.push("", `**\`${f.file}\`**`, "");
      }
      const rule = findRule(f.rule);
      const mark = gating.has(key(f)) ? "🛑" : "⚠️";
      lines.push(
        `- ${mark} line ${f.line}${f.side === "base" ? " (base)" : ""} · ${rule ? `[\`${f.rule}\`](${docsUrl(rule.docs)})` : `\`${f.rule}\``} · ${f.severity}${f.object ? ` · \`${f.object}\`` : ""} — ${oneLine(f.message, 300)}` +
          (f.acknowledged ? ` _(marked intended: ${oneLine(f.acknowledged, 80)} — still gates)_` : ""),
      );
      if (rule) {
        lines.push(`  - Why: ${oneLine(rule.why, 400)}`, `  - Instead: ${oneLine(rule.safeAlternative, 400)}`);
      }
    }
  } else if (input.policy.source !== "invalid" && errors.length === 0) {
    lines.push("No destructive change found.");
  }
  return lines;
}

function ruleRow(rule: RuleResult): string {
  const status = rule.status === "satisfied" ? "✅ satisfied" : rule.status === "blocked" ? "⛔ blocked" : "⏳ pending";
  const who = rule.counted.length > 0 ? rule.counted.map((c) => `@${c.user} (${c.via})`).join(", ") : "—";
  const asked = [...rule.from.teams.map((t) => `@${t}`), ...rule.from.users.map((u) => `@${u}`)].join(", ") || "any eligible reviewer";
  const need = rule.block ? rule.block : rule.reason;
  return `| ${cell(rule.name)} | ${status} | ${cell(who)} | ${cell(asked)} | ${cell(need)} |`;
}

function textFor(input: CheckRunInput, block: string): string {
  const lines: string[] = [];
  const d = input.decision;
  if (d && d.ignored.length > 0) {
    lines.push(`### Ignored by the policy (${d.ignored.length})`, "");
    for (const f of d.ignored) lines.push(`- \`${f.file}\`:${f.line} \`${f.rule}\` — ${oneLine(f.message, 200)}`);
    lines.push("");
  }
  const annotations = annotationsFor(input);
  if (annotations.length > MAX_ANNOTATIONS) {
    lines.push(`### Findings beyond the first ${MAX_ANNOTATIONS} annotations`, "");
    for (const a of annotations.slice(MAX_ANNOTATIONS)) lines.push(`- \`${a.path}\`:${a.start_line} ${a.title} — ${oneLine(a.message, 200)}`);
    lines.push("");
  }
  lines.push(`Digest of the gating findings: \`${d?.digest ?? "none"}\``);
  const room = OUTPUT_LIMIT - block.length - 2;
  return `${fit(lines, room)}\n\n${block}`.slice(0, OUTPUT_LIMIT);
}

function annotationsFor(input: CheckRunInput): Annotation[] {
  const out: Annotation[] = [];
  if (input.policy.source === "invalid") {
    for (const e of input.policy.errors ?? []) {
      const line = Math.max(1, e.line);
      out.push({
        path: input.policy.path,
        start_line: line,
        end_line: line,
        annotation_level: "failure",
        title: "Invalid changegate policy",
        message: clip(e.message, 60_000),
      });
    }
  }
  const gating = gatingKeys(input.decision);
  const ignored = new Set((input.decision?.ignored ?? []).map(key));
  for (const f of [...input.findings].sort(compareFindings)) {
    if (ignored.has(key(f))) continue;
    const rule = findRule(f.rule);
    const start = Math.max(1, f.line);
    const annotation: Annotation = {
      path: f.file === "." ? ".github" : f.file,
      start_line: start,
      end_line: Math.max(start, f.endLine ?? start),
      annotation_level: gating.has(key(f)) ? "failure" : "warning",
      title: clip(`${f.rule} (${f.severity})${f.object ? `: ${f.object}` : ""}`, 255),
      message: clip(f.side === "base" ? `${f.message} (line ${f.line} of the base version)` : f.message, 60_000),
    };
    if (rule) annotation.raw_details = clip(`Why: ${rule.why}\n\nInstead: ${rule.safeAlternative}`, 60_000);
    out.push(annotation);
  }
  return out;
}

/** Findings a rule gates (a sign-off rule, the built-in ones included, or a block), signed off or not; a labels-only rule gates nothing. */
function gatingKeys(decision: Decision | undefined): Set<string> {
  return new Set((decision?.rules ?? []).filter((r) => r.status === "blocked" || r.required > 0).flatMap((r) => r.findings.map(key)));
}

function key(f: Finding): string {
  return `${f.rule}\0${f.file}\0${f.line}\0${f.side}\0${f.object ?? ""}\0${f.message}`;
}

function verdict(conclusion: Conclusion): string {
  switch (conclusion) {
    case "success":
      return "✅ Nothing needs sign-off";
    case "neutral":
      return "ℹ️ Findings, none gating";
    case "action_required":
      return "⏳ Waiting for a qualified sign-off";
    default:
      return "⛔ Blocked";
  }
}

/** Joins lines, cutting at a line boundary with a note when over `limit`. */
export function fit(lines: readonly string[], limit: number): string {
  const full = lines.join("\n");
  if (full.length <= limit) return full;
  const note = (n: number) => `\n\n… ${n} more lines cut to stay within GitHub's ${OUTPUT_LIMIT.toLocaleString("en")}-character limit; the annotations and \`changegate scan\` show everything.`;
  let used = 0;
  let kept = 0;
  const reserve = note(lines.length).length;
  for (const line of lines) {
    if (used + line.length + 1 + reserve > limit) break;
    used += line.length + 1;
    kept++;
  }
  return `${lines.slice(0, kept).join("\n")}${note(lines.length - kept)}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

function oneLine(text: string, max: number): string {
  return clip(text.replace(/\s+/g, " ").trim(), max);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function cell(text: string): string {
  return oneLine(text, 300).replace(/\|/g, "\\|");
}
