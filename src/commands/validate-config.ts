/**
 * `changegate validate-config [FILE]`: validates a policy file and prints each error as
 * `file:line:column: message`, and what a valid one leaves ungated as `file:line:column: warning: …`
 * (`defaults: false` without rules that gate in the floor's place). Exit 0 when valid (warnings or
 * not), 1 on errors, 2 on usage errors.
 */
import { readFile } from "node:fs/promises";
import { isAbsolute, join } from "node:path";
import { DEFAULT_POLICY_PATH, formatPolicyError, MAX_POLICY_BYTES, parsePolicy } from "../policy/load.js";

/** Output as a function, or a stream-like `{ write }` (the CLI's `CommandIo` in src/commands/io.ts fits). */
export type Output = ((s: string) => void) | { write(text: string): unknown };

export interface ValidateConfigIo {
  stdout: Output;
  stderr: Output;
  cwd: string;
}

const USAGE = "usage: changegate validate-config [FILE]   (default: .github/changegate.yml)";

export async function validateConfigCommand(args: string[], streams: ValidateConfigIo): Promise<number> {
  const io = { stdout: writer(streams.stdout), stderr: writer(streams.stderr), cwd: streams.cwd };
  const positional: string[] = [];
  for (const arg of args) {
    if (arg === "-h" || arg === "--help") {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (arg.startsWith("-") && arg !== "-") {
      io.stderr(`changegate validate-config: unknown option ${arg}\n${USAGE}\n`);
      return 2;
    }
    positional.push(arg);
  }
  if (positional.length > 1) {
    io.stderr(`changegate validate-config: expected at most one FILE, got ${positional.length}\n${USAGE}\n`);
    return 2;
  }
  const explicit = positional[0];
  const file = explicit ?? DEFAULT_POLICY_PATH;
  const fullPath = isAbsolute(file) ? file : join(io.cwd, file);

  let bytes: Buffer;
  try {
    bytes = await readFile(fullPath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && explicit === undefined) {
      io.stdout(`${file}: no policy file; the built-in default policy applies\n`);
      return 0;
    }
    io.stderr(`changegate validate-config: cannot read ${file}: ${code === "ENOENT" ? "no such file" : (error as Error).message}\n`);
    return 2;
  }
  let text: string;
  if (bytes.byteLength > MAX_POLICY_BYTES) {
    io.stdout(`${file}:1:1: the policy file is ${Math.ceil(bytes.byteLength / 1024)} KiB, over the ${MAX_POLICY_BYTES / 1024} KiB limit\n`);
    return 1;
  }
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    io.stdout(`${file}:1:1: the policy file is not UTF-8 text\n`);
    return 1;
  }
  const result = parsePolicy(text);
  if (!result.ok) {
    for (const error of result.errors) io.stdout(`${formatPolicyError(file, error)}\n`);
    io.stderr(`${file}: ${result.errors.length} error${result.errors.length === 1 ? "" : "s"}\n`);
    return 1;
  }
  // Warnings never fail validation: the policy is valid, but it leaves findings ungated.
  for (const warning of result.warnings) io.stdout(`${formatPolicyError(file, { ...warning, message: `warning: ${warning.message}` })}\n`);
  io.stdout(`${file}: OK (${result.policy.mode}, ${describeRules(result.policy.rules.length, result.policy.defaults)})\n`);
  return 0;
}

function describeRules(count: number, defaults: boolean): string {
  const own = `${count} rule${count === 1 ? "" : "s"}`;
  if (!defaults) return `${own}, built-in rules off`;
  return count === 0 ? "the built-in rules" : `${own} beside the built-in ones`;
}

function writer(out: Output): (s: string) => void {
  return typeof out === "function" ? out : (s) => void out.write(s);
}
