/**
 * The Terraform / OpenTofu analyzer. Statically, the unit of work is a module directory: every
 * `.tf`, `.tofu`, `.tf.json` and `.tofu.json` file of each directory the change touches is read at base and
 * head (a non-recursive scope), its blocks keyed by address and the two sets compared
 * (diff.ts). Plans come as extra inputs (`scan --terraform-plan`, a CI artifact) or as files
 * committed under `paths.terraform_plans` (plan.ts). Pure: it never runs terraform.
 * A directory with .tofu files is compared twice, as Terraform reads it (no .tofu files) and as
 * OpenTofu does (a.tofu instead of a.tf), and the findings of both are reported.
 */
import { globMatcher } from "../../util/glob.js";
import { planIncomplete, unparsed } from "../../../rules/tf/index.js";
import type { Finding } from "../../model/finding.js";
import { finding } from "../../model/rule.js";
import type { Analyzer, ChangeSetInput, FileChange, FileText, Scope } from "../types.js";
import { compareModule, type ModuleSide } from "./diff.js";
import { parseTerraformFile, type ParsedFile } from "./hcl.js";
import { analyzePlan, analyzePlanText } from "./plan.js";
import { compareText } from "../../util/compare.js";

export const TERRAFORM_PLAN_INPUT = "terraform-plan";

export interface TerraformAnalyzerOptions {
  /** The policy's `paths.terraform` globs: more files to read as Terraform configuration. */
  paths?: readonly string[];
  /** The policy's `paths.terraform_plans` globs: plan files committed in the change. */
  planPaths?: readonly string[];
  /** The policy's `terraform.require_plan`: a change to Terraform configuration with no plan analysed is `tf/plan-incomplete`. */
  requirePlan?: boolean;
}

/** Files that are Terraform configuration by name. Provider caches under `.terraform/` are not. */
export function isTerraformConfig(path: string): boolean {
  if (/(^|\/)\.terraform\//.test(path)) return false;
  return /\.(tf|tofu)$/.test(path) || /\.(tf|tofu)\.json$/.test(path);
}

/** Matched by a `paths.terraform` glob but plainly not HCL (docs, scripts, images next to the modules). */
const NOT_CONFIG = /\.(md|markdown|txt|rst|adoc|ya?ml|sh|bash|ps1|py|rb|go|js|ts|png|jpe?g|gif|svg|pdf|lock|tfstate|backup|zip|gz|tgz)$|(^|\/)(LICENSE|NOTICE|CODEOWNERS|Makefile|\.gitignore)$/i;

export function createTerraformAnalyzer(options: TerraformAnalyzerOptions = {}): Analyzer {
  const extra = globMatcher(options.paths ?? [], { dot: true });
  const isPlan = globMatcher(options.planPaths ?? [], { dot: true });
  const isConfig = (path: string) => !isPlan(path) && (isTerraformConfig(path) || (extra(path) && !NOT_CONFIG.test(path) && !/\.json$/.test(path)) || (extra(path) && /\.(tf|tofu)\.json$/.test(path)));

  const analyzeAll = (input: ChangeSetInput): Finding[] => {
    const findings: Finding[] = [];
    for (const plan of input.inputs) findings.push(...analyzePlan(plan.path, plan.bytes));
    const configChanges: FileChange[] = [];
    let plans = input.inputs.length;
    for (const change of input.changes) {
      if (isPlan(change.path)) {
        // A committed plan is judged at the head side; deleting one changes nothing that runs.
        if (change.head) {
          plans++;
          findings.push(...analyzePlanText(change.path, change.head.text));
        }
      } else if (isConfig(change.path) || (change.previousPath !== undefined && isConfig(change.previousPath))) {
        configChanges.push(change);
      }
    }
    findings.push(...compareDirectories(configChanges, input.unchanged.filter((f) => isConfig(f.path))));
    const first = configChanges[0];
    if (options.requirePlan && plans === 0 && first) {
      findings.push(
        finding(planIncomplete, { file: first.path, line: 1, side: first.head ? "head" : "base" }, "The policy requires a Terraform plan (terraform.require_plan) and none was analysed for this change: what apply would do is unknown", {
          object: "terraform.require_plan",
          statement: "terraform.require_plan: no plan",
        }),
      );
    }
    return findings;
  };

  return {
    id: "terraform",
    unparsedRule: unparsed,
    inputKinds: [TERRAFORM_PLAN_INPUT],
    claims: (path) => isConfig(path) || isPlan(path),
    scopes({ claimed }): Scope[] {
      const dirs = new Set<string>();
      for (const file of claimed) {
        for (const path of [file.path, file.previousPath]) if (path !== undefined && isConfig(path)) dirs.add(dirname(path));
      }
      return [...dirs].map((dir) => ({ dir, recursive: false, include: isConfig }));
    },
    analyze: (change) => analyzeAll({ changes: [change], unchanged: [], scopes: [], inputs: [] }),
    analyzeAll,
  };
}

/** Groups the change by directory (base and head sides apart: a rename may cross directories) and compares each. */
function compareDirectories(changes: readonly FileChange[], unchanged: readonly FileText[]): Finding[] {
  const findings: Finding[] = [];
  const sides = new Map<string, { base: FileText[]; head: FileText[]; changedBase: Set<string>; changedHead: Set<string> }>();
  const sideOf = (dir: string) => {
    let entry = sides.get(dir);
    if (!entry) sides.set(dir, (entry = { base: [], head: [], changedBase: new Set(), changedHead: new Set() }));
    return entry;
  };
  for (const change of changes) {
    if (change.base) {
      const entry = sideOf(dirname(change.base.path));
      entry.base.push(change.base);
      entry.changedBase.add(change.base.path);
    }
    if (change.head) {
      const entry = sideOf(dirname(change.head.path));
      entry.head.push(change.head);
      entry.changedHead.add(change.head.path);
    }
  }
  // Unchanged files are parsed once and count at both sides.
  const parsedUnchanged = new Map<string, ParsedFile>();
  for (const file of unchanged) {
    const entry = sides.get(dirname(file.path));
    if (!entry) continue;
    parsedUnchanged.set(file.path, parseTerraformFile(file.path, file.text));
  }

  for (const [dir, entry] of [...sides].sort(([a], [b]) => compareText(a, b))) {
    const own = unchanged.filter((f) => dirname(f.path) === dir).map((f) => parsedUnchanged.get(f.path)!);
    const side = (texts: FileText[], changed: Set<string>, label: "base" | "head"): ModuleSide => {
      const parsed = [...texts.map((t) => parseTerraformFile(t.path, t.text)), ...own];
      const result: ModuleSide = { blocks: [], files: parsed.map((p) => p.path), unparsed: new Set() };
      for (const file of parsed) {
        result.blocks.push(...file.blocks);
        if (!file.error) continue;
        result.unparsed.add(file.path);
        // Only files of the change are reported: an unchanged file that does not parse is the same at both sides.
        if (changed.has(file.path) && (label === "head" || !entry.head.some((h) => h.path === file.path))) {
          findings.push(
            finding(unparsed, { file: file.path, line: file.error.line, side: label }, `Could not parse ${file.path} as Terraform (${file.error.reason}): its blocks were not checked`, {
              object: file.path,
              statement: `unparsed ${file.path}: ${file.error.reason}`,
            }),
          );
        }
      }
      return result;
    };
    const base = side(entry.base, entry.changedBase, "base");
    const head = side(entry.head, entry.changedHead, "head");
    if (!base.files.some(isTofuFile) && !head.files.some(isTofuFile)) {
      findings.push(...compareModule(dir, base, head));
      continue;
    }
    // Terraform ignores .tofu files; OpenTofu reads a .tofu file instead of the .tf file of the same
    // name. Which tool applies the module is not in the repository, so it is judged as both read it.
    const seen = new Set<string>();
    for (const reading of [terraformReading, openTofuReading]) {
      for (const found of compareModule(dir, reading(base), reading(head))) {
        const key = `${found.rule} ${found.file}:${found.line} ${found.object ?? ""} ${found.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        findings.push(found);
      }
    }
  }
  return findings;
}

function isTofuFile(path: string): boolean {
  return /\.tofu(\.json)?$/.test(path);
}

/** The module as Terraform reads it: no .tofu files. */
function terraformReading(side: ModuleSide): ModuleSide {
  return only(side, (path) => !isTofuFile(path));
}

/** The module as OpenTofu reads it: a.tofu replaces a.tf, a.tofu.json replaces a.tf.json. */
function openTofuReading(side: ModuleSide): ModuleSide {
  const files = new Set(side.files);
  return only(side, (path) => !(/\.tf(\.json)?$/.test(path) && files.has(path.replace(/\.tf(\.json)?$/, ".tofu$1"))));
}

function only(side: ModuleSide, keep: (path: string) => boolean): ModuleSide {
  return { blocks: side.blocks.filter((block) => keep(block.file)), files: side.files.filter(keep), unparsed: new Set([...side.unparsed].filter(keep)) };
}

function dirname(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash);
}
