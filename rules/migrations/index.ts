import type { RuleMeta } from "../../src/model/rule.js";
import { prismaWarning } from "./prisma-warning.js";

/** Rules about migration files themselves (framework warnings and conventions), beyond the `sql/*` statements. */
export const migrationRules: readonly RuleMeta[] = [prismaWarning];
