import type { Finding } from "../model/finding.js";
import { docsUrl } from "../model/rule.js";
import type { RuleResult } from "../policy/types.js";
import { describePolicy } from "./text.js";
import { describeRequirement, findingKey, gatingKeys, groupByFile, plural, quotedLines, ruleFor, shortSha, type ReportInput } from "./input.js";

/** GitHub's limit for a check run's summary and text. */
export const GITHUB_TEXT_LIMIT = 65_535;

export interface MarkdownOptions {
  /** The result never exceeds this many characters; what does not fit is cut at a block boundary and the cut is said. */
  maxLength?: number;
  /** Heading level of the title (default 2); sections are one level below. */
  headingLevel?: number;
  /** Leave out the title line (the check run shows its own title). */
  omitTitle?: boolean;
}

const SEVERITY_ICON: Record<Finding["severity"], string> = { critical: "🛑", high: "🔴", medium: "🟠", low: "⚪" };
const OUTCOME_ICON = { pass: "✅", "needs-signoff": "⏳", blocked: "⛔" } as const;
const OUTCOME_WORD = { pass: "Pass", "needs-signoff": "Needs sign-off", blocked: "Blocked" } as const;

/**
 * The Markdown report (CLI `--format markdown`, reusable as a check run's summary): verdict, the
 * gating rules as a table, then the findings grouped by file with the quoted lines and, once per
 * rule, why it matters and the safer alternative. Blocks are added in order while they fit under
 * `maxLength`; the rest is replaced by a note saying how much was cut.
 */
export function renderMarkdownReport(input: ReportInput, options: MarkdownOptions = {}): string {
  const max = options.maxLength ?? GITHUB_TEXT_LIMIT;
  const h = Math.min(5, Math.max(1, options.headingLevel ?? 2));
  const hashes = (extra: number) => "#".repeat(Math.min(6, h + extra));
  const d = input.decision;

  const head: string[] = [];
  if (!options.omitTitle) head.push(`${hashes(0)} ${OUTCOME_ICON[d.outcome]} changegate: ${OUTCOME_WORD[d.outcome]}`, "");
  if (d.summary) head.push(escapeInline(d.summary), "");
  const meta = [`base \`${shortSha(input.base)}\`${input.baseLabel ? ` (${escapeInline(input.baseLabel)})` : ""}`, `head \`${shortSha(input.head)}\``];
  if (input.policy) meta.push(escapeInline(describePolicy(input.policy)));
  if (d.mode === "report-only") meta.push("report-only mode: never blocks");
  head.push(meta.join(" · "), "");

  if (input.policy?.source === "invalid") {
    head.push(`**The policy \`${input.policy.path}\` is invalid:**`, "");
    for (const e of input.policy.errors ?? []) head.push(`- ${e.line !== undefined ? `line ${e.line}: ` : ""}${escapeInline(e.message)}`);
    head.push("");
  }
  if (d.blockReasons.length > 0) {
    head.push("**Blocked:**", "", ...d.blockReasons.map((r) => `- ${escapeInline(r)}`), "");
  }
  if (d.rules.length > 0) {
    head.push(`${hashes(1)} Rules`, "", "| | Rule | Needs | Signed off | Findings |", "|---|---|---|---|---|");
    for (const rule of d.rules) head.push(ruleRow(rule));
    head.push("");
    const dismissed = d.rules.flatMap((r) => r.dismissed.map((x) => `- @${x.user}: ${escapeInline(x.reason)}`));
    if (dismissed.length > 0) head.push("Sign-offs that did not count:", "", ...dismissed, "");
  }

  const blocks: { text: string; findings: number }[] = [];
  const gating = gatingKeys(d);
  const explained = new Set<string>();
  const groups = groupByFile(input.findings);
  if (groups.length > 0) blocks.push({ text: `${hashes(1)} Findings\n`, findings: 0 });
  else blocks.push({ text: "No destructive changes found.\n", findings: 0 });
  for (const [file, findings] of groups) {
    blocks.push({ text: `${hashes(2)} \`${file}\`\n`, findings: 0 });
    for (const f of findings) {
      blocks.push({ text: findingBlock(input, f, gating.has(findingKey(f)), explained), findings: 1 });
    }
  }
  const tail: string[] = [];
  if (d.nonGating.length > 0) tail.push(`${plural(d.nonGating.length, "finding")} shown for information: no rule gates ${d.nonGating.length === 1 ? "it" : "them"}.`);
  if (d.ignored.length > 0) tail.push(`${plural(d.ignored.length, "finding")} ignored by the policy.`);
  if (input.unclaimed) tail.push(`${plural(input.unclaimed, "changed file")} not relevant to any analyzer.`);
  if (tail.length > 0) blocks.push({ text: `\n${tail.map((t) => `_${t}_`).join("  \n")}\n`, findings: 0 });

  return assemble(head.join("\n") + "\n", blocks, input.findings.length, max);
}

function assemble(head: string, blocks: { text: string; findings: number }[], total: number, max: number): string {
  const full = head + blocks.map((b) => b.text).join("\n");
  if (full.length <= max) return full;

  const note = (shown: number, cutAt: number) =>
    `\n\n---\n**Report cut at ${cutAt.toLocaleString("en-US")} characters** to stay under ${max.toLocaleString("en-US")}: ` +
    `${shown} of ${plural(total, "finding")} shown. Run \`changegate scan\` on the branch for the full list.\n`;
  // Reserve room for the longest possible note.
  const reserve = note(total, max).length;
  let out = head;
  let shown = 0;
  if (out.length + reserve > max) {
    out = out.slice(0, Math.max(0, max - reserve));
  } else {
    for (const block of blocks) {
      const next = out + (out === head ? "" : "\n") + block.text;
      if (next.length + reserve > max) break;
      out = next;
      shown += block.findings;
    }
  }
  const result = out.trimEnd() + note(shown, out.length);
  return result.length <= max ? result : result.slice(0, max);
}

function findingBlock(input: ReportInput, f: Finding, gates: boolean, explained: Set<string>): string {
  const rule = ruleFor(f.rule);
  const where = f.side === "base" ? `base line ${f.line}` : `line ${f.line}`;
  const range = f.endLine ? `${where}–${f.endLine}` : where;
  const tags = [gates ? "**gates**" : "", f.rollback ? "rollback" : "", f.acknowledged ? `acknowledged: ${escapeInline(f.acknowledged)}` : ""].filter(Boolean);
  const lines = [
    `- ${SEVERITY_ICON[f.severity]} **${f.severity}** \`${f.rule}\` · ${range}${f.object ? ` · \`${f.object.replace(/`/g, "'")}\`` : ""}${tags.length ? ` · ${tags.join(" · ")}` : ""}  `,
    `  ${escapeInline(f.message)}`,
  ];
  const quoted = quotedLines(input, f);
  if (quoted.length > 0) {
    const body = quoted.map((q) => q.text).join("\n");
    const fence = body.includes("```") ? "~~~~" : "```";
    lines.push(`  ${fence}${f.file.endsWith(".sql") ? "sql" : ""}`, ...quoted.map((q) => `  ${q.text}`), `  ${fence}`);
  }
  if (!explained.has(rule.id) && (rule.why || rule.safeAlternative)) {
    explained.add(rule.id);
    lines.push(
      `  <details><summary>Why <code>${rule.id}</code> matters, and the safer way</summary>`,
      "",
      `  ${escapeInline(rule.why)}`,
      "",
      `  **Instead:** ${escapeInline(rule.safeAlternative)}`,
      "",
      `  [More on \`${rule.id}\`](${docsUrl(rule.docs)})`,
      "  </details>",
    );
  }
  return lines.join("\n") + "\n";
}

function ruleRow(rule: RuleResult): string {
  const mark = rule.status === "satisfied" ? "✅" : rule.status === "blocked" ? "⛔" : "⏳";
  const needs = rule.status === "blocked" ? `blocked: ${rule.block ?? rule.reason}` : describeRequirement(rule.required, rule.from);
  const counted = rule.counted.length > 0 ? rule.counted.map((c) => `@${c.user}`).join(", ") : "—";
  return `| ${mark} | ${cell(rule.name)} | ${cell(needs)} | ${cell(counted)} | ${rule.findings.length} |`;
}

function cell(text: string): string {
  return escapeInline(text).replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** Keeps user-controlled text (messages, names) from opening HTML or mentioning people. */
function escapeInline(text: string): string {
  return text.replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/@(?=[A-Za-z0-9])/g, "@\u200b");
}
