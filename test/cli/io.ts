import { main } from "../../src/cli.js";
import type { CommandIo } from "../../src/commands/io.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process with captured output (no colour, a fixed environment). */
export async function run(argv: string[], options: { cwd?: string; env?: Record<string, string | undefined>; tty?: boolean } = {}): Promise<RunResult> {
  let stdout = "";
  let stderr = "";
  const io: CommandIo = {
    stdout: {
      write: (text: string) => (stdout += text),
      isTTY: options.tty ?? false,
      columns: 100,
    },
    stderr: { write: (text: string) => (stderr += text) },
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
  };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
