import { readFileSync } from "node:fs";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { argumentError } from "./commands/args.js";
import { AUTHOR_KINDS, EXIT_PASS, EXIT_USAGE, FAIL_ON, FORMATS, UsageError, type CommandIo, type FailOn, type Format } from "./commands/io.js";
import type { AuthorKind } from "./analyzers/types.js";

export type { CommandIo } from "./commands/io.js";
export { useBaselineWasmCompiler } from "./util/one-shot-wasm.js";

export const USAGE = `Usage:
  changegate scan [--repo DIR] [--base REV] [--head REV | --working-tree] [--config FILE]
                  [--author human|agent|bot] [--format text|json|markdown|sarif]
                  [--terraform-plan PLAN.json ...]
                  [--fail-on needs-signoff|low|medium|high|critical | --exit-zero]
  changegate explain [RULE_ID]
  changegate validate-config [FILE]
  changegate --help | --version
`;

const HELP = `changegate finds destructive changes (dropped tables, deleted rows, blocking locks, weakened
gates) between two revisions and says whether a qualified person must sign off before merging.

${USAGE}
Commands:
  scan             Analyse the change from --base to --head of a local git repository.
  explain          Print a rule: severity, why it matters, the safer alternative, examples.
                   Without a RULE_ID: every rule, one line each.
  validate-config  Check a policy file (default .github/changegate.yml).

scan options:
  --repo DIR            The repository (default: the current directory).
  --base REV            What the change is compared with: the merge-base of REV and the head, as
                        for a pull request into REV (default: the default branch, origin/HEAD,
                        else main, else master).
  --head REV            The head revision (default: HEAD).
  --working-tree        Scan the files on disk instead of a head commit: uncommitted and untracked
                        (not ignored) changes count. Reported head: "working-tree".
  --config FILE         Use this policy file from disk instead of the base revision's
                        .github/changegate.yml.
  --author KIND         Who authored the change: human (default), agent or bot. Agent-authored
                        changes are gated more strictly.
  --format FORMAT       text (default), json, markdown or sarif.
  --terraform-plan F    Also analyse a Terraform or OpenTofu plan: \`terraform show -json PLANFILE\`
                        output (or the text of \`terraform plan\`). Repeatable; each plan is
                        reported under its own path.
  --fail-on WHEN        When to exit 1: needs-signoff (default) when a sign-off would be needed
                        or a rule blocks; or a severity (low, medium, high, critical) when a
                        finding of at least that severity is reported or a rule blocks.
  --exit-zero           Exit 0 whatever the verdict, once the report is written (2 still means
                        the scan could not run): upload SARIF, then fail in a later step.

Exit status:
  0  nothing needs a sign-off (see --fail-on, --exit-zero)
  1  a sign-off would be needed, or a rule blocks the change
  2  usage error, or the scan could not run (not a git repository, unknown revision, invalid --config)
`;

function defaultIo(): CommandIo {
  // `changegate scan | head`: a closed pipe is the reader's choice, not a crash; the exit code still says the verdict.
  if (process.stdout.listenerCount("error") === 0) {
    process.stdout.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
    });
  }
  return { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env };
}

/** The CLI entry point: returns the exit code (bin/changegate.js sets it). `io` is injectable for tests. */
export async function main(argv: string[], io: CommandIo = defaultIo()): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`changegate: ${error.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    io.stderr.write(`changegate: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return EXIT_USAGE;
  }
}

async function dispatch(argv: string[], io: CommandIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "--help" || command === "-h" || command === "help") {
    if (command === undefined) {
      io.stderr.write(USAGE);
      return EXIT_USAGE;
    }
    io.stdout.write(HELP);
    return EXIT_PASS;
  }
  if (command === "--version" || command === "-v") {
    io.stdout.write(`${version()}\n`);
    return EXIT_PASS;
  }
  switch (command) {
    case "scan":
      return scan(rest, io);
    case "explain":
      return explain(rest, io);
    case "validate-config":
      return validateConfig(rest, io);
    default:
      throw new UsageError(command.startsWith("-") ? `unknown option "${command}" (options follow the command)` : `unknown command "${command}"`);
  }
}

// Each command's module (and what it imports: the analyzers, the policy schema, the rule catalogue)
// loads when that command runs, so `--help` and `--version` load none of it.

const SCAN_OPTIONS = {
  repo: { type: "string" },
  base: { type: "string" },
  head: { type: "string" },
  "working-tree": { type: "boolean" },
  config: { type: "string" },
  author: { type: "string" },
  format: { type: "string" },
  "terraform-plan": { type: "string", multiple: true },
  "fail-on": { type: "string" },
  "exit-zero": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const satisfies ParseArgsConfig["options"];

async function scan(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv, SCAN_OPTIONS, "scan");
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT_PASS;
  }
  if (values["working-tree"] && values.head !== undefined) throw new UsageError("--working-tree and --head exclude each other");
  if (positionals.length > 0) throw new UsageError(`scan takes no arguments (got "${positionals[0]}"); use --repo DIR, --base REV or --head REV`);
  const format = oneOf(values.format ?? "text", FORMATS, "--format");
  const author = oneOf(values.author ?? "human", AUTHOR_KINDS, "--author");
  if (values["exit-zero"] && values["fail-on"] !== undefined) throw new UsageError("--exit-zero and --fail-on exclude each other");
  const failOn = values["exit-zero"] ? "never" : oneOf(values["fail-on"] ?? "needs-signoff", FAIL_ON, "--fail-on");
  for (const [name, value] of Object.entries({ repo: values.repo, base: values.base, head: values.head, config: values.config })) {
    if (value === "") throw new UsageError(`--${name} needs a value`);
  }
  const where = {
    ...(values.repo !== undefined ? { repo: values.repo } : {}),
    ...(values.base !== undefined ? { base: values.base } : {}),
    ...(values.head !== undefined ? { head: values.head } : {}),
    ...(values["working-tree"] ? { workingTree: true } : {}),
  };
  // git resolves the revisions while the analyzers' modules load.
  const source = import("./source/git.js").then(({ openScanSource }) => openScanSource(where, io.cwd));
  source.catch(() => undefined);
  const { scanCommand } = await import("./commands/scan.js");
  return scanCommand(
    {
      format: format as Format,
      author: author as AuthorKind,
      ...where,
      source,
      ...(values.config !== undefined ? { config: values.config } : {}),
      terraformPlans: values["terraform-plan"] ?? [],
      failOn: failOn as FailOn,
    },
    io,
  );
}

async function explain(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv, { help: { type: "boolean", short: "h" } }, "explain");
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT_PASS;
  }
  if (positionals.length > 1) throw new UsageError("explain takes at most one RULE_ID (none lists every rule)");
  const { explainCommand } = await import("./commands/explain.js");
  return explainCommand(positionals[0], io);
}

async function validateConfig(argv: string[], io: CommandIo): Promise<number> {
  const { values, positionals } = parse(argv, { help: { type: "boolean", short: "h" } }, "validate-config");
  if (values.help) {
    io.stdout.write(HELP);
    return EXIT_PASS;
  }
  if (positionals.length > 1) throw new UsageError("validate-config takes at most one FILE");
  const { validateConfigCommand } = await import("./commands/validate-config.js");
  return validateConfigCommand(positionals, {
    stdout: (text) => void io.stdout.write(text),
    stderr: (text) => void io.stderr.write(text),
    cwd: io.cwd,
  });
}

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(argv: string[], options: T, command: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw argumentError(error, command, options, { format: FORMATS, author: AUTHOR_KINDS, "fail-on": FAIL_ON });
  }
}

function oneOf(value: string, allowed: readonly string[], flag: string): string {
  if (!allowed.includes(value)) throw new UsageError(`${flag} must be one of ${allowed.join(", ")} (got "${value}")`);
  return value;
}

function version(): string {
  // dist/src/cli.js when built, src/cli.ts under tsx.
  for (const relative of ["../../package.json", "../package.json"]) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), "utf8")) as { name?: string; version?: string };
      if (pkg.name === "changegate" && pkg.version) return pkg.version;
    } catch {
      // try the next location
    }
  }
  return "unknown";
}
