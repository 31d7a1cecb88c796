/**
 * Renders kustomizations with `kubectl kustomize`: the one program the Kubernetes analyzer may
 * have run for it, and only by a caller that hands it a renderer (the CLI and the App do; tests
 * choose). This module does the I/O; the analyzer stays pure: it decides what to render and
 * what to refuse (rendered.ts), and judges the output.
 *
 * Safety, each for a reason:
 * - The files are the ones the engine read through the Source (git objects, never the working
 *   tree, so an untracked file cannot join a render), written as regular files into a private
 *   temporary directory (mode 0700) that is removed afterwards. A git symlink arrives as its
 *   target path and is written as a file holding that text: never a link, never followed.
 * - No plugins, no Helm, the default load restrictor (passed explicitly, so a changed default
 *   cannot widen it): nothing from the change is executed. Kustomizations that name a remote
 *   base, component or file are refused before this module is called, and in case one slips
 *   through, the process has no PATH (kustomize cannot run git) and an HTTP(S) proxy that
 *   answers nothing (it cannot fetch a URL).
 * - An absolute path to the binary, `shell: false`, an environment of HOME (an empty directory)
 *   and the proxies only: no credentials, no KUBECONFIG.
 * - A time limit per render (the whole process group is killed), a cap on the output, a cap on
 *   renders running at once in the process (the App serves several pull requests at a time),
 *   and a cap on the renders of one scan.
 * Each root is rendered through a wrapper kustomization beside the repository copy that only
 * lists it and turns on `buildMetadata: [originAnnotations]`: the user's files are not modified,
 * the wrapper has no transformer, so the objects are the root's own plus one annotation naming
 * the file each came from (the analyzer uses it for lines, then drops it).
 */
import { spawn } from "node:child_process";
import { constants, realpathSync, statSync, accessSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, isAbsolute, join, relative, sep } from "node:path";
import type { Side } from "../../model/finding.js";
import { compareText } from "../../util/compare.js";

/** One side's files and the kustomization directories to render from them. */
export interface RenderRequest {
  side: Side;
  /** Every file of the side the engine read, by repository-relative path. */
  files: ReadonlyMap<string, string>;
  /** Repository-relative directories of the kustomizations to render (`""` is the root). */
  dirs: readonly string[];
  /** Kustomizations not rendered, with why (a remote base): recorded for the scan's output. */
  refused?: readonly { dir: string; reason: string }[];
}

export type RenderResult =
  | { outcome: "rendered"; output: string }
  /** Kustomize's own error, the time limit, the output cap: the kustomization cannot be read this way. */
  | { outcome: "failed"; message: string }
  /** Not rendered for a reason that is not the kustomization's (no kubectl, the scan's render cap). */
  | { outcome: "skipped"; message: string };

export interface ReadingEntry {
  side: Side;
  dir: string;
  reading: "rendered" | "static";
  why?: string;
}

export interface KustomizeRenderer {
  /** Renders every directory of the request; results in the order of `dirs`. Never throws for a render. */
  render(request: RenderRequest): Promise<RenderResult[]>;
  /** How the kustomizations of the scans so far were read, for the scan's output. */
  readonly log: readonly ReadingEntry[];
  /** `kubectl at /usr/bin/kubectl`, or why there is none. */
  describe(): string;
}

export interface RendererOptions {
  /** The environment to find kubectl in: `CHANGEGATE_KUBECTL` (a path, or `off`), else `PATH`. */
  env?: NodeJS.ProcessEnv;
  /** Directories a kubectl found on PATH must not live in (the repository being scanned: it could be the change's). */
  untrusted?: readonly string[];
  timeoutMs?: number;
  maxOutputBytes?: number;
  /** Renders one scan may run; the rest are read statically. */
  maxRenders?: number;
}

export const RENDER_TIMEOUT_MS = 10_000;
export const MAX_RENDER_OUTPUT_BYTES = 16 * 1024 * 1024;
export const MAX_RENDERS_PER_SCAN = 64;
/** Renders running at once in this process, over every scan. */
export const MAX_CONCURRENT_RENDERS = 2;
const MAX_MESSAGE = 600;
const MAX_STDERR = 64 * 1024;
/** Where a fetch through the proxy goes: the discard port of the loopback address, which answers nothing. */
const DEAD_PROXY = "http://127.0.0.1:9";

export type KubectlLookup = { path: string } | { unavailable: string };

/** The kubectl to run: `CHANGEGATE_KUBECTL` (an absolute path, or `off`), else the first `kubectl` on PATH outside `untrusted`. */
export function findKubectl(env: NodeJS.ProcessEnv = process.env, untrusted: readonly string[] = []): KubectlLookup {
  const override = env.CHANGEGATE_KUBECTL?.trim();
  if (override) {
    if (["off", "false", "0", "none"].includes(override.toLowerCase())) return { unavailable: "rendering is turned off (CHANGEGATE_KUBECTL=off)" };
    if (!isAbsolute(override)) return { unavailable: `CHANGEGATE_KUBECTL must be an absolute path (got ${override})` };
    return executable(override) ? { path: override } : { unavailable: `CHANGEGATE_KUBECTL=${override} is not an executable file` };
  }
  const banned = untrusted.map(real).filter((dir): dir is string => dir !== null);
  for (const dir of (env.PATH ?? "").split(delimiter)) {
    // A relative entry (`.`, `bin`) resolves inside whatever directory the scan runs in.
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, "kubectl");
    if (!executable(candidate)) continue;
    const resolved = real(candidate);
    if (resolved === null || banned.some((root) => resolved === root || resolved.startsWith(root + sep))) continue;
    return { path: candidate };
  }
  return { unavailable: "kubectl is not on PATH" };
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

/** Renders running at once over the whole process. */
let running = 0;
const waiting: (() => void)[] = [];
async function slot<T>(task: () => Promise<T>): Promise<T> {
  if (running >= MAX_CONCURRENT_RENDERS) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    return await task();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

/**
 * A renderer that finds kubectl on first use (a scan without a kustomization never looks, and
 * never starts a process).
 */
export function createKustomizeRenderer(options: RendererOptions = {}): KustomizeRenderer {
  let lookup: KubectlLookup | undefined;
  const find = () => (lookup ??= findKubectl(options.env ?? process.env, options.untrusted ?? []));
  const log: ReadingEntry[] = [];
  const timeoutMs = options.timeoutMs ?? RENDER_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? MAX_RENDER_OUTPUT_BYTES;
  let budget = options.maxRenders ?? MAX_RENDERS_PER_SCAN;
  return {
    log,
    describe() {
      const found = find();
      return "path" in found ? `kubectl at ${found.path}` : found.unavailable;
    },
    async render(request) {
      for (const { dir, reason } of request.refused ?? []) log.push({ side: request.side, dir, reading: "static", why: reason });
      if (request.dirs.length === 0) return [];
      const found = find();
      if (!("path" in found)) {
        for (const dir of request.dirs) log.push({ side: request.side, dir, reading: "static", why: found.unavailable });
        return request.dirs.map(() => ({ outcome: "skipped", message: found.unavailable }));
      }
      const results: RenderResult[] = [];
      let root: string | undefined;
      try {
        root = await mkdtemp(join(tmpdir(), "changegate-kustomize-"));
        const repo = join(root, "repo");
        await materialise(repo, request.files);
        const home = join(root, "home");
        await mkdir(home, { mode: 0o700 });
        const jobs = request.dirs.map(async (dir, index): Promise<RenderResult> => {
          if (budget <= 0) return { outcome: "skipped", message: `over the ${options.maxRenders ?? MAX_RENDERS_PER_SCAN} renders one scan runs` };
          budget--;
          const wrapper = join(root!, `wrap-${index}`);
          await mkdir(wrapper, { mode: 0o700 });
          const target = relative(wrapper, dir === "" ? repo : join(repo, ...dir.split("/"))).split(sep).join("/");
          await writeFile(join(wrapper, "kustomization.yaml"), `resources:\n- ${JSON.stringify(target)}\nbuildMetadata: [originAnnotations]\n`, { mode: 0o600 });
          return slot(() => run(found.path, wrapper, { root: root!, home, timeoutMs, maxOutput }));
        });
        results.push(...(await Promise.all(jobs)));
      } catch (error) {
        const message = `the files could not be laid out for kustomize: ${error instanceof Error ? error.message : String(error)}`;
        while (results.length < request.dirs.length) results.push({ outcome: "failed", message });
      } finally {
        if (root) await rm(root, { recursive: true, force: true }).catch(() => undefined);
      }
      request.dirs.forEach((dir, index) => {
        const result = results[index]!;
        log.push(result.outcome === "rendered" ? { side: request.side, dir, reading: "rendered" } : { side: request.side, dir, reading: "static", why: result.message });
      });
      return results;
    },
  };
}

/**
 * One line on how the scan's kustomizations were read, or null when it had none to render:
 * `kustomize: deploy/prod rendered with kubectl at /usr/bin/kubectl; deploy/dev read statically (…)`.
 */
export function describeKustomizeReading(renderer: KustomizeRenderer): string | null {
  if (renderer.log.length === 0) return null;
  const byDir = new Map<string, ReadingEntry[]>();
  for (const entry of renderer.log) byDir.set(entry.dir, [...(byDir.get(entry.dir) ?? []), entry]);
  const rendered: string[] = [];
  const statics: string[] = [];
  for (const [dir, entries] of [...byDir].sort(([a], [b]) => compareText(a, b))) {
    const why = entries.find((e) => e.reading === "static")?.why;
    if (why === undefined) rendered.push(dir || ".");
    else statics.push(`${dir || "."} (${why})`);
  }
  const parts: string[] = [];
  if (rendered.length > 0) parts.push(`${rendered.join(", ")} rendered with ${renderer.describe()}`);
  if (statics.length > 0) parts.push(`read statically: ${statics.join(", ")}`);
  return `kustomize: ${parts.join("; ")}`;
}

/** Writes each file under `repo` as a regular file; a path that could leave the directory is refused. */
async function materialise(repo: string, files: ReadonlyMap<string, string>): Promise<void> {
  await mkdir(repo, { mode: 0o700 });
  const made = new Set<string>();
  for (const [path, text] of files) {
    const parts = path.split("/");
    if (path === "" || path.includes("\0") || path.includes("\\") || parts.some((p) => p === "" || p === "." || p === "..")) continue;
    const full = join(repo, ...parts);
    const dir = dirname(full);
    if (!made.has(dir)) {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      made.add(dir);
    }
    // `wx`: never through something already there (a link would be one).
    await writeFile(full, text, { mode: 0o600, flag: "wx" });
  }
}

interface RunOptions {
  root: string;
  home: string;
  timeoutMs: number;
  maxOutput: number;
}

/** One `kubectl kustomize`, in its own process group so a time limit ends everything it started. */
function run(kubectl: string, dir: string, options: RunOptions): Promise<RenderResult> {
  return new Promise((resolve) => {
    const env = { HOME: options.home, HTTP_PROXY: DEAD_PROXY, HTTPS_PROXY: DEAD_PROXY, http_proxy: DEAD_PROXY, https_proxy: DEAD_PROXY, NO_PROXY: "", no_proxy: "" };
    let child;
    try {
      child = spawn(kubectl, ["kustomize", "--load-restrictor=LoadRestrictionsRootOnly", dir], {
        cwd: options.root,
        env,
        shell: false,
        detached: true,
        stdio: ["ignore", "pipe", "pipe"],
        windowsHide: true,
      });
    } catch (error) {
      resolve({ outcome: "skipped", message: `kubectl could not be started: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = "";
    let stopped: string | undefined;
    let settled = false;
    const kill = (why: string) => {
      stopped ??= why;
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const timer = setTimeout(() => kill(`it did not finish within the ${options.timeoutMs / 1000} s time limit`), options.timeoutMs);
    const finish = (result: RenderResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    child.stdout!.on("data", (chunk: Buffer) => {
      if (stopped) return;
      outBytes += chunk.length;
      if (outBytes > options.maxOutput) {
        kill(`its output is over the ${Math.round(options.maxOutput / 1024 / 1024)} MiB limit`);
        return;
      }
      out.push(chunk);
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      if (err.length < MAX_STDERR) err += chunk.toString("utf8");
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      finish({ outcome: error.code === "ENOENT" || error.code === "EACCES" ? "skipped" : "failed", message: `kubectl could not be run: ${error.message}` });
    });
    child.on("close", (code, signal) => {
      if (stopped) return finish({ outcome: "failed", message: `\`kubectl kustomize\` was stopped: ${stopped}` });
      if (code !== 0) return finish({ outcome: "failed", message: sanitise(err, options.root) || `kubectl exited with ${code ?? signal}` });
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(out));
      } catch {
        return finish({ outcome: "failed", message: "its output is not UTF-8 text" });
      }
      finish({ outcome: "rendered", output: text });
    });
  });
}

/**
 * Kustomize's message, for a finding: the `err="…"` of kubectl's log line when there is one,
 * repository-relative paths instead of the temporary directory, no control characters, one line,
 * trimmed.
 */
export function sanitise(stderr: string, root: string): string {
  let text = stderr;
  const quoted = text.indexOf('err="');
  if (quoted >= 0) {
    const end = text.lastIndexOf('"');
    text = (end > quoted + 5 ? text.slice(quoted + 5, end) : text.slice(quoted + 5)).replaceAll('\\"', '"').replaceAll("\\\\", "\\");
  }
  text = text.replace(/^error: /i, "");
  text = text.split(`${root}/repo/`).join("").split(`${root}/repo`).join(".").split(root).join("");
  text = text.replaceAll("../repo/", "").replace(/\/?wrap-\d+/g, "");
  // Control characters (escape sequences a terminal would act on) and line breaks go.
  text = Array.from(text, (c) => (c < " " || c === "\u007f" ? " " : c)).join("").replace(/ {2,}/g, " ").trim();
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
