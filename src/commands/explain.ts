import { ALL_RULES, closeRuleIds, findRule } from "../../rules/index.js";
import { docsUrl, exampleText, type RuleExample, type RuleMeta } from "../model/rule.js";
import { EXIT_PASS, EXIT_USAGE, type CommandIo } from "./io.js";

/**
 * `changegate explain RULE_ID`: the rule's record as a person reads it; an unknown id lists the
 * close matches. Without an id: every rule, one line each.
 */
export async function explainCommand(id: string | undefined, io: CommandIo): Promise<number> {
  if (id === undefined) {
    io.stdout.write(renderRuleList(ALL_RULES));
    return EXIT_PASS;
  }
  const rule = findRule(id) ?? findRule(id.trim().toLowerCase());
  if (!rule) {
    const close = closeRuleIds(id);
    const hint =
      close.length > 0
        ? `Did you mean:\n${close.map((c) => `  ${c}`).join("\n")}\n`
        : `Rule ids look like sql/drop-table; \`changegate explain\` lists them all (and ${docsUrl("docs/rules.md")}).\n`;
    io.stderr.write(`changegate: unknown rule id "${id}".\n${hint}`);
    return EXIT_USAGE;
  }
  io.stdout.write(renderRule(rule, id));
  return EXIT_PASS;
}

export function renderRule(rule: RuleMeta, askedFor = rule.id): string {
  const out: string[] = [];
  out.push(`${rule.id} — ${rule.title}`);
  if (askedFor !== rule.id) out.push(`(${askedFor} is an alias of ${rule.id})`);
  out.push("");
  out.push(`Severity:  ${rule.severity}`);
  out.push(`Category:  ${rule.category}`);
  if (rule.aliases && rule.aliases.length > 0) out.push(`Aliases:   ${rule.aliases.join(", ")}`);
  if (rule.deprecated) {
    out.push(`Deprecated since ${rule.deprecated.since}: ${rule.deprecated.reason} Use ${rule.deprecated.replacedBy.join(", ")}.`);
  }
  out.push("", "Why it matters", ...wrap(rule.why), "", "Safer alternative", ...wrap(rule.safeAlternative));
  const block = (title: string, examples: readonly RuleExample[]) => {
    if (examples.length === 0) return;
    out.push("", title);
    for (const example of examples) {
      const lines = exampleText(example).trimEnd().split("\n");
      out.push(...lines.map((line, i) => `  ${i === 0 ? "-" : " "} ${line}`));
    }
  };
  block("Fires on", rule.examples.fires);
  block("Does not fire on", rule.examples.passes);
  out.push("", `Docs: ${docsUrl(rule.docs)}`);
  return out.join("\n") + "\n";
}

/** Every rule: id, default severity and title, one line each, then where to read more. */
export function renderRuleList(rules: readonly RuleMeta[]): string {
  const idWidth = Math.max(...rules.map((r) => r.id.length));
  const severityWidth = Math.max(...rules.map((r) => r.severity.length));
  const out = [`${rules.length} rules (id, default severity, what it finds):`, ""];
  for (const rule of rules) {
    const note = rule.deprecated ? ` (deprecated: use ${rule.deprecated.replacedBy.join(", ")})` : "";
    out.push(`  ${rule.id.padEnd(idWidth)}  ${rule.severity.padEnd(severityWidth)}  ${rule.title}${note}`);
  }
  out.push("", "changegate explain RULE_ID prints one rule: why it matters, the safer alternative, examples.", `Docs: ${docsUrl("docs/rules.md")}`);
  return out.join("\n") + "\n";
}

function wrap(text: string, width = 96, indent = "  "): string[] {
  const lines: string[] = [];
  let current = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (current !== "" && indent.length + current.length + 1 + word.length > width) {
      lines.push(indent + current);
      current = word;
    } else current = current === "" ? word : `${current} ${word}`;
  }
  if (current !== "") lines.push(indent + current);
  return lines;
}
