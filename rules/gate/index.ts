/**
 * The `gate/*` rules (the gate itself): one file each, named after the rule, each listed once here.
 * `npm run new-rule -- gate/<name>` adds one.
 */
export { configChange } from "./config-change.js";
export { incompleteAnalysis } from "./incomplete-analysis.js";
