/**
 * The `tf/*` rules (Terraform and OpenTofu): one file each, named after the rule, each listed once here.
 * `npm run new-rule -- tf/<name>` adds one.
 */
export { backendChange } from "./backend-change.js";
export { countShrink } from "./count-shrink.js";
export { destroy } from "./destroy.js";
export { moduleRemoved } from "./module-removed.js";
export { planIncomplete } from "./plan-incomplete.js";
export { protectionRemoved } from "./protection-removed.js";
export { replace } from "./replace.js";
export { unparsed } from "./unparsed.js";
