import { SEVERITIES } from "../model/finding.js";

/** What a command writes to and where it runs: injected so tests run commands in-process. */
export interface CommandIo {
  stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(text: string): unknown; isTTY?: boolean };
  cwd: string;
  env?: Record<string, string | undefined>;
}

/** Exit codes (DESIGN §6): 0 nothing gates, 1 sign-off needed or blocked, 2 usage or operational error. */
export const EXIT_PASS = 0;
export const EXIT_GATED = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the CLI was called, or a condition the user must fix: reported without a stack, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Report formats of `scan --format`. */
export const FORMATS = ["text", "json", "markdown", "sarif"] as const;
export type Format = (typeof FORMATS)[number];
/** `scan --author` values. */
export const AUTHOR_KINDS = ["human", "agent", "bot"] as const;
/** `scan --fail-on` values: exit 1 when a sign-off is needed (the default), or when a finding of at least a severity is reported. */
export const FAIL_ON = ["needs-signoff", ...SEVERITIES] as const;
/** What makes a scan exit 1: a `--fail-on` value, or `never` (`--exit-zero`). */
export type FailOn = (typeof FAIL_ON)[number] | "never";
