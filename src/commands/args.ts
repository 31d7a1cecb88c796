/**
 * Command-line parsing errors in changegate's own words. `node:util` `parseArgs` says
 * "Option '--format <value>' argument missing" or points at `--format=-XYZ`; a person running
 * `changegate scan --format` should read which option needs what, and get exit 2 like any other
 * usage error.
 */
import { editDistance } from "../util/edit-distance.js";
import { UsageError } from "./io.js";

export interface OptionSpec {
  type: "string" | "boolean";
  short?: string;
}

/**
 * The UsageError for a `parseArgs` failure of `command`. `values` names the accepted values of
 * string options where they are a fixed list (`format: ["text", "json", …]`), for the message.
 */
export function argumentError(
  error: unknown,
  command: string,
  options: Readonly<Record<string, OptionSpec>>,
  values: Readonly<Record<string, readonly string[]>> = {},
): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string } | null)?.code;
  const needsValue = (name: string) => {
    const accepted = values[name];
    return `--${name} needs a value${accepted ? `: ${accepted.join(", ")}` : ""}`;
  };

  const missing = /^Option '(?:-\w, )?--([\w-]+) <value>' argument missing/.exec(message);
  if (missing) return new UsageError(`${command}: ${needsValue(missing[1]!)}`);
  const ambiguous = /^Option '(?:-\w, )?--([\w-]+)' argument is ambiguous/.exec(message);
  if (ambiguous) {
    const name = ambiguous[1]!;
    return new UsageError(`${command}: ${needsValue(name)} (a value starting with "-" is written --${name}=VALUE)`);
  }
  const noValue = /^Option '(?:-\w, )?--([\w-]+)' does not take an argument/.exec(message);
  if (noValue) return new UsageError(`${command}: --${noValue[1]} takes no value`);
  const unknown = /^Unknown option '([^']+)'/.exec(message);
  if (unknown || code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") {
    const given = unknown?.[1] ?? "";
    const bare = given.replace(/^-+/, "");
    const name = bare.includes("=") ? bare.slice(0, bare.indexOf("=")) : bare;
    const close = Object.keys(options)
      .filter((o) => name.length > 1 && editDistance(o, name) <= Math.max(1, Math.floor(o.length / 4)))
      .sort((a, b) => editDistance(a, name) - editDistance(b, name));
    const hint = close.length > 0 ? `; did you mean --${close[0]}?` : `; \`changegate ${command} --help\` lists the options`;
    return new UsageError(`${command}: unknown option "${given}"${hint}`);
  }
  return new UsageError(`${command}: ${message.replace(/\. To specify a positional.*$/s, "")}`);
}
