/**
 * A small stateful GitHub: one repository, one pull request, and the endpoints changegate calls,
 * answered from plain data. Apps reach it through `fetch`, the transport their Octokit is given
 * (no network stack, no interception: an answer is a resolved promise). Check runs are stored, so
 * a second delivery sees the first one's run. Every request is recorded (method, path, query,
 * body, timing) for the OpenAPI check and the round-trip count; a request no route knows fails
 * the test.
 * Error knobs in policy-bot's pulltest style: `failContent`, `failRoute`.
 */
import type { ApiRequest } from "../support/openapi.js";
import { blobSha } from "../../src/github/blob-cache.js";

export const API = "https://api.github.com";

export interface FakeCommit {
  sha: string;
  author?: { login: string; type?: string };
  committer?: { login: string; type?: string };
  message?: string;
}

export interface FakeReview {
  user: string;
  type?: string;
  state: "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";
  commit_id: string;
  submitted_at: string;
}

export interface FakeFile {
  path: string;
  status: "added" | "removed" | "modified" | "renamed";
  previous?: string;
}

export interface FakeCheckRun {
  id: number;
  name: string;
  head_sha: string;
  app: { id: number };
  status: string;
  conclusion: string | null;
  details_url?: string;
  /** Set by GitHub's clock (the fake's) when the run completes. */
  completed_at?: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: unknown[];
  actions: unknown[];
  writes: number;
}

export interface FakePull {
  number: number;
  head: string;
  base: string;
  baseRef: string;
  author: { login: string; type: string };
  state?: string;
  changedFiles?: number;
  labels?: string[];
}

export interface FakeState {
  owner: string;
  repo: string;
  appId: number;
  pull: FakePull;
  /** Other pull requests (merge queue). */
  pulls?: FakePull[];
  mergeBase: string;
  files: FakeFile[];
  /** File contents per ref (branch name or SHA). */
  contents: Record<string, Record<string, string>>;
  commits: FakeCommit[];
  reviews: FakeReview[];
  permissions: Record<string, string>;
  /** "org/slug" → login → membership state. */
  teams: Record<string, Record<string, "active" | "pending">>;
  /** Active rules of the base branch (rules endpoint). */
  branchRules: unknown[];
  /** Commits of a merge group (compare base...head). */
  groupCommits?: { sha: string; message: string }[];
  /** Makes a content read fail with this status. */
  failContent?: (ref: string, path: string) => number | undefined;
  /** Makes any route fail with this status. */
  failRoute?: (method: string, path: string) => number | undefined;
  /**
   * Any fault on any route (the token exchange included): a status with a body and headers, or
   * `"hang"` (never answers; the client's timeout must end it).
   */
  fault?: (method: string, path: string) => Fault | undefined;
  /** Holds a reply until the promise settles (a slow GitHub, for races). */
  hold?: (method: string, path: string, query: Record<string, string>) => Promise<void> | undefined;
  /** Pull requests GitHub associates with a commit (`/commits/{sha}/pulls`); default: the pull request. */
  associated?: Record<string, number[]>;
  /** Workflow runs of the repository (Actions), with the artifacts each uploaded. */
  workflowRuns?: FakeWorkflowRun[];
  /** What GraphQL answers as a blob's text (default: the text itself). */
  graphqlBlobText?: (text: string) => string;
  /** Delay per reply in ms (the benchmark uses it to see sequential round trips). */
  delayMs?: number;
  /** GitHub's clock (ms): the `Date` header and `completed_at`. Default: the real clock. */
  now?: () => number;
}

export interface FakeWorkflowRun {
  id: number;
  head_sha: string;
  conclusion: "success" | "failure";
  updated_at: string;
  artifacts: { id: number; name: string; zip: Uint8Array; expired?: boolean }[];
}

/** Where GitHub redirects an artifact download: storage outside the API. */
export const ARTIFACT_STORAGE = "https://pipelines.actions.githubusercontent.com";

/** `applied`: the request takes effect, and only its answer is the fault (an answer lost on the way back). */
export type Fault = { status: number; body?: unknown; headers?: Record<string, string>; applied?: boolean } | "hang";

export interface TimedRequest extends ApiRequest {
  start: number;
  end: number;
}

export class FakeGitHub {
  readonly requests: TimedRequest[] = [];
  readonly unexpected: string[] = [];
  readonly checkRuns: FakeCheckRun[] = [];
  readonly labelWrites: { method: string; labels: unknown }[] = [];
  /** Blob SHAs read through the git blobs API. */
  readonly blobReads: string[] = [];
  /** Blob SHAs asked for in GraphQL queries. */
  readonly graphqlBlobReads: string[] = [];
  readonly reviewRequests: unknown[] = [];
  private nextRunId = 9000;

  constructor(readonly state: FakeState) {}

  /**
   * The fake as a `fetch`: what Octokit sends reaches the routes directly. A redirect is followed
   * as fetch follows it, and an aborted signal rejects as fetch rejects (a hang ends only so).
   */
  readonly fetch: typeof fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin === ARTIFACT_STORAGE) return Promise.resolve(this.artifact(url));
    const method = (init?.method ?? "GET").toLowerCase();
    const signal = init?.signal ?? undefined;
    return new Promise<Response>((resolve, reject) => {
      const aborted = () => reject(signal?.reason ?? new DOMException("This operation was aborted", "AbortError"));
      if (signal?.aborted) return aborted();
      signal?.addEventListener("abort", aborted, { once: true });
      this.answer(method, url.pathname + url.search, init?.body ?? undefined, (status, payload, headers) => {
        signal?.removeEventListener("abort", aborted);
        const location = headers.location;
        if (status >= 300 && status < 400 && location && init?.redirect !== "manual") resolve(this.fetch(location, { ...init, method: "GET", body: undefined }));
        else resolve(response(url.href, status, payload, headers));
      });
    });
  };

  private artifactZip(path: string): Buffer | undefined {
    const id = Number(/(\d+)\.zip$/.exec(path)?.[1]);
    const artifact = (this.state.workflowRuns ?? []).flatMap((run) => run.artifacts).find((a) => a.id === id);
    return artifact ? Buffer.from(artifact.zip) : undefined;
  }

  private artifact(url: URL): Response {
    const zip = this.artifactZip(url.pathname);
    return response(url.href, zip ? 200 : 404, zip ?? "Not Found", { "content-type": "application/zip" });
  }

  private answer(method: string, uri: string, body: unknown, reply: (status: number, payload: unknown, headers: Record<string, string>) => void): void {
    const start = Date.now();
    const url = new URL(uri, API);
    const request: TimedRequest = {
      method: method.toUpperCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      body: parseBody(body),
      start,
      end: start,
    };
    this.requests.push(request);
    const fault = this.state.fault?.(request.method, request.path);
    if (fault === "hang") return; // never answers
    if (fault?.applied) this.route(request);
    const [status, payload, headers] = fault ? [fault.status, fault.body ?? { message: "Server Error" }, fault.headers] : this.route(request);
    const date = new Date(this.state.now?.() ?? Date.now()).toUTCString();
    const send = () => {
      request.end = Date.now();
      reply(status, payload, { date, ...(headers ?? {}) });
    };
    const held = this.state.hold?.(request.method, request.path, request.query);
    if (held) void held.then(send, send);
    else if (this.state.delayMs) setTimeout(send, this.state.delayMs);
    else send();
  }

  /** Requests other than the installation token exchange. */
  apiRequests(): TimedRequest[] {
    return this.requests.filter((r) => !r.path.endsWith("/access_tokens"));
  }

  /** The longest chain of requests where each started after the previous one ended. */
  sequentialRoundTrips(requests: readonly TimedRequest[] = this.apiRequests()): number {
    const depth = new Map<TimedRequest, number>();
    const ordered = [...requests].sort((a, b) => a.start - b.start);
    let max = 0;
    for (const r of ordered) {
      let d = 1;
      for (const p of ordered) if (p !== r && p.end <= r.start) d = Math.max(d, (depth.get(p) ?? 1) + 1);
      depth.set(r, d);
      max = Math.max(max, d);
    }
    return max;
  }

  private blobText(sha: string): string | undefined {
    return this.blobIndex().get(sha);
  }

  /** Every blob of the state by SHA, made anew per request (tests change the contents between deliveries). */
  private blobIndex(): Map<string, string> {
    const index = new Map<string, string>();
    for (const files of Object.values(this.state.contents)) for (const text of Object.values(files)) index.set(blobSha(new TextEncoder().encode(text)), text);
    return index;
  }

  /** The one query changegate sends: blobs by object id (`bN: object(oid: $oN) { ... on Blob { … } }`). */
  private graphql(r: TimedRequest): [number, unknown] {
    const body = (r.body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    const variables = body.variables ?? {};
    if (variables.owner !== this.state.owner || variables.name !== this.state.repo) {
      return [200, { data: { repository: null }, errors: [{ type: "NOT_FOUND", path: ["repository"], message: "Could not resolve to a Repository." }] }];
    }
    const repository: Record<string, unknown> = {};
    const blobs = this.blobIndex();
    for (const [, alias, variable] of (body.query ?? "").matchAll(/(\w+):\s*object\(oid:\s*\$(\w+)\)/g)) {
      const sha = String(variables[variable!]);
      this.graphqlBlobReads.push(sha);
      const text = blobs.get(sha);
      repository[alias!] = text === undefined ? null : { text: this.state.graphqlBlobText?.(text) ?? text, isBinary: false, isTruncated: false };
    }
    return [200, { data: { repository } }];
  }

  runsFor(sha: string): FakeCheckRun[] {
    return this.checkRuns.filter((r) => r.head_sha === sha);
  }

  private route(r: TimedRequest): [number, unknown, Record<string, string>?] {
    const s = this.state;
    const failed = s.failRoute?.(r.method, r.path);
    if (failed) return [failed, { message: "Server Error" }];
    const p = r.path;
    const repoBase = `/repos/${s.owner}/${s.repo}`;
    let m: RegExpExecArray | null;

    if (r.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(p)) {
      return [201, { token: "test-token", expires_at: "2099-01-01T00:00:00Z", permissions: { checks: "write", pull_requests: "write" } }];
    }
    if (r.method === "POST" && p === "/graphql") return this.graphql(r);
    if (!p.startsWith(repoBase + "/") && !p.startsWith("/orgs/")) return this.unknown(r);
    const rest = p.slice(repoBase.length);

    if (r.method === "GET" && (m = /^\/contents\/(.+)$/.exec(rest))) {
      const path = decodeURIComponent(m[1]!);
      const ref = r.query.ref ?? s.pull.baseRef;
      const status = s.failContent?.(ref, path);
      if (status) return [status, { message: "Server Error" }];
      const text = s.contents[ref]?.[path];
      if (text === undefined) {
        // A directory: its entries, one level.
        const names = [...new Set(Object.keys(s.contents[ref] ?? {}).filter((k) => k.startsWith(`${path}/`)).map((k) => k.slice(path.length + 1).split("/")[0]!))];
        if (names.length === 0) return [404, { message: "Not Found" }];
        return [200, names.map((name) => ({ type: "file", name, path: `${path}/${name}`, sha: "0".repeat(40), size: 1, url: "", git_url: null, html_url: null, download_url: null, _links: { self: "", git: null, html: null } }))];
      }
      return [200, text, { "content-type": "text/plain; charset=utf-8" }];
    }
    if (r.method === "GET" && rest === "/actions/runs") {
      const runs = (s.workflowRuns ?? []).filter((run) => (!r.query.head_sha || run.head_sha === r.query.head_sha) && (!r.query.status || run.conclusion === r.query.status));
      return [200, { total_count: runs.length, workflow_runs: runs.map((run) => ({ id: run.id, head_sha: run.head_sha, status: "completed", conclusion: run.conclusion, updated_at: run.updated_at })) }];
    }
    if (r.method === "GET" && (m = /^\/actions\/runs\/(\d+)\/artifacts$/.exec(rest))) {
      const run = (s.workflowRuns ?? []).find((w) => w.id === Number(m![1]));
      if (!run) return [404, { message: "Not Found" }];
      const artifacts = run.artifacts.filter((a) => !r.query.name || a.name === r.query.name);
      const shown = artifacts.map((a) => ({ id: a.id, name: a.name, size_in_bytes: a.zip.byteLength, expired: a.expired ?? false, workflow_run: { id: run.id, head_sha: run.head_sha } }));
      return [200, { total_count: shown.length, artifacts: shown.slice(0, Number(r.query.per_page ?? 30)) }];
    }
    if (r.method === "GET" && (m = /^\/actions\/artifacts\/(\d+)\/zip$/.exec(rest))) {
      return [302, "", { location: `${ARTIFACT_STORAGE}/artifacts/${m[1]}.zip` }];
    }
    if (r.method === "GET" && (m = /^\/compare\/([0-9a-f]+)\.\.\.([0-9a-f]+)$/.exec(rest))) {
      const commits = (s.groupCommits ?? []).map((c) => ({ sha: c.sha, commit: { message: c.message } }));
      return [200, { status: "ahead", merge_base_commit: { sha: s.mergeBase }, commits, files: [] }];
    }
    if (r.method === "GET" && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = this.pull(Number(m[1]));
      return pull ? [200, pullJson(s, pull)] : [404, { message: "Not Found" }];
    }
    if (r.method === "GET" && /^\/pulls\/\d+\/files$/.test(rest)) {
      const perPage = Number(r.query.per_page ?? 30);
      const page = Number(r.query.page ?? 1);
      const listed = s.files.slice(0, 3000);
      const slice = listed.slice((page - 1) * perPage, page * perPage).map((f) => ({
        sha: "0".repeat(40),
        filename: f.path,
        status: f.status,
        additions: 1,
        deletions: 0,
        changes: 1,
        blob_url: "",
        raw_url: "",
        contents_url: "",
        ...(f.previous ? { previous_filename: f.previous } : {}),
      }));
      const headers: Record<string, string> = {};
      if (page * perPage < listed.length) headers.link = `<${API}${p}?per_page=${perPage}&page=${page + 1}>; rel="next"`;
      return [200, slice, headers];
    }
    if (r.method === "GET" && /^\/pulls\/\d+\/reviews$/.test(rest)) {
      return [
        200,
        s.reviews.map((rv, i) => ({
          id: i + 1,
          user: { login: rv.user, type: rv.type ?? "User" },
          body: "",
          state: rv.state,
          commit_id: rv.commit_id,
          submitted_at: rv.submitted_at,
          author_association: "MEMBER",
        })),
      ];
    }
    if (r.method === "GET" && /^\/pulls\/\d+\/commits$/.test(rest)) {
      return [
        200,
        s.commits.map((c) => ({
          sha: c.sha,
          commit: { message: c.message ?? "change" },
          author: c.author ? { login: c.author.login, type: c.author.type ?? "User" } : null,
          committer: c.committer ? { login: c.committer.login, type: c.committer.type ?? "User" } : null,
        })),
      ];
    }
    if (r.method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/check-runs$/.exec(rest))) {
      const runs = this.runsFor(m[1]!).filter((run) => !r.query.check_name || run.name === r.query.check_name);
      return [200, { total_count: runs.length, check_runs: runs.map(runJson) }];
    }
    if (r.method === "POST" && rest === "/check-runs") {
      const body = r.body as Record<string, unknown>;
      const run: FakeCheckRun = {
        id: this.nextRunId++,
        name: String(body.name),
        head_sha: String(body.head_sha),
        app: { id: s.appId },
        status: "queued",
        conclusion: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        actions: [],
        writes: 0,
      };
      this.checkRuns.push(run);
      applyRunWrite(run, body, this.clock());
      return [201, runJson(run)];
    }
    if (r.method === "GET" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((c) => c.id === Number(m![1]));
      return run ? [200, runJson(run)] : [404, { message: "Not Found" }];
    }
    if (r.method === "PATCH" && (m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((c) => c.id === Number(m![1]));
      if (!run) return [404, { message: "Not Found" }];
      applyRunWrite(run, r.body as Record<string, unknown>, this.clock());
      return [200, runJson(run)];
    }
    if (r.method === "GET" && (m = /^\/rules\/branches\/(.+)$/.exec(rest))) return [200, s.branchRules];
    if (r.method === "GET" && (m = /^\/branches\/(.+)$/.exec(rest))) {
      return [200, { name: decodeURIComponent(m[1]!), commit: { sha: s.pull.base }, protected: false, protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } }, protection_url: "" }];
    }
    if (r.method === "GET" && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const login = decodeURIComponent(m[1]!);
      const permission = s.permissions[login];
      if (!permission) return [404, { message: "Not Found" }];
      const legacy = permission === "maintain" ? "write" : permission === "triage" ? "read" : permission;
      return [200, { permission: legacy, role_name: permission, user: { login } }];
    }
    if (r.method === "GET" && (m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(p))) {
      const state = s.teams[`${m[1]}/${m[2]}`]?.[decodeURIComponent(m[3]!)];
      return state ? [200, { role: "member", state, url: "" }] : [404, { message: "Not Found" }];
    }
    if (r.method === "POST" && /^\/issues\/\d+\/labels$/.test(rest)) {
      this.labelWrites.push({ method: "POST", labels: (r.body as { labels: unknown }).labels });
      return [200, []];
    }
    if (r.method === "DELETE" && (m = /^\/issues\/\d+\/labels\/(.+)$/.exec(rest))) {
      this.labelWrites.push({ method: "DELETE", labels: decodeURIComponent(m[1]!) });
      return [200, []];
    }
    if (r.method === "POST" && /^\/pulls\/\d+\/requested_reviewers$/.test(rest)) {
      this.reviewRequests.push(r.body);
      return [201, pullJson(s, s.pull)];
    }
    if (r.method === "GET" && (m = /^\/git\/trees\/(.+)$/.exec(rest))) {
      const ref = decodeURIComponent(m[1]!);
      const paths = Object.keys(s.contents[ref] ?? {});
      const tree =
        r.query.recursive !== undefined
          ? paths.map((path) => {
              const bytes = new TextEncoder().encode(s.contents[ref]![path]!);
              return { path, type: "blob", mode: "100644", sha: blobSha(bytes), size: bytes.byteLength };
            })
          : [...new Set(paths.map((path) => path.split("/")[0]!))].map((name) => ({ path: name, type: paths.includes(name) ? "blob" : "tree", mode: "100644", sha: "0".repeat(40) }));
      return [200, { sha: "0".repeat(40), url: "", tree, truncated: false }];
    }
    if (r.method === "GET" && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      const sha = m[1]!;
      this.blobReads.push(sha);
      const text = this.blobText(sha);
      if (text === undefined) return [404, { message: "Not Found" }];
      const bytes = new TextEncoder().encode(text);
      return [200, { sha, node_id: "", size: bytes.byteLength, url: "", content: Buffer.from(bytes).toString("base64"), encoding: "base64" }];
    }
    if (r.method === "GET" && (m = /^\/commits\/([0-9a-f]+)\/pulls$/.exec(rest))) {
      if (!s.associated) return [200, [pullJson(s, s.pull)]];
      return [200, (s.associated[m[1]!] ?? []).map((n) => this.pull(n)).filter((x): x is FakePull => x !== undefined).map((x) => pullJson(s, x))];
    }
    return this.unknown(r);
  }

  private clock(): string {
    return new Date(this.state.now?.() ?? Date.now()).toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private pull(number: number): FakePull | undefined {
    return [this.state.pull, ...(this.state.pulls ?? [])].find((p) => p.number === number);
  }

  private unknown(r: TimedRequest): [number, unknown] {
    this.unexpected.push(`${r.method} ${r.path}`);
    return [404, { message: "Not Found (no fake route)" }];
  }
}

function applyRunWrite(run: FakeCheckRun, body: Record<string, unknown>, now: string): void {
  run.writes++;
  if (typeof body.status === "string") {
    run.status = body.status;
    // Back in progress: no conclusion until it completes again.
    if (body.status !== "completed") {
      run.conclusion = null;
      run.completed_at = null;
    }
  }
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
    run.completed_at = typeof body.completed_at === "string" ? body.completed_at : now;
  }
  if (typeof body.details_url === "string") run.details_url = body.details_url;
  const output = body.output as { title?: string; summary?: string; text?: string; annotations?: unknown[] } | undefined;
  if (output) {
    if (output.title !== undefined) run.output.title = output.title;
    if (output.summary !== undefined) run.output.summary = output.summary;
    if (output.text !== undefined) run.output.text = output.text;
    run.annotations.push(...(output.annotations ?? []));
  }
  if (Array.isArray(body.actions)) run.actions = body.actions;
}

function runJson(run: FakeCheckRun) {
  return {
    id: run.id,
    name: run.name,
    head_sha: run.head_sha,
    status: run.status,
    conclusion: run.conclusion,
    completed_at: run.completed_at ?? null,
    app: { id: run.app.id, slug: "changegate" },
    details_url: run.details_url ?? null,
    output: { ...run.output, annotations_count: run.annotations.length, annotations_url: "" },
  };
}

function pullJson(s: FakeState, pull: FakePull) {
  return {
    number: pull.number,
    state: pull.state ?? "open",
    html_url: `https://github.com/${s.owner}/${s.repo}/pull/${pull.number}`,
    user: { login: pull.author.login, type: pull.author.type },
    head: { sha: pull.head, ref: "feature" },
    base: { sha: pull.base, ref: pull.baseRef },
    changed_files: pull.changedFiles ?? s.files.length,
    labels: (pull.labels ?? []).map((name) => ({ name })),
    requested_reviewers: [],
    requested_teams: [],
  };
}

/** An answer as fetch gives it: JSON unless the route answers text or bytes. */
function response(url: string, status: number, payload: unknown, headers: Record<string, string>): Response {
  const empty = status === 204 || status === 304 || (status >= 300 && status < 400 && !payload);
  const text = typeof payload === "string" || payload instanceof Uint8Array;
  const body = empty ? null : text ? (payload as string | Uint8Array<ArrayBuffer>) : JSON.stringify(payload);
  const answer = new Response(body, { status, headers: text || empty ? headers : { "content-type": "application/json; charset=utf-8", ...headers } });
  // A constructed Response has no URL; Octokit reads it (pagination, errors).
  Object.defineProperty(answer, "url", { value: url });
  return answer;
}

function parseBody(body: unknown): unknown {
  if (body === "" || body === undefined || body === null) return undefined;
  if (typeof body === "string") {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  return body;
}
