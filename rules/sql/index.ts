import type { RuleMeta } from "../../src/model/rule.js";

/** Every `sql/*` rule, one file each. */
export const sqlRules: readonly RuleMeta[] = [];
