import type { Severity } from "../model/finding.js";
import { docsUrl } from "../model/rule.js";
import type { RuleResult } from "../policy/types.js";
import {
  describeRequirement,
  findingKey,
  gatingKeys,
  groupByFile,
  plural,
  quotedLines,
  ruleFor,
  shortSha,
  type ReportInput,
} from "./input.js";

export interface TextOptions {
  /** ANSI colours; the CLI turns them on for a TTY, honouring NO_COLOR and FORCE_COLOR. */
  color?: boolean;
  /** Wrap prose at this many columns. */
  width?: number;
}

type Style = (text: string) => string;

interface Palette {
  bold: Style;
  dim: Style;
  red: Style;
  yellow: Style;
  green: Style;
  cyan: Style;
  magenta: Style;
}

function palette(color: boolean): Palette {
  const wrap =
    (open: number, close: number): Style =>
    (text) =>
      color ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    bold: wrap(1, 22),
    dim: wrap(2, 22),
    red: wrap(31, 39),
    yellow: wrap(33, 39),
    green: wrap(32, 39),
    cyan: wrap(36, 39),
    magenta: wrap(35, 39),
  };
}

/** Whether to colour output written to `stream`: NO_COLOR wins, then FORCE_COLOR, then "is it a terminal". */
export function shouldColor(stream: { isTTY?: boolean }, env: Record<string, string | undefined> = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

/**
 * The report a person reads in a terminal: findings grouped by file with the lines they point at,
 * each rule's "why" and "instead" once per run (at its first finding), then the decision.
 */
export function renderTextReport(input: ReportInput, options: TextOptions = {}): string {
  const c = palette(options.color ?? false);
  const width = Math.max(40, options.width ?? 100);
  const out: string[] = [];
  const severityStyle: Record<Severity, Style> = {
    critical: (t) => c.bold(c.red(t)),
    high: c.red,
    medium: c.yellow,
    low: c.dim,
  };

  const baseText = input.baseLabel ? `${shortSha(input.base)} (${input.baseLabel})` : shortSha(input.base);
  const headText = input.headLabel && input.headLabel !== input.head ? `${shortSha(input.head)} (${input.headLabel})` : shortSha(input.head);
  out.push(`${c.bold("changegate")}  base ${baseText} → head ${headText}`);
  if (input.policy) out.push(c.dim(describePolicy(input.policy)));
  if (input.files) {
    const claimed = input.files.length;
    const rest = input.unclaimed ?? 0;
    out.push(c.dim(`${plural(claimed, "file")} analysed${rest > 0 ? `, ${plural(rest, "other changed file")} not relevant to any analyzer` : ""}`));
  }
  out.push("");

  if (input.policy?.source === "invalid") {
    out.push(c.red(c.bold(`The policy ${input.policy.path} is invalid:`)));
    for (const e of input.policy.errors ?? []) {
      const at = e.line !== undefined ? `${input.policy.path}:${e.line}${e.column !== undefined ? `:${e.column}` : ""}: ` : "";
      out.push(`  ${at}${e.message}`);
    }
    out.push("");
  }

  const gating = gatingKeys(input.decision);
  const explained = new Set<string>();
  if (input.findings.length === 0) {
    out.push(c.green("No destructive changes found."));
    out.push("");
  }
  for (const [file, findings] of groupByFile(input.findings)) {
    out.push(c.bold(c.cyan(file)));
    for (const f of findings) {
      const rule = ruleFor(f.rule);
      const sev = severityStyle[f.severity](f.severity.toUpperCase().padEnd(8));
      const where = `${f.side === "base" ? "base " : ""}line ${f.line}${f.endLine ? `-${f.endLine}` : ""}`;
      const tags: string[] = [];
      if (gating.has(findingKey(f))) tags.push(c.bold("gates"));
      if (f.rollback) tags.push("rollback");
      if (f.acknowledged) tags.push(`acknowledged: ${f.acknowledged}`);
      const tagText = tags.length > 0 ? `  ${c.dim("[")}${tags.join(c.dim(", "))}${c.dim("]")}` : "";
      out.push(`  ${sev} ${c.bold(f.rule)}  ${c.dim(where)}${f.object ? `  ${f.object}` : ""}${tagText}`);
      for (const q of quotedLines(input, f)) {
        out.push(`    ${c.dim(String(q.line).padStart(5))} ${c.dim("│")} ${truncate(q.text.replace(/\t/g, "  "), width - 14)}`);
      }
      if ((f.endLine ?? f.line) - f.line >= 6 && input.lines) out.push(`    ${c.dim("      │ …")}`);
      out.push(...wrap(f.message, width, "    "));
      if (f.rollback) {
        out.push(`    ${c.dim("rollback code: it runs only when the migration is reverted")}`);
      } else if (!explained.has(rule.id) && (rule.why || rule.safeAlternative)) {
        explained.add(rule.id);
        if (rule.why) out.push(...wrap(rule.why, width, "    ", `${c.magenta("why")}      `));
        if (rule.safeAlternative) out.push(...wrap(rule.safeAlternative, width, "    ", `${c.green("instead")}  `));
        if (rule.docs.includes("#")) out.push(`    ${c.dim("docs")}     ${c.dim(docsUrl(rule.docs))}`);
      }
      out.push("");
    }
  }

  out.push(...renderDecision(input, c, width));
  return out.join("\n") + "\n";
}

function renderDecision(input: ReportInput, c: Palette, width: number): string[] {
  const d = input.decision;
  const out: string[] = [];
  const verdict =
    d.outcome === "pass" ? c.green(c.bold("PASS")) : d.outcome === "blocked" ? c.red(c.bold("BLOCKED")) : c.yellow(c.bold("NEEDS SIGN-OFF"));
  out.push(`${c.bold("Decision:")} ${verdict}${d.mode === "report-only" ? c.dim(" (report-only mode: never blocks)") : ""}`);
  if (d.summary) out.push(...wrap(d.summary, width, "  "));
  for (const rule of d.rules) out.push(...wrap(describeRule(rule), width, "    ", `${ruleMark(rule, c)} `));
  for (const reason of d.blockReasons) {
    if (!d.rules.some((r) => r.block === reason)) out.push(...wrap(reason, width, "    ", `${c.red("✗")} `));
  }
  if (d.nonGating.length > 0) {
    out.push(`  ${c.dim(`${plural(d.nonGating.length, "finding")} shown for information: no rule gates ${d.nonGating.length === 1 ? "it" : "them"}.`)}`);
  }
  if (d.ignored.length > 0) out.push(`  ${c.dim(`${plural(d.ignored.length, "finding")} ignored by the policy's ignore entries.`)}`);
  if (d.outcome === "needs-signoff") {
    out.push(`  ${c.dim("Open a pull request: the changegate check waits there for the sign-offs above.")}`);
  }
  return out;
}

function ruleMark(rule: RuleResult, c: Palette): string {
  return rule.status === "satisfied" ? c.green("✓") : rule.status === "blocked" ? c.red("✗") : c.yellow("●");
}

function describeRule(rule: RuleResult): string {
  const count = plural(rule.findings.length, "finding");
  if (rule.status === "blocked") return `${rule.name}: blocked — ${rule.block ?? rule.reason} (${count})`;
  const state = rule.reason || (rule.status === "satisfied" ? "satisfied" : `needs ${describeRequirement(rule.required, rule.from)}`);
  const parts = [`${rule.name}: ${state}`, count];
  if (rule.from.teams.length > 0 || rule.from.users.length > 0) parts.push(`from ${[...rule.from.teams, ...rule.from.users].map((w) => `@${w}`).join(" or ")}`);
  if (rule.counted.length > 0) parts.push(`signed off by ${rule.counted.map((c) => `@${c.user}`).join(", ")}`);
  for (const d of rule.dismissed) parts.push(`@${d.user} not counted: ${d.reason}`);
  return parts.join(" · ");
}

export function describePolicy(policy: NonNullable<ReportInput["policy"]>): string {
  const where = policy.from === "disk" ? `${policy.path} (from disk)` : `${policy.path} at the base revision`;
  if (policy.source === "default") return `policy: built-in default (no ${where})`;
  if (policy.source === "invalid") return `policy: ${where} is INVALID`;
  if (policy.defaults === false) return `policy: ${where} (defaults: false, no built-in rules)`;
  if (policy.defaults === true) return `policy: ${where}, plus the built-in rules`;
  return `policy: ${where}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(1, max - 1))}…`;
}

/** Wraps prose at `width`; the first line carries `label` (already styled), the rest are indented to match. */
function wrap(text: string, width: number, indent: string, label = ""): string[] {
  // eslint-disable-next-line no-control-regex
  const labelWidth = label.replace(/\u001b\[[0-9;]*m/g, "").length;
  const pad = indent + " ".repeat(labelWidth);
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let current = "";
  for (const word of words) {
    if (current !== "" && pad.length + current.length + 1 + word.length > width) {
      lines.push(current);
      current = word;
    } else {
      current = current === "" ? word : `${current} ${word}`;
    }
  }
  if (current !== "") lines.push(current);
  return lines.map((line, i) => (i === 0 ? `${indent}${label}${line}` : `${pad}${line}`));
}

