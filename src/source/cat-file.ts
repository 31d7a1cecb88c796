import { spawn, type ChildProcessByStdio } from "node:child_process";
import type { Socket } from "node:net";
import type { Readable, Writable } from "node:stream";
import { SourceError } from "./source.js";

/** What one request to the batch process came back with. */
export type BatchObject = { kind: "blob"; bytes: Buffer } | { kind: "missing" } | { kind: "other"; type: string } | { kind: "too-large"; size: number };

interface Request {
  name: string;
  resolve(object: BatchObject): void;
  reject(error: Error): void;
}

type State =
  | { kind: "header" }
  | { kind: "body"; bytes: Buffer; filled: number; remaining: number }
  | { kind: "drain"; result: BatchObject; remaining: number };

/** How often the reader started a process and sent requests: for tests that count work, not time. */
export interface BatchStats {
  processes: number;
  requests: number;
}

/**
 * One long-lived `git cat-file --batch` process answering every object read of a scan, in order.
 * Requests are object names (`<commit>:<path>` or an object id) written one a line; git answers
 * each with `<oid> <type> <size>\n<bytes>\n`, or `<name> missing\n`. No shell is involved, and an
 * object over `maxBytes` is never buffered: its bytes are skipped as they stream past.
 *
 * The process is started on the first read, and holds the event loop only while a read is in
 * flight, so a caller that forgets `close()` does not hang its process on exit.
 */
export class CatFileBatch {
  private child: ChildProcessByStdio<Writable, Readable, Readable> | undefined;
  private readonly queue: Request[] = [];
  private state: State = { kind: "header" };
  private header: Buffer[] = [];
  private stderr = "";
  private closed = false;
  readonly stats: BatchStats = { processes: 0, requests: 0 };

  constructor(
    private readonly cwd: string,
    private readonly maxBytes: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly prefixArgs: readonly string[] = [],
  ) {}

  /** One object by name. A name must not contain a newline (git reads one name a line). */
  read(name: string): Promise<BatchObject> {
    if (this.closed) return Promise.reject(new SourceError("The git reader was closed."));
    if (/[\n\r\0]/.test(name)) return Promise.reject(new Error("an object name for git cat-file --batch cannot contain a newline or NUL"));
    const child = this.child ?? this.spawn();
    return new Promise<BatchObject>((resolve, reject) => {
      this.queue.push({ name, resolve, reject });
      this.stats.requests++;
      if (this.queue.length === 1) this.hold(true);
      child.stdin.write(`${name}\n`);
    });
  }

  /** Ends the process (stdin closed: git exits when it has answered what it was sent). */
  async close(): Promise<void> {
    this.closed = true;
    const child = this.child;
    if (!child) return;
    // Held while it exits: an unreferenced process would let the event loop end before "close".
    this.hold(true);
    this.child = undefined;
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("close", () => resolve());
      child.stdin.end();
    });
  }

  /** Starts the process ahead of the first read (a no-op when it runs or the reader is closed). */
  start(): void {
    if (!this.child && !this.closed) this.spawn();
  }

  private spawn(): ChildProcessByStdio<Writable, Readable, Readable> {
    const child = spawn("git", [...this.prefixArgs, "cat-file", "--batch"], {
      cwd: this.cwd,
      env: this.env,
      stdio: ["pipe", "pipe", "pipe"],
      windowsHide: true,
    });
    this.stats.processes++;
    this.child = child;
    this.state = { kind: "header" };
    this.header = [];
    this.stderr = "";
    child.stdout.on("data", (chunk: Buffer) => this.onData(chunk));
    child.stderr.on("data", (chunk: Buffer) => {
      if (this.stderr.length < 4096) this.stderr += chunk.toString("utf8");
    });
    child.stdin.on("error", () => {
      // EPIPE when git died: the exit handler below fails the reads in flight with git's own words.
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      this.fail(
        child,
        error.code === "ENOENT"
          ? new SourceError("The git binary was not found on PATH; changegate scan needs git to read the repository.")
          : new SourceError(`git cat-file could not run: ${error.message}`),
      );
    });
    child.on("close", (code, signal) => {
      if (this.child === child) this.child = undefined;
      if (this.queue.length === 0) return;
      const said = this.stderr.trim().split("\n")[0] ?? "";
      this.fail(child, new SourceError(`git cat-file stopped (${signal ?? `exit ${code}`})${said ? `: ${said}` : ""}`));
    });
    child.unref();
    this.hold(false);
    return child;
  }

  /** Fails every read in flight; the next read starts a new process. */
  private fail(child: ChildProcessByStdio<Writable, Readable, Readable>, error: Error): void {
    if (this.child === child) this.child = undefined;
    const pending = this.queue.splice(0);
    this.state = { kind: "header" };
    this.header = [];
    for (const request of pending) request.reject(error);
    if (child.exitCode === null && child.signalCode === null) child.kill();
  }

  /** Keeps the process alive while reads are in flight, and lets it exit when none are. */
  private hold(busy: boolean): void {
    const child = this.child;
    if (!child) return;
    for (const stream of [child.stdin, child.stdout, child.stderr] as unknown as Socket[]) {
      if (busy) stream.ref?.();
      else stream.unref?.();
    }
    if (busy) child.ref();
    else child.unref();
  }

  private onData(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      const state = this.state;
      if (state.kind === "header") {
        const newline = chunk.indexOf(10, at);
        if (newline < 0) {
          this.header.push(chunk.subarray(at));
          return;
        }
        this.header.push(chunk.subarray(at, newline));
        at = newline + 1;
        const line = Buffer.concat(this.header).toString("utf8");
        this.header = [];
        this.onHeader(line);
        continue;
      }
      const take = Math.min(state.remaining, chunk.length - at);
      if (state.kind === "body") {
        // The object's bytes, then the newline git puts after them.
        const room = state.bytes.length - state.filled;
        if (room > 0) {
          const copied = chunk.copy(state.bytes, state.filled, at, at + Math.min(take, room));
          state.filled += copied;
        }
      }
      state.remaining -= take;
      at += take;
      if (state.remaining === 0) {
        this.state = { kind: "header" };
        this.finish(state.kind === "body" ? { kind: "blob", bytes: state.bytes } : state.result);
      }
    }
  }

  private onHeader(line: string): void {
    const request = this.queue[0];
    if (!request) return;
    if (line.endsWith(" missing") || line.endsWith(" ambiguous")) {
      this.finish({ kind: "missing" });
      return;
    }
    const match = /^[0-9a-f]+ (\S+) (\d+)$/.exec(line);
    if (!match) {
      this.fail(this.child!, new SourceError(`git cat-file answered ${JSON.stringify(line.slice(0, 200))} to a read of ${request.name}`));
      return;
    }
    const type = match[1]!;
    const size = Number(match[2]);
    if (type !== "blob") {
      // A tree or a commit still sends its bytes: skip them.
      this.state = { kind: "drain", result: { kind: "other", type }, remaining: size + 1 };
      return;
    }
    this.state =
      size > this.maxBytes
        ? { kind: "drain", result: { kind: "too-large", size }, remaining: size + 1 }
        : { kind: "body", bytes: Buffer.allocUnsafe(size), filled: 0, remaining: size + 1 };
  }

  private finish(object: BatchObject): void {
    this.queue.shift()?.resolve(object);
    if (this.queue.length === 0) this.hold(false);
  }
}
