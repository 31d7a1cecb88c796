/**
 * A throwaway redis-server on a free loopback port, for the tests and benchmarks that need a real
 * one (.ci/run installs the binary from the system's packages). Nothing is persisted.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** The redis-server binary on PATH, or "" (tests skip then). */
export const REDIS_BINARY = spawnSync("sh", ["-c", "command -v redis-server"], { encoding: "utf8" }).stdout.trim();

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Starts redis-server on `port` (a free one by default) and resolves once it accepts connections. */
export async function startRedisServer(port?: number): Promise<{ child: ChildProcess; port: number; url: string }> {
  if (!REDIS_BINARY) throw new Error("redis-server is not installed");
  const at = port ?? (await freePort());
  const child = spawn(REDIS_BINARY, ["--port", String(at), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Ready to accept connections")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return { child, port: at, url: `redis://127.0.0.1:${at}` };
}
