import type { RuleMeta } from "../../src/model/rule.js";
import { backendChange } from "./backend-change.js";
import { countShrink } from "./count-shrink.js";
import { destroy } from "./destroy.js";
import { moduleRemoved } from "./module-removed.js";
import { planIncomplete } from "./plan-incomplete.js";
import { protectionRemoved } from "./protection-removed.js";
import { replace } from "./replace.js";
import { unparsed } from "./unparsed.js";

/** Terraform and OpenTofu: the HCL diff and plans. */
export const tfRules: readonly RuleMeta[] = [destroy, replace, protectionRemoved, moduleRemoved, countShrink, backendChange, planIncomplete, unparsed];
export { backendChange, countShrink, destroy, moduleRemoved, planIncomplete, protectionRemoved, replace, unparsed };
