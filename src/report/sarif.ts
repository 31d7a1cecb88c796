import { ALL_RULES } from "../../rules/index.js";
import type { Finding, Severity } from "../model/finding.js";
import { docsUrl, REPOSITORY_URL, type RuleMeta } from "../model/rule.js";
import { findingKey, gatingKeys, ruleFor, type ReportInput } from "./input.js";

export const SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json";
const INFORMATION_URI = REPOSITORY_URL;

export interface SarifOptions {
  /** The tool version written to the log. */
  version?: string;
  /** Rule metadata to publish; default: the whole registry, so `ruleIndex` is stable across runs. */
  rules?: readonly RuleMeta[];
}

type SarifLevel = "error" | "warning" | "note";

const LEVEL: Record<Severity, SarifLevel> = { critical: "error", high: "error", medium: "warning", low: "note" };
/** GitHub code scanning ranks by `security-severity` (0–10). */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: "9.5", high: "8.0", medium: "5.5", low: "2.0" };

/** A SARIF 2.1.0 log with one run: the registry's rules as `tool.driver.rules`, one result per finding. */
export function toSarif(input: ReportInput, options: SarifOptions = {}): Record<string, unknown> {
  const rules = [...(options.rules ?? ALL_RULES)];
  const index = new Map(rules.map((r, i) => [r.id, i]));
  for (const f of input.findings) {
    if (!index.has(f.rule)) {
      index.set(f.rule, rules.length);
      rules.push(ruleFor(f.rule));
    }
  }
  const gating = gatingKeys(input.decision);
  return {
    $schema: SARIF_SCHEMA,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "changegate",
            informationUri: INFORMATION_URI,
            ...(options.version ? { version: options.version, semanticVersion: options.version } : {}),
            rules: rules.map(sarifRule),
          },
        },
        automationDetails: { id: "changegate/" },
        results: input.findings.map((f) => sarifResult(f, index.get(f.rule)!, gating.has(findingKey(f)))),
        properties: { base: input.base, head: input.head, outcome: input.decision.outcome, summary: input.decision.summary },
      },
    ],
  };
}

export function renderSarifReport(input: ReportInput, options: SarifOptions = {}): string {
  return JSON.stringify(toSarif(input, options), null, 2) + "\n";
}

function sarifRule(rule: RuleMeta): Record<string, unknown> {
  const markdown = [`**Why it matters.** ${rule.why}`, `**Safer alternative.** ${rule.safeAlternative}`].join("\n\n");
  return {
    id: rule.id,
    name: camel(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.why || rule.title },
    help: { text: `Why it matters: ${rule.why}\nSafer alternative: ${rule.safeAlternative}`, markdown },
    helpUri: docsUrl(rule.docs),
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: ["changegate", rule.category],
      precision: "high",
      "problem.severity": LEVEL[rule.severity] === "note" ? "recommendation" : LEVEL[rule.severity],
      "security-severity": SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      category: rule.category,
    },
  };
}

function sarifResult(f: Finding, ruleIndex: number, gates: boolean): Record<string, unknown> {
  const region: Record<string, number> = { startLine: f.line };
  if (f.endLine !== undefined) region.endLine = f.endLine;
  const properties: Record<string, unknown> = { severity: f.severity, category: f.category, side: f.side, gating: gates };
  if (f.object !== undefined) properties.object = f.object;
  if (f.acknowledged !== undefined) properties.acknowledged = f.acknowledged;
  if (f.rollback) properties.rollback = true;
  return {
    ruleId: f.rule,
    ruleIndex,
    level: LEVEL[f.severity],
    message: { text: f.side === "base" ? `${f.message} (line in the base revision)` : f.message },
    locations: [{ physicalLocation: { artifactLocation: { uri: encodeUriPath(f.file), uriBaseId: "%SRCROOT%" }, region } }],
    partialFingerprints: { "changegate/v1": fingerprint(f) },
    properties,
  };
}

/** Stable across line moves: rule, file, object and message. */
function fingerprint(f: Finding): string {
  const text = `${f.rule}\0${f.file}\0${f.object ?? ""}\0${f.message}`;
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

function camel(id: string): string {
  return id
    .split(/[/-]/)
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1) : part))
    .join("");
}

function encodeUriPath(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}
