/** The policy engine: schema and loading, matching, the decision. Pure; callers do the I/O. */
export { agentCoAuthors, agentLoginSet, authorKindOf, BUILTIN_AGENT_LOGINS, coAuthorTrailers, isAgentLogin } from "./agents.js";
export { decide, LABEL_NEEDS_SIGNOFF, LABEL_SIGNED_OFF, MANAGED_LABELS, requiredLookups } from "./decide.js";
export type { DecideInput, FactsWithoutLookups, RequiredLookups } from "./decide.js";
export { findingsDigest } from "./digest.js";
export { effectiveRules, floorGaps } from "./floor.js";
export type { EffectiveRule, FloorGap } from "./floor.js";
export {
  DEFAULT_POLICY,
  DEFAULT_POLICY_PATH,
  DEFAULT_RULES,
  formatPolicyError,
  loadPolicy,
  parsePolicy,
  validatePolicyText,
} from "./load.js";
export type { LoadedPolicy, ParseResult, PolicyError } from "./load.js";
export { analysisOptionsFromPolicy } from "./options.js";
export { policyJsonSchema, policySchema } from "./schema.js";
export type { Policy, PolicyIgnore, PolicyRule } from "./schema.js";
export type * from "./types.js";
