/**
 * The policy file's limits, the default policy and reading the file through the caller's reader.
 * Everything here loads without the YAML parser or the schema: `loadPolicy` imports load.ts (which
 * holds them) only when there is a file to parse, so a scan of a repository without a policy file
 * never compiles either. load.ts re-exports all of it.
 */
import { DEFAULT_RULES } from "./floor.js";
import type { Policy } from "./schema.js";

/** The built-in rules (the floor): see floor.ts. */
export { DEFAULT_RULES };

export const DEFAULT_POLICY_PATH = ".github/changegate.yml";
/** Larger policy files are refused: a policy is a page of YAML, not a data set. */
export const MAX_POLICY_BYTES = 256 * 1024;
/** Deeper nesting is refused (a real policy nests about 5 levels). */
export const MAX_POLICY_DEPTH = 24;
/** More alias expansions than this are refused (alias bombs). */
export const MAX_POLICY_ALIASES = 50;

export interface PolicyError {
  message: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the policy: `rules[0].when.severity`. */
  path?: string;
}

export type LoadedPolicy =
  | { source: "file" | "default"; path: string; policy: Policy }
  | { source: "invalid"; path: string; errors: PolicyError[] };

/** `warnings` never make a policy invalid: they say what a valid policy leaves ungated. */
export type ParseResult = { ok: true; policy: Policy; warnings: PolicyError[] } | { ok: false; errors: PolicyError[] };

/** The policy in force when the base revision has no policy file. */
export const DEFAULT_POLICY: Policy = deepFreeze({
  version: 1,
  mode: "enforce",
  paths: { sql: [], terraform: [], terraform_plans: [], kubernetes: [], exclude: [] },
  sql: { dialect: "postgresql" },
  terraform: { require_plan: false },
  agents: { logins: [], extra_approvals: 0 },
  signoff: { invalidate: "on_relevant_change", min_permission: "write" },
  defaults: true,
  rules: [],
  ignore: [],
});

/**
 * Loads the policy through `read`, which MUST read from the base revision (never the PR head).
 * `null` from the reader means no file: the built-in default policy. A reader that throws is not
 * caught: the caller cannot know the policy and must fail closed.
 */
export async function loadPolicy(
  read: (path: string) => Promise<Uint8Array | string | null>,
  path: string = DEFAULT_POLICY_PATH,
): Promise<LoadedPolicy> {
  const raw = await read(path);
  if (raw === null) return { source: "default", path, policy: DEFAULT_POLICY };
  let text: string;
  if (typeof raw === "string") {
    text = raw;
  } else {
    if (raw.byteLength > MAX_POLICY_BYTES) {
      return {
        source: "invalid",
        path,
        errors: [{ message: `the policy file is ${Math.ceil(raw.byteLength / 1024)} KiB, over the ${MAX_POLICY_BYTES / 1024} KiB limit`, line: 1, column: 1 }],
      };
    }
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(raw);
    } catch {
      return { source: "invalid", path, errors: [{ message: "the policy file is not UTF-8 text", line: 1, column: 1 }] };
    }
  }
  // The parser (YAML and the schema) loads only for a policy file: a scan without one never pays for it.
  const { parsePolicy } = await import("./load.js");
  const result = parsePolicy(text);
  return result.ok ? { source: "file", path, policy: result.policy } : { source: "invalid", path, errors: result.errors };
}

/** `file:line:column: message`, the format every tool prints policy errors in. */
export function formatPolicyError(file: string, error: PolicyError): string {
  return `${file}:${error.line}:${error.column}: ${error.message}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
