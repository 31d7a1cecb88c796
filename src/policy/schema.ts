/**
 * The policy file `.github/changegate.yml` (DESIGN §3) as a zod schema. The schema is the single
 * source of truth: `Policy` is what it parses to (defaults filled in), and `policyJsonSchema()`
 * is what editors validate against (committed as `schema/changegate.schema.json`; a test keeps the
 * two equal). Checks JSON Schema cannot express (globs, known rule ids, a rule that both blocks
 * and requires sign-off) live in `load.ts`, with line and column.
 */
import { z } from "zod";
import { SQL_DIALECTS } from "../analyzers/types.js";
import { SEVERITIES } from "../model/finding.js";

export const POLICY_VERSION = 1;
export const MODES = ["enforce", "report-only"] as const;
export const AUTHOR_CONDITIONS = ["any", "human", "agent", "bot"] as const;
export const INVALIDATE_MODES = ["on_relevant_change", "on_any_push"] as const;
/** Permissions a policy may require of a signer. `read` and `none` are never enough to sign off. */
export const SIGNOFF_PERMISSIONS = ["triage", "write", "maintain", "admin"] as const;

const globList = (what: string) =>
  z
    .array(z.string().min(1, "a glob cannot be empty").describe(what))
    .describe(`${what} (anchored picomatch globs, matched against repository-relative paths)`);

const idList = z
  .array(z.string().min(1, "a finding id cannot be empty"))
  .min(1, "list at least one finding id or glob")
  .describe('Finding ids or id globs, e.g. "sql/drop-table", "sql/drop-*", "tf/*".');

const teamSlug = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*\/[A-Za-z0-9_.-]+$/, 'a team is written "org/team-slug"')
  .describe('A team as "org/team-slug".');

const login = z
  .string()
  .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/, "not a GitHub user login")
  .describe("A GitHub user login (bots and apps can never sign off).");

const agentLogin = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9-]*(?:\[bot\])?$/, "not a GitHub login")
  .describe('A GitHub login, "name[bot]" for apps.');

const labelName = z.string().min(1).max(50, "GitHub labels are at most 50 characters").describe("A label name.");

export const whenSchema = z
  .strictObject({
    findings: idList.optional(),
    severity: z.enum(SEVERITIES).optional().describe("Match findings of at least this severity."),
    author: z.enum(AUTHOR_CONDITIONS).default("any").describe("Who opened the pull request: human, agent (a coding agent), bot, or any."),
    paths: globList("Match findings in files matching one of these globs").optional(),
    base_branches: z
      .array(z.string().min(1))
      .min(1)
      .optional()
      .describe('Match only pull requests into these base branches (globs, e.g. "main", "release/*").'),
  })
  .describe("Conditions; all that are given must hold. A finding matches when its id, severity and file match.");

export const requireSchema = z
  .strictObject({
    approvals: z.number().int().min(1).max(10).default(1).describe("Sign-offs needed from distinct eligible people."),
    from: z
      .strictObject({
        teams: z.array(teamSlug).default([]),
        users: z.array(login).default([]),
      })
      .optional()
      .describe("Only members of these teams or these users count. Omitted: any eligible person."),
  })
  .describe("Sign-off needed before merge.");

export const ruleSchema = z
  .strictObject({
    name: z.string().min(1).max(100).describe("Shown in the check run; unique within the policy."),
    when: whenSchema.default({ author: "any" }),
    require: requireSchema.optional(),
    block: z
      .string()
      .min(1)
      .optional()
      .describe("Never allow the matched change: the message says what to do instead. Cannot be signed off."),
    labels: z.array(labelName).default([]).describe("Labels applied while the rule matches (removed when it no longer does)."),
    request_review: z.boolean().default(false).describe("Request reviews from the users and teams in require.from."),
  })
  .describe("A rule: which findings it matches and what they need.");

export const ignoreSchema = z
  .strictObject({
    findings: idList.optional(),
    paths: globList("Files whose findings are ignored").optional(),
    reason: z.string().optional().describe("Why: shown next to the ignored findings."),
  })
  .describe("Findings to drop before rules apply: all given conditions must hold. gate/* findings are never ignored.");

export const pathsSchema = z
  .strictObject({
    sql: globList("More SQL migration files").default([]),
    terraform: globList("More Terraform files").default([]),
    terraform_plans: globList("Terraform plan files committed in the change (terraform show -json output, or terraform plan text)").default([]),
    kubernetes: globList("More Kubernetes manifests").default([]),
    exclude: globList("Files never analysed (the gate's own files excepted)").default([]),
  })
  .describe("Path globs added to the built-in framework globs.");

export const policySchema = z
  .strictObject({
    version: z.literal(POLICY_VERSION).describe("The policy format version: 1."),
    mode: z.enum(MODES).default("enforce").describe("enforce, or report-only (never blocks: for rollout)."),
    paths: pathsSchema.default({ sql: [], terraform: [], terraform_plans: [], kubernetes: [], exclude: [] }),
    sql: z
      .strictObject({ dialect: z.enum(SQL_DIALECTS).default("postgresql") })
      .default({ dialect: "postgresql" })
      .describe("How .sql files are parsed."),
    terraform: z
      .strictObject({
        plan_artifact: z
          .string()
          .min(1)
          .max(256)
          .optional()
          .describe("The name of the workflow artifact holding `terraform show -json` output for the pull request's head commit."),
        require_plan: z
          .boolean()
          .default(false)
          .describe("Hold the check (action_required) until the plan artifact for the current head commit has been analysed."),
      })
      .default({ require_plan: false })
      .describe("Terraform plans produced by the repository's CI."),
    agents: z
      .strictObject({
        logins: z.array(agentLogin).default([]).describe("Coding-agent logins on top of the built-in list."),
        extra_approvals: z.number().int().min(0).max(5).default(0).describe("Extra sign-offs every requiring rule needs on agent-authored pull requests."),
      })
      .default({ logins: [], extra_approvals: 0 }),
    signoff: z
      .strictObject({
        invalidate: z
          .enum(INVALIDATE_MODES)
          .default("on_relevant_change")
          .describe("on_relevant_change: a sign-off survives pushes while the gating findings are unchanged; on_any_push: never."),
        min_permission: z.enum(SIGNOFF_PERMISSIONS).default("write").describe("The least repository permission a signer needs."),
      })
      .default({ invalidate: "on_relevant_change", min_permission: "write" }),
    defaults: z
      .boolean()
      .default(true)
      .describe(
        "true: the built-in rules are a floor that rules add to (every high or critical finding needs one sign-off; on agent-authored pull requests, medium ones too). false: only the rules here apply (gate/* findings always gate).",
      ),
    rules: z
      .array(ruleSchema)
      .default([])
      .describe("The repository's rules, evaluated beside the built-in ones (unless defaults: false); each gates on its own."),
    ignore: z.array(ignoreSchema).default([]),
  })
  .describe("changegate policy (.github/changegate.yml), read from the pull request's base branch.");

export type PolicyRule = z.output<typeof ruleSchema>;
export type PolicyIgnore = z.output<typeof ignoreSchema>;
/**
 * A parsed policy with every default filled in. `rules` are the repository's own; the built-in
 * rules (`DEFAULT_RULES`) apply beside them unless `defaults` is false.
 */
export type Policy = z.output<typeof policySchema>;

export const JSON_SCHEMA_ID = "https://raw.githubusercontent.com/changegate/changegate/main/schema/changegate.schema.json";

/** The JSON Schema committed as `schema/changegate.schema.json` (input side: defaulted keys are optional). */
export function policyJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(policySchema, { io: "input", target: "draft-2020-12" }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: JSON_SCHEMA_ID, title: "changegate policy", ...rest };
}
