import { configChange } from "./config-change.js";
import { incompleteAnalysis } from "./incomplete-analysis.js";

export const gateRules = [configChange, incompleteAnalysis] as const;
export { configChange, incompleteAnalysis };
