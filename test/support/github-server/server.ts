/**
 * A local GitHub for tests, the demo and the load test: an HTTP server on loopback that answers
 * the REST endpoints changegate calls from a real git repository on disk, validates every request
 * against GitHub's OpenAPI description, keeps check runs (annotations append, at most 50 per
 * request), labels, review requests and reviews, and delivers webhooks to an app over HTTP signed
 * with its webhook secret. It serves both `/…` and GitHub Enterprise's `/api/v3/…`, so Probot
 * reaches it with `GHE_HOST=127.0.0.1:<port> GHE_PROTOCOL=http`.
 *
 * Not a complete GitHub: one repository, the operations changegate uses, answers shaped like the
 * published examples. A request no route knows, or one GitHub's description does not allow, is
 * answered 404/422 and recorded in `problems`, so a test can insist there are none.
 */
import { createHmac, createPublicKey, generateKeyPairSync, randomBytes, randomUUID, verify } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { GitRepo, type Identity } from "./git.js";
import { requestValidator, type ApiRequest } from "../openapi.js";

export type Role = "admin" | "maintain" | "write" | "triage" | "read";
export type ReviewState = "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED" | "DISMISSED";

export interface Account {
  login: string;
  id: number;
  type: "User" | "Bot";
  name: string;
  email: string;
}

export interface AppRecord {
  id: number;
  slug: string;
  secret: string;
  privateKey: string;
  installationId: number;
  /** Where this app's webhooks go. */
  webhookUrl?: string;
}

export interface PullRecord {
  number: number;
  title: string;
  body: string;
  headRef: string;
  baseRef: string;
  author: string;
  state: "open" | "closed";
  draft: boolean;
  labels: string[];
  requestedReviewers: string[];
  requestedTeams: string[];
  createdAt: string;
}

export interface ReviewRecord {
  id: number;
  pull: number;
  user: string;
  state: ReviewState;
  commitId: string;
  body: string;
  submittedAt: string;
}

export interface Annotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: string;
  message: string;
  title?: string;
  raw_details?: string;
  start_column?: number;
  end_column?: number;
}

export interface CheckRunRecord {
  id: number;
  name: string;
  headSha: string;
  appId: number;
  status: string;
  conclusion: string | null;
  startedAt: string;
  completedAt: string | null;
  detailsUrl: string | null;
  externalId: string | null;
  output: { title: string | null; summary: string | null; text: string | null };
  annotations: Annotation[];
  actions: { label: string; description: string; identifier: string }[];
  /** Every write, in order: the requests' bodies. */
  writes: Record<string, unknown>[];
}

export interface RecordedRequest extends ApiRequest {
  operationId?: string;
  status: number;
  /** Which app (or token) asked; undefined for unauthenticated requests. */
  appId?: number;
  start: number;
  end: number;
}

export interface Fault {
  /** `METHOD /path` (without /api/v3) matched as a regular expression, e.g. /^PATCH \/repos\/.*\/check-runs\//. */
  route: RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests it fails; unlimited when absent. */
  times?: number;
  /** Delay before answering, in ms (a hang, with a large value). */
  delayMs?: number;
}

export interface Delivery {
  id: string;
  event: string;
  status: number;
  body: string;
}

export interface ServerOptions {
  owner?: string;
  repo?: string;
  defaultBranch?: string;
  /** Added to every API answer (the load test's 50 ms). */
  delayMs?: number;
}

/** The token GitHub Actions hands a workflow: an installation token of the github-actions app. */
export const ACTIONS_APP_ID = 15368;
const TEMPLATES = new URL("../../../fixtures/payloads/", import.meta.url);

export class GitHubServer {
  readonly owner: string;
  readonly repoName: string;
  readonly repoId = 186853002;
  readonly git: GitRepo;
  readonly accounts = new Map<string, Account>();
  readonly apps = new Map<number, AppRecord>();
  readonly permissions = new Map<string, Role>();
  /** "org/slug" → login → membership state. */
  readonly teams = new Map<string, Map<string, "active" | "pending">>();
  /** Branch name → the active rules the rules endpoint returns. */
  readonly branchRules = new Map<string, unknown[]>();
  readonly pulls = new Map<number, PullRecord>();
  readonly reviews: ReviewRecord[] = [];
  readonly checkRuns: CheckRunRecord[] = [];
  readonly requests: RecordedRequest[] = [];
  readonly problems: string[] = [];
  readonly labelEvents: { pull: number; action: "added" | "removed"; label: string }[] = [];
  readonly reviewRequests: { pull: number; reviewers: string[]; teamReviewers: string[] }[] = [];
  readonly deliveries: Delivery[] = [];
  readonly faults: Fault[] = [];
  delayMs: number;
  private readonly tokens = new Map<string, { appId: number; installationId: number }>();
  private readonly http: Server;
  private nextId = 1000;
  private port = 0;

  private constructor(options: ServerOptions) {
    this.owner = options.owner ?? "acme";
    this.repoName = options.repo ?? "shop";
    this.git = GitRepo.create(options.defaultBranch ?? "main");
    this.delayMs = options.delayMs ?? 0;
    this.http = createServer((req, res) => void this.handle(req, res));
    this.http.keepAliveTimeout = 60_000;
  }

  static async start(options: ServerOptions = {}): Promise<GitHubServer> {
    const server = new GitHubServer(options);
    requestValidator();
    await new Promise<void>((resolve) => server.http.listen(0, "127.0.0.1", resolve));
    server.port = (server.http.address() as AddressInfo).port;
    return server;
  }

  /** Stops the server and removes its git repository, unless `keep` (the demo's `--keep`). */
  async close(options: { keep?: boolean } = {}): Promise<void> {
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    if (!options.keep) this.git.remove();
  }

  /** `host:port`, for GHE_HOST. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  /** Octokit's base URL for this server (GitHub Enterprise layout). */
  get apiUrl(): string {
    return `${this.url}/api/v3`;
  }

  get defaultBranch(): string {
    return this.git.defaultBranch;
  }

  // ——— scenario set-up —————————————————————————————————————————————————————————

  /** Registers (or returns) an account; bots get an `[bot]`-style type. */
  account(login: string, type: "User" | "Bot" = login.endsWith("[bot]") ? "Bot" : "User"): Account {
    let account = this.accounts.get(login.toLowerCase());
    if (!account) {
      const id = 5_000_000 + this.accounts.size * 17;
      account = { login, id, type, name: login.replace(/\[bot\]$/, ""), email: `${id}+${login}@users.noreply.github.com` };
      this.accounts.set(login.toLowerCase(), account);
    }
    return account;
  }

  identity(login: string): Identity {
    const a = this.account(login);
    return { name: a.name, email: a.email };
  }

  /** Registers a GitHub App with a fresh key pair; its installation is on this repository. */
  registerApp(options: { id: number; slug?: string; secret: string; webhookUrl?: string }): AppRecord {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, privateKeyEncoding: { type: "pkcs1", format: "pem" }, publicKeyEncoding: { type: "spki", format: "pem" } });
    const app: AppRecord = { id: options.id, slug: options.slug ?? "changegate", secret: options.secret, privateKey, installationId: 1, ...(options.webhookUrl ? { webhookUrl: options.webhookUrl } : {}) };
    this.apps.set(app.id, app);
    this.account(`${app.slug}[bot]`, "Bot");
    return app;
  }

  /** An installation token as GitHub Actions gives a workflow (`GITHUB_TOKEN`). */
  actionsToken(): string {
    const token = `ghs_${randomBytes(18).toString("hex")}`;
    this.tokens.set(token, { appId: ACTIONS_APP_ID, installationId: 1 });
    return token;
  }

  setPermission(login: string, role: Role): void {
    this.account(login);
    this.permissions.set(login.toLowerCase(), role);
  }

  setTeamMember(team: string, login: string, state: "active" | "pending" = "active"): void {
    let members = this.teams.get(team.toLowerCase());
    if (!members) this.teams.set(team.toLowerCase(), (members = new Map()));
    members.set(login.toLowerCase(), state);
  }

  /** Makes `changegate` a required check on `branch`, pinned to `appId` when given. */
  requireCheck(branch: string, appId?: number): void {
    this.branchRules.set(branch, [
      {
        type: "required_status_checks",
        ruleset_source_type: "Repository",
        ruleset_source: `${this.owner}/${this.repoName}`,
        ruleset_id: 42,
        parameters: { required_status_checks: [{ context: "changegate", ...(appId !== undefined ? { integration_id: appId } : {}) }], strict_required_status_checks_policy: false },
      },
    ]);
  }

  /** Commits files to a branch (created from the default branch if new), written by `author`. */
  push(branch: string, files: Record<string, string | Uint8Array | null>, options: { message: string; author: string; committer?: string; from?: string; date?: string }): string {
    return this.git.commit({
      branch,
      files,
      message: options.message,
      author: this.identity(options.author),
      committer: this.identity(options.committer ?? options.author),
      ...(options.from ? { from: options.from } : {}),
      ...(options.date ? { date: options.date } : {}),
    });
  }

  openPull(options: { head: string; base?: string; title: string; author: string; body?: string; number?: number; draft?: boolean }): PullRecord {
    this.account(options.author);
    const number = options.number ?? Math.max(0, ...this.pulls.keys()) + 1;
    const pull: PullRecord = {
      number,
      title: options.title,
      body: options.body ?? "",
      headRef: options.head,
      baseRef: options.base ?? this.defaultBranch,
      author: options.author,
      state: "open",
      draft: options.draft ?? false,
      labels: [],
      requestedReviewers: [],
      requestedTeams: [],
      createdAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z"),
    };
    this.pulls.set(number, pull);
    return pull;
  }

  pull(number: number): PullRecord {
    const pull = this.pulls.get(number);
    if (!pull) throw new Error(`no pull request #${number}`);
    return pull;
  }

  headOf(number: number): string {
    return this.git.resolve(this.pull(number).headRef)!;
  }

  /** Submits a review on the pull request's current head (GitHub's clock: whole seconds). */
  review(number: number, login: string, state: Exclude<ReviewState, "DISMISSED">, body = ""): ReviewRecord {
    this.account(login);
    const review: ReviewRecord = { id: this.nextId++, pull: number, user: login, state, commitId: this.headOf(number), body, submittedAt: new Date().toISOString().replace(/\.\d{3}Z$/, "Z") };
    this.reviews.push(review);
    return review;
  }

  dismiss(reviewId: number): ReviewRecord {
    const review = this.reviews.find((r) => r.id === reviewId);
    if (!review) throw new Error(`no review ${reviewId}`);
    review.state = "DISMISSED";
    return review;
  }

  runsFor(sha: string, name = "changegate"): CheckRunRecord[] {
    return this.checkRuns.filter((r) => r.headSha === sha && r.name === name);
  }

  /** A merge queue's group for pull request `number`: a merge commit on a gh-readonly-queue ref. */
  mergeGroup(number: number): { headSha: string; headRef: string; baseSha: string; baseRef: string; message: string } {
    const pull = this.pull(number);
    const baseSha = this.git.resolve(pull.baseRef)!;
    const head = this.headOf(number);
    const message = `Merge pull request #${number} from ${this.owner}/${pull.headRef}\n\n${pull.title}`;
    const headRef = `refs/heads/gh-readonly-queue/${pull.baseRef}/pr-${number}-${baseSha}`;
    const headSha = this.git.merge(pull.baseRef, head, message, this.identity("web-flow"), headRef);
    return { headSha, headRef, baseSha, baseRef: `refs/heads/${pull.baseRef}`, message };
  }

  // ——— webhooks ————————————————————————————————————————————————————————————————

  pullRequestEvent(action: string, number: number, options: { sender?: string; before?: string; changes?: unknown } = {}): Record<string, unknown> {
    const payload = template("pull_request.opened");
    payload.action = action;
    payload.number = number;
    payload.pull_request = this.pullJson(this.pull(number));
    if (action === "synchronize") {
      payload.before = options.before ?? "0".repeat(40);
      payload.after = this.headOf(number);
    }
    if (options.changes !== undefined) payload.changes = options.changes;
    return this.envelope(payload, options.sender ?? this.pull(number).author);
  }

  reviewEvent(action: "submitted" | "dismissed", review: ReviewRecord, sender = review.user): Record<string, unknown> {
    const payload = template("pull_request_review.submitted");
    payload.action = action;
    payload.review = this.reviewJson(review, true);
    payload.pull_request = this.pullJson(this.pull(review.pull));
    return this.envelope(payload, sender);
  }

  checkRunEvent(action: "requested_action" | "rerequested", runId: number, sender: string, identifier?: string): Record<string, unknown> {
    const run = this.checkRuns.find((r) => r.id === runId);
    if (!run) throw new Error(`no check run ${runId}`);
    const payload = template("check_run.requested_action");
    payload.action = action;
    payload.check_run = this.checkRunJson(run);
    if (action === "requested_action") payload.requested_action = { identifier: identifier ?? "signoff" };
    else delete payload.requested_action;
    return this.envelope(payload, sender);
  }

  mergeGroupEvent(group: ReturnType<GitHubServer["mergeGroup"]>, sender = "web-flow"): Record<string, unknown> {
    const payload = template("merge_group.checks_requested");
    const info = this.git.commitInfo(group.headSha);
    payload.merge_group = {
      head_sha: group.headSha,
      head_ref: group.headRef,
      base_sha: group.baseSha,
      base_ref: group.baseRef,
      head_commit: { id: group.headSha, tree_id: info.tree, message: info.message, timestamp: info.committer.date, author: { name: info.author.name, email: info.author.email }, committer: { name: info.committer.name, email: info.committer.email } },
    };
    return this.envelope(payload, sender);
  }

  private envelope(payload: Record<string, unknown>, sender: string): Record<string, unknown> {
    payload.repository = this.repositoryJson();
    payload.installation = { id: 1, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" };
    payload.sender = this.userJson(sender);
    delete payload.organization;
    return payload;
  }

  /** The headers GitHub sends with a delivery, signed with `secret`. */
  static signedHeaders(event: string, body: string, secret: string, id: string = randomUUID()): Record<string, string> {
    return {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/changegate-test",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-github-hook-id": "1",
      "x-github-hook-installation-target-type": "integration",
      "x-hub-signature-256": `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`,
    };
  }

  /**
   * Delivers a webhook to an app over HTTP, as GitHub does: JSON body, event and delivery headers,
   * X-Hub-Signature-256 over the exact bytes. `headers` overrides (or, with null, removes) any.
   */
  async deliver(app: AppRecord | { webhookUrl: string; secret: string }, event: string, payload: unknown, options: { id?: string; headers?: Record<string, string | null>; body?: string; url?: string } = {}): Promise<Delivery> {
    const url = options.url ?? app.webhookUrl;
    if (!url) throw new Error("the app has no webhook URL");
    const body = options.body ?? JSON.stringify(payload);
    const headers: Record<string, string> = GitHubServer.signedHeaders(event, body, app.secret, options.id);
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      if (value === null) delete headers[name];
      else headers[name] = value;
    }
    const response = await fetch(url, { method: "POST", headers, body });
    const delivery: Delivery = { id: headers["x-github-delivery"] ?? "", event, status: response.status, body: await response.text() };
    this.deliveries.push(delivery);
    return delivery;
  }

  // ——— JSON shapes ——————————————————————————————————————————————————————————————

  userJson(login: string): Record<string, unknown> {
    const a = this.account(login);
    const url = `${this.apiUrl}/users/${a.login}`;
    return {
      login: a.login,
      id: a.id,
      node_id: Buffer.from(`04:User${a.id}`).toString("base64"),
      avatar_url: `https://avatars.githubusercontent.com/u/${a.id}?v=4`,
      gravatar_id: "",
      url,
      html_url: `${this.url}/${a.login}`,
      followers_url: `${url}/followers`,
      following_url: `${url}/following{/other_user}`,
      gists_url: `${url}/gists{/gist_id}`,
      starred_url: `${url}/starred{/owner}{/repo}`,
      subscriptions_url: `${url}/subscriptions`,
      organizations_url: `${url}/orgs`,
      repos_url: `${url}/repos`,
      events_url: `${url}/events{/privacy}`,
      received_events_url: `${url}/received_events`,
      type: a.type,
      site_admin: false,
    };
  }

  repositoryJson(): Record<string, unknown> {
    const template = (readTemplate("pull_request.opened").repository ?? {}) as Record<string, unknown>;
    const api = `${this.apiUrl}/repos/${this.owner}/${this.repoName}`;
    return {
      ...template,
      id: this.repoId,
      node_id: "MDEwOlJlcG9zaXRvcnkxODY4NTMwMDI=",
      name: this.repoName,
      full_name: `${this.owner}/${this.repoName}`,
      private: true,
      owner: { ...this.userJson(this.owner), type: "Organization" },
      html_url: `${this.url}/${this.owner}/${this.repoName}`,
      url: api,
      default_branch: this.defaultBranch,
    };
  }

  pullJson(pull: PullRecord): Record<string, unknown> {
    const template = readTemplate("pull_request.opened").pull_request as Record<string, unknown>;
    const head = this.git.resolve(pull.headRef);
    const base = this.git.resolve(pull.baseRef)!;
    const mergeBase = head ? this.git.mergeBase(base, head) : undefined;
    const files = head && mergeBase ? this.git.diff(mergeBase, head) : [];
    const commits = head && mergeBase ? this.git.commitsBetween(mergeBase, head) : [];
    const api = `${this.apiUrl}/repos/${this.owner}/${this.repoName}`;
    const html = `${this.url}/${this.owner}/${this.repoName}/pull/${pull.number}`;
    const side = (ref: string, sha: string | undefined) => ({ label: `${this.owner}:${ref}`, ref, sha: sha ?? "0".repeat(40), user: this.userJson(this.owner), repo: this.repositoryJson() });
    return {
      ...template,
      url: `${api}/pulls/${pull.number}`,
      id: 100_000 + pull.number,
      node_id: Buffer.from(`011:PullRequest${pull.number}`).toString("base64"),
      html_url: html,
      diff_url: `${html}.diff`,
      patch_url: `${html}.patch`,
      issue_url: `${api}/issues/${pull.number}`,
      number: pull.number,
      state: pull.state,
      locked: false,
      title: pull.title,
      user: this.userJson(pull.author),
      body: pull.body,
      created_at: pull.createdAt,
      updated_at: pull.createdAt,
      closed_at: null,
      merged_at: null,
      merge_commit_sha: null,
      assignee: null,
      assignees: [],
      requested_reviewers: pull.requestedReviewers.map((l) => this.userJson(l)),
      requested_teams: pull.requestedTeams.map((slug) => ({ id: 1, node_id: "T", url: "", html_url: "", name: slug, slug, description: null, privacy: "closed", permission: "push", members_url: "", repositories_url: "", parent: null, notification_setting: "notifications_enabled" })),
      labels: pull.labels.map((name, i) => ({ id: 2000 + i, node_id: "L", url: `${api}/labels/${encodeURIComponent(name)}`, name, color: "ededed", default: false, description: null })),
      milestone: null,
      commits_url: `${api}/pulls/${pull.number}/commits`,
      review_comments_url: `${api}/pulls/${pull.number}/comments`,
      review_comment_url: `${api}/pulls/comments{/number}`,
      comments_url: `${api}/issues/${pull.number}/comments`,
      statuses_url: `${api}/statuses/${head ?? ""}`,
      head: side(pull.headRef, head),
      base: side(pull.baseRef, base),
      author_association: this.permissions.has(pull.author.toLowerCase()) ? "COLLABORATOR" : "CONTRIBUTOR",
      auto_merge: null,
      active_lock_reason: null,
      draft: pull.draft,
      merged: false,
      mergeable: null,
      rebaseable: null,
      mergeable_state: "unknown",
      merged_by: null,
      comments: 0,
      review_comments: 0,
      maintainer_can_modify: false,
      commits: commits.length,
      additions: files.reduce((n, f) => n + f.additions, 0),
      deletions: files.reduce((n, f) => n + f.deletions, 0),
      changed_files: files.length,
    };
  }

  reviewJson(review: ReviewRecord, webhook = false): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${this.owner}/${this.repoName}`;
    return {
      id: review.id,
      node_id: Buffer.from(`017:PullRequestReview${review.id}`).toString("base64"),
      user: this.userJson(review.user),
      body: review.body,
      commit_id: review.commitId,
      submitted_at: review.submittedAt,
      // The REST API says APPROVED, the webhook says approved.
      state: webhook ? review.state.toLowerCase() : review.state,
      html_url: `${this.url}/${this.owner}/${this.repoName}/pull/${review.pull}#pullrequestreview-${review.id}`,
      pull_request_url: `${api}/pulls/${review.pull}`,
      author_association: this.permissions.has(review.user.toLowerCase()) ? "COLLABORATOR" : "NONE",
      _links: { html: { href: "" }, pull_request: { href: `${api}/pulls/${review.pull}` } },
    };
  }

  checkRunJson(run: CheckRunRecord): Record<string, unknown> {
    const api = `${this.apiUrl}/repos/${this.owner}/${this.repoName}`;
    const app = this.apps.get(run.appId);
    const pulls = [...this.pulls.values()].filter((p) => p.state === "open" && this.git.resolve(p.headRef) === run.headSha);
    return {
      id: run.id,
      node_id: Buffer.from(`08:CheckRun${run.id}`).toString("base64"),
      head_sha: run.headSha,
      external_id: run.externalId ?? "",
      url: `${api}/check-runs/${run.id}`,
      html_url: `${this.url}/${this.owner}/${this.repoName}/runs/${run.id}`,
      details_url: run.detailsUrl,
      status: run.status,
      conclusion: run.conclusion,
      started_at: run.startedAt,
      completed_at: run.completedAt,
      output: { ...run.output, annotations_count: run.annotations.length, annotations_url: `${api}/check-runs/${run.id}/annotations` },
      name: run.name,
      check_suite: { id: 7_000_000 + run.appId },
      app: { id: run.appId, slug: app?.slug ?? (run.appId === ACTIONS_APP_ID ? "github-actions" : "app"), node_id: "A", owner: this.userJson(this.owner), name: app?.slug ?? "github-actions", description: "", external_url: "", html_url: "", created_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-01T00:00:00Z", permissions: {}, events: [] },
      pull_requests: pulls.map((p) => ({ url: `${api}/pulls/${p.number}`, id: 100_000 + p.number, number: p.number, head: { ref: p.headRef, sha: run.headSha, repo: { id: this.repoId, url: api, name: this.repoName } }, base: { ref: p.baseRef, sha: this.git.resolve(p.baseRef), repo: { id: this.repoId, url: api, name: this.repoName } } })),
      actions: run.actions,
    };
  }

  private commitJson(sha: string): Record<string, unknown> {
    const info = this.git.commitInfo(sha);
    const api = `${this.apiUrl}/repos/${this.owner}/${this.repoName}`;
    const byEmail = (email: string) => [...this.accounts.values()].find((a) => a.email.toLowerCase() === email.toLowerCase());
    const author = byEmail(info.author.email);
    const committer = byEmail(info.committer.email);
    return {
      sha,
      node_id: "C",
      url: `${api}/commits/${sha}`,
      html_url: `${this.url}/${this.owner}/${this.repoName}/commit/${sha}`,
      comments_url: `${api}/commits/${sha}/comments`,
      commit: {
        url: `${api}/git/commits/${sha}`,
        author: info.author,
        committer: info.committer,
        message: info.message,
        tree: { sha: info.tree, url: `${api}/git/trees/${info.tree}` },
        comment_count: 0,
        verification: { verified: false, reason: "unsigned", signature: null, payload: null, verified_at: null },
      },
      author: author ? this.userJson(author.login) : null,
      committer: committer ? this.userJson(committer.login) : null,
      parents: info.parents.map((p) => ({ sha: p, url: `${api}/commits/${p}`, html_url: "" })),
    };
  }

  // ——— HTTP —————————————————————————————————————————————————————————————————————

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const start = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? "/", this.url);
    const path = url.pathname.replace(/^\/api\/v3(?=\/)/, "");
    const raw = Buffer.concat(chunks).toString("utf8");
    let body: unknown;
    if (raw !== "") {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const request: RecordedRequest = { method: req.method ?? "GET", path, query: Object.fromEntries(url.searchParams), body, status: 0, start, end: start };
    const operationId = requestValidator().operationOf(request);
    if (operationId) request.operationId = operationId;
    this.requests.push(request);

    let answer: Answer;
    const fault = this.faults.find((f) => f.route.test(`${request.method} ${path}`) && (f.times === undefined || f.times > 0));
    try {
      if (fault) {
        if (fault.times !== undefined) fault.times--;
        if (fault.delayMs) await sleep(fault.delayMs);
        answer = { status: fault.status, body: fault.body ?? { message: "Server Error" }, headers: fault.headers ?? {} };
      } else {
        answer = this.authenticate(req, request) ?? this.validated(request) ?? this.route(request, req);
      }
    } catch (error) {
      answer = { status: 500, body: { message: error instanceof Error ? error.message : String(error) } };
    }
    if (this.delayMs > 0) await sleep(this.delayMs);
    request.status = answer.status;
    request.end = Date.now();
    const headers: Record<string, string> = {
      "x-github-media-type": "github.v3; format=json",
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      "x-ratelimit-resource": "core",
      "x-github-request-id": randomUUID(),
      ...answer.headers,
    };
    if (Buffer.isBuffer(answer.body)) {
      res.writeHead(answer.status, { "content-type": "application/vnd.github.raw", ...headers }).end(answer.body);
    } else if (typeof answer.body === "string") {
      res.writeHead(answer.status, { "content-type": "application/vnd.github.raw; charset=utf-8", ...headers }).end(answer.body);
    } else if (answer.status === 204) {
      res.writeHead(204, headers).end();
    } else {
      res.writeHead(answer.status, { "content-type": "application/json; charset=utf-8", ...headers }).end(JSON.stringify(answer.body ?? {}));
    }
  }

  /** Who is asking: the app's JWT for the token exchange, an installation token for the rest. */
  private authenticate(req: IncomingMessage, request: RecordedRequest): Answer | undefined {
    const header = req.headers.authorization ?? "";
    const [scheme, credential] = header.split(" ");
    if (request.method === "POST" && /^\/app\/installations\/\d+\/access_tokens$/.test(request.path)) {
      if (scheme?.toLowerCase() !== "bearer" || !credential) return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      const appId = this.verifyJwt(credential);
      if (appId === undefined) return { status: 401, body: { message: "A JSON web token could not be decoded" } };
      request.appId = appId;
      const token = `ghs_${randomBytes(18).toString("hex")}`;
      this.tokens.set(token, { appId, installationId: 1 });
      return {
        status: 201,
        body: {
          token,
          expires_at: new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, "Z"),
          permissions: { checks: "write", pull_requests: "write", issues: "write", contents: "read", metadata: "read", members: "read", merge_queues: "read" },
          repository_selection: "all",
        },
      };
    }
    const found = credential ? this.tokens.get(credential) : undefined;
    if (!found) return { status: 401, body: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } };
    request.appId = found.appId;
    return undefined;
  }

  private verifyJwt(jwt: string): number | undefined {
    const [h, p, s] = jwt.split(".");
    if (!h || !p || !s) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as { iss?: string | number; exp?: number };
      const app = this.apps.get(Number(claims.iss));
      if (!app) return undefined;
      const ok = verify("RSA-SHA256", Buffer.from(`${h}.${p}`), createPublicKey(app.privateKey), Buffer.from(s, "base64url"));
      if (!ok || (claims.exp !== undefined && claims.exp * 1000 < Date.now())) return undefined;
      return app.id;
    } catch {
      return undefined;
    }
  }

  private validated(request: RecordedRequest): Answer | undefined {
    const problems = requestValidator().validate(request);
    if (problems.length === 0) return undefined;
    this.problems.push(...problems);
    if (problems.some((p) => p.includes("no such operation"))) return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
    return { status: 422, body: { message: "Invalid request.", errors: problems, documentation_url: "https://docs.github.com/rest" } };
  }

  private route(r: RecordedRequest, req: IncomingMessage): Answer {
    const repoPath = `/repos/${this.owner}/${this.repoName}`;
    let m: RegExpExecArray | null;
    if ((m = /^\/orgs\/([^/]+)\/teams\/([^/]+)\/memberships\/([^/]+)$/.exec(r.path)) && r.method === "GET") {
      // A workflow's GITHUB_TOKEN has no organisation permissions: team membership is out of its reach.
      if (r.appId === ACTIONS_APP_ID) return { status: 403, body: { message: "Resource not accessible by integration", documentation_url: "https://docs.github.com/rest/teams/members#get-team-membership-for-a-user" } };
      const state = this.teams.get(`${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`.toLowerCase())?.get(decodeURIComponent(m[3]!).toLowerCase());
      return state ? { status: 200, body: { url: "", role: "member", state } } : notFound();
    }
    if (r.method === "POST" && (r.path === "/api/graphql" || r.path === "/graphql")) return this.graphql(r);
    if (!r.path.startsWith(`${repoPath}/`)) return this.unknown(r);
    const rest = r.path.slice(repoPath.length);
    const get = r.method === "GET";

    if (get && (m = /^\/pulls\/(\d+)$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      return pull ? ok(this.pullJson(pull)) : notFound();
    }
    if (get && (m = /^\/pulls\/(\d+)\/files$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return notFound();
      const head = this.headOf(pull.number);
      const base = this.git.mergeBase(this.git.resolve(pull.baseRef)!, head)!;
      const api = `${this.apiUrl}${repoPath}`;
      const files = this.git.diff(base, head).slice(0, 3000).map((f) => ({
        sha: f.status === "removed" ? null : (this.git.treeOf(head).find((e) => e.path === f.filename)?.sha ?? null),
        filename: f.filename,
        status: f.status,
        additions: f.additions,
        deletions: f.deletions,
        changes: f.additions + f.deletions,
        blob_url: `${this.url}/${this.owner}/${this.repoName}/blob/${head}/${f.filename}`,
        raw_url: `${this.url}/${this.owner}/${this.repoName}/raw/${head}/${f.filename}`,
        contents_url: `${api}/contents/${encodeURIComponent(f.filename)}?ref=${head}`,
        ...(f.previous_filename ? { previous_filename: f.previous_filename } : {}),
      }));
      return this.page(r, req, files, 30);
    }
    if (get && (m = /^\/pulls\/(\d+)\/commits$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return notFound();
      const head = this.headOf(pull.number);
      const base = this.git.mergeBase(this.git.resolve(pull.baseRef)!, head)!;
      return this.page(r, req, this.git.commitsBetween(base, head).slice(0, 250).map((sha) => this.commitJson(sha)), 30);
    }
    if (get && (m = /^\/pulls\/(\d+)\/reviews$/.exec(rest))) {
      const n = Number(m[1]);
      return this.page(r, req, this.reviews.filter((rv) => rv.pull === n).map((rv) => this.reviewJson(rv)), 30);
    }
    if (r.method === "POST" && (m = /^\/pulls\/(\d+)\/requested_reviewers$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return notFound();
      const body = r.body as { reviewers?: string[]; team_reviewers?: string[] };
      const reviewers = body.reviewers ?? [];
      const teamReviewers = body.team_reviewers ?? [];
      if (reviewers.some((l) => l.toLowerCase() === pull.author.toLowerCase())) return { status: 422, body: { message: "Review cannot be requested from pull request author." } };
      if (reviewers.some((l) => !this.permissions.has(l.toLowerCase()))) return { status: 422, body: { message: "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the acme/shop repository." } };
      this.reviewRequests.push({ pull: pull.number, reviewers, teamReviewers });
      for (const l of reviewers) if (!pull.requestedReviewers.some((x) => x.toLowerCase() === l.toLowerCase())) pull.requestedReviewers.push(l);
      for (const t of teamReviewers) if (!pull.requestedTeams.includes(t)) pull.requestedTeams.push(t);
      return { status: 201, body: this.pullJson(pull) };
    }
    if (r.method === "POST" && (m = /^\/issues\/(\d+)\/labels$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return notFound();
      const body = r.body as { labels?: (string | { name: string })[] };
      for (const l of body.labels ?? []) {
        const name = typeof l === "string" ? l : l.name;
        if (!pull.labels.some((x) => x.toLowerCase() === name.toLowerCase())) {
          pull.labels.push(name);
          this.labelEvents.push({ pull: pull.number, action: "added", label: name });
        }
      }
      return ok((this.pullJson(pull).labels as unknown[]) ?? []);
    }
    if (r.method === "DELETE" && (m = /^\/issues\/(\d+)\/labels\/(.+)$/.exec(rest))) {
      const pull = this.pulls.get(Number(m[1]));
      if (!pull) return notFound();
      const name = decodeURIComponent(m[2]!);
      const at = pull.labels.findIndex((x) => x.toLowerCase() === name.toLowerCase());
      if (at < 0) return { status: 404, body: { message: "Label does not exist" } };
      pull.labels.splice(at, 1);
      this.labelEvents.push({ pull: pull.number, action: "removed", label: name });
      return ok(this.pullJson(pull).labels);
    }
    if (get && (m = /^\/contents\/(.*)$/.exec(rest))) {
      const path = decodeURIComponent(m[1]!).replace(/^\/+|\/+$/g, "");
      const sha = this.git.resolve(r.query.ref ?? this.defaultBranch);
      if (!sha) return { status: 404, body: { message: `No commit found for the ref ${r.query.ref}` } };
      const bytes = this.git.read(sha, path);
      const api = `${this.apiUrl}${repoPath}`;
      if (bytes === undefined) {
        const entries = this.git.treeOf(sha).filter((e) => (path === "" ? !e.path.includes("/") : e.path.startsWith(`${path}/`) && !e.path.slice(path.length + 1).includes("/")));
        if (entries.length === 0) return notFound();
        return ok(entries.map((e) => ({ type: e.type === "tree" ? "dir" : "file", size: e.size ?? 0, name: e.path.split("/").pop(), path: e.path, sha: e.sha, url: `${api}/contents/${e.path}`, git_url: null, html_url: null, download_url: null, _links: { self: "", git: null, html: null } })));
      }
      if (/raw/.test(req.headers.accept ?? "")) return { status: 200, body: isUtf8(bytes) ? bytes.toString("utf8") : bytes };
      const entry = this.git.treeOf(sha).find((e) => e.path === path)!;
      return ok({ type: "file", encoding: "base64", size: bytes.length, name: path.split("/").pop(), path, content: bytes.toString("base64"), sha: entry.sha, url: `${api}/contents/${path}?ref=${sha}`, git_url: null, html_url: null, download_url: null, _links: { self: "", git: null, html: null } });
    }
    if (get && (m = /^\/compare\/(.+)$/.exec(rest))) {
      const [a, b] = decodeURIComponent(m[1]!).split("...");
      const base = a ? this.git.resolve(a) : undefined;
      const head = b ? this.git.resolve(b) : undefined;
      if (!base || !head) return notFound();
      const mergeBase = this.git.mergeBase(base, head);
      if (!mergeBase) return notFound();
      const ahead = this.git.commitsBetween(base, head);
      const behind = this.git.commitsBetween(head, base);
      const perPage = Math.min(Number(r.query.per_page ?? 250), 250);
      const page = Number(r.query.page ?? 1);
      const paged = r.query.per_page !== undefined || r.query.page !== undefined;
      const commits = paged ? ahead.slice((page - 1) * perPage, page * perPage) : ahead.slice(0, 250);
      const api = `${this.apiUrl}${repoPath}`;
      return {
        status: 200,
        body: {
          url: `${api}/compare/${a}...${b}`,
          html_url: "",
          permalink_url: "",
          diff_url: "",
          patch_url: "",
          base_commit: this.commitJson(base),
          merge_base_commit: this.commitJson(mergeBase),
          status: ahead.length === 0 && behind.length === 0 ? "identical" : behind.length === 0 ? "ahead" : ahead.length === 0 ? "behind" : "diverged",
          ahead_by: ahead.length,
          behind_by: behind.length,
          total_commits: ahead.length,
          commits: commits.map((sha) => this.commitJson(sha)),
          ...(page === 1 ? { files: this.git.diff(mergeBase, head).slice(0, 300).map((f) => ({ sha: null, filename: f.filename, status: f.status, additions: f.additions, deletions: f.deletions, changes: f.additions + f.deletions, blob_url: "", raw_url: "", contents_url: "" })) } : {}),
        },
        headers: paged && page * perPage < ahead.length ? { link: this.link(r, req, page + 1, perPage) } : {},
      };
    }
    if (get && (m = /^\/commits\/([^/]+)\/check-runs$/.exec(rest))) {
      const sha = this.git.resolve(decodeURIComponent(m[1]!)) ?? decodeURIComponent(m[1]!);
      let runs = this.checkRuns.filter((run) => run.headSha === sha && (!r.query.check_name || run.name === r.query.check_name) && (!r.query.app_id || run.appId === Number(r.query.app_id)));
      if ((r.query.filter ?? "latest") === "latest") {
        const newest = new Map<string, CheckRunRecord>();
        for (const run of runs) {
          const key = `${run.appId}\0${run.name}`;
          const seen = newest.get(key);
          if (!seen || run.id > seen.id) newest.set(key, run);
        }
        runs = [...newest.values()];
      }
      runs = [...runs].sort((x, y) => y.id - x.id);
      const answer = this.page(r, req, runs.map((run) => this.checkRunJson(run)), 30);
      return { ...answer, body: { total_count: runs.length, check_runs: answer.body } };
    }
    if (get && (m = /^\/commits\/([^/]+)\/pulls$/.exec(rest))) {
      const sha = this.git.resolve(decodeURIComponent(m[1]!));
      const pulls = [...this.pulls.values()].filter((p) => sha && this.git.resolve(p.headRef) === sha);
      return this.page(r, req, pulls.map((p) => this.pullJson(p)), 30);
    }
    if (r.method === "POST" && rest === "/check-runs") {
      const body = r.body as Record<string, unknown>;
      const run: CheckRunRecord = {
        id: this.nextId++,
        name: String(body.name),
        headSha: String(body.head_sha),
        appId: r.appId ?? 0,
        status: "queued",
        conclusion: null,
        startedAt: new Date().toISOString(),
        completedAt: null,
        detailsUrl: null,
        externalId: null,
        output: { title: null, summary: null, text: null },
        annotations: [],
        actions: [],
        writes: [],
      };
      if (!this.git.resolve(run.headSha)) return { status: 422, body: { message: "No commit found for SHA: " + run.headSha } };
      this.checkRuns.push(run);
      applyRunWrite(run, body);
      return { status: 201, body: this.checkRunJson(run) };
    }
    if ((m = /^\/check-runs\/(\d+)$/.exec(rest))) {
      const run = this.checkRuns.find((c) => c.id === Number(m![1]));
      if (!run) return notFound();
      if (get) return ok(this.checkRunJson(run));
      if (r.method === "PATCH") {
        // Only the app that created a run may change it (GitHub's own rule and error text).
        if (run.appId !== r.appId) return { status: 403, body: { message: `Invalid app_id ${r.appId} - check run can only be modified by the GitHub App that created it.` } };
        applyRunWrite(run, r.body as Record<string, unknown>);
        return ok(this.checkRunJson(run));
      }
    }
    if (get && (m = /^\/check-runs\/(\d+)\/annotations$/.exec(rest))) {
      const run = this.checkRuns.find((c) => c.id === Number(m![1]));
      if (!run) return notFound();
      return this.page(r, req, run.annotations.map((a) => ({ ...a, blob_href: "" })), 30);
    }
    if (get && (m = /^\/rules\/branches\/(.+)$/.exec(rest))) {
      return this.page(r, req, this.branchRules.get(decodeURIComponent(m[1]!)) ?? [], 30);
    }
    if (get && (m = /^\/branches\/(.+)$/.exec(rest))) {
      const name = decodeURIComponent(m[1]!);
      const sha = this.git.branchExists(name) ? this.git.resolve(name) : undefined;
      if (!sha) return { status: 404, body: { message: "Branch not found" } };
      return ok({ name, commit: this.commitJson(sha), _links: { self: "", html: "" }, protected: false, protection: { enabled: false, required_status_checks: { enforcement_level: "off", contexts: [], checks: [] } }, protection_url: "" });
    }
    if (get && (m = /^\/collaborators\/([^/]+)\/permission$/.exec(rest))) {
      const login = decodeURIComponent(m[1]!);
      const role = this.permissions.get(login.toLowerCase());
      if (!role) {
        if (!this.accounts.has(login.toLowerCase())) return notFound();
        return ok({ permission: "none", role_name: "none", user: this.userJson(login) });
      }
      const legacy = role === "maintain" ? "write" : role === "triage" ? "read" : role;
      return ok({ permission: legacy, role_name: role, user: this.userJson(login) });
    }
    if (get && (m = /^\/git\/blobs\/([0-9a-f]{40})$/.exec(rest))) {
      const bytes = this.git.blob(m[1]!);
      if (!bytes) return notFound();
      return ok({ sha: m[1]!, node_id: "", size: bytes.length, url: `${this.apiUrl}${repoPath}/git/blobs/${m[1]!}`, content: bytes.toString("base64"), encoding: "base64" });
    }
    if (get && (m = /^\/git\/trees\/([^/]+)$/.exec(rest))) {
      const sha = this.git.resolve(decodeURIComponent(m[1]!));
      if (!sha) return notFound();
      const api = `${this.apiUrl}${repoPath}`;
      const entries = r.query.recursive ? this.git.treeOf(sha) : this.git.treeOf(sha).filter((e) => !e.path.includes("/"));
      return ok({ sha: this.git.commitInfo(sha).tree, url: `${api}/git/trees/${sha}`, tree: entries.map((e) => ({ path: e.path, mode: e.mode, type: e.type, sha: e.sha, ...(e.size !== undefined ? { size: e.size } : {}), url: `${api}/git/${e.type}s/${e.sha}` })), truncated: false });
    }
    return this.unknown(r);
  }

  /** Blobs by object id, the one GraphQL query changegate sends (`bN: object(oid: $oN) { ... on Blob { … } }`). */
  private graphql(r: RecordedRequest): Answer {
    const body = (r.body ?? {}) as { query?: string; variables?: Record<string, unknown> };
    const variables = body.variables ?? {};
    if (variables.owner !== this.owner || variables.name !== this.repoName) {
      return ok({ data: { repository: null }, errors: [{ type: "NOT_FOUND", path: ["repository"], message: `Could not resolve to a Repository with the name '${String(variables.owner)}/${String(variables.name)}'.` }] });
    }
    const repository: Record<string, unknown> = {};
    for (const [, alias, variable] of (body.query ?? "").matchAll(/(\w+):\s*object\(oid:\s*\$(\w+)\)/g)) {
      const bytes = this.git.blob(String(variables[variable!]));
      const binary = bytes?.includes(0) ?? false;
      repository[alias!] = bytes ? { text: binary ? null : bytes.toString("utf8"), isBinary: binary, isTruncated: false } : null;
    }
    return ok({ data: { repository } });
  }

  private page(r: RecordedRequest, req: IncomingMessage, items: unknown[], defaultPerPage: number): Answer {
    const perPage = Math.min(Number(r.query.per_page ?? defaultPerPage), 100);
    const page = Math.max(1, Number(r.query.page ?? 1));
    const headers: Record<string, string> = {};
    if (page * perPage < items.length) headers.link = this.link(r, req, page + 1, perPage, Math.ceil(items.length / perPage));
    return { status: 200, body: items.slice((page - 1) * perPage, page * perPage), headers };
  }

  private link(r: RecordedRequest, req: IncomingMessage, next: number, perPage: number, last?: number): string {
    const prefix = (req.url ?? "").startsWith("/api/v3/") ? "/api/v3" : "";
    const at = (page: number) => {
      const query = new URLSearchParams({ ...r.query, per_page: String(perPage), page: String(page) });
      return `<${this.url}${prefix}${r.path}?${query}>`;
    };
    return [`${at(next)}; rel="next"`, ...(last !== undefined ? [`${at(last)}; rel="last"`] : [])].join(", ");
  }

  private unknown(r: RecordedRequest): Answer {
    this.problems.push(`${r.method} ${r.path}: no route in the local GitHub server`);
    return notFound();
  }
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function notFound(): Answer {
  return { status: 404, body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
}

function applyRunWrite(run: CheckRunRecord, body: Record<string, unknown>): void {
  run.writes.push(body);
  if (typeof body.status === "string") run.status = body.status;
  if (typeof body.conclusion === "string") {
    run.conclusion = body.conclusion;
    run.status = "completed";
    run.completedAt = typeof body.completed_at === "string" ? body.completed_at : new Date().toISOString();
  } else if (body.status === "in_progress" || body.status === "queued") {
    run.conclusion = null;
    run.completedAt = null;
  }
  if (typeof body.details_url === "string") run.detailsUrl = body.details_url;
  if (typeof body.external_id === "string") run.externalId = body.external_id;
  const output = body.output as { title?: string; summary?: string; text?: string; annotations?: Annotation[] } | undefined;
  if (output) {
    if (output.title !== undefined) run.output.title = output.title;
    if (output.summary !== undefined) run.output.summary = output.summary;
    if (output.text !== undefined) run.output.text = output.text;
    // "Each time you update the check run, annotations are appended to the list of annotations that already exist."
    run.annotations.push(...(output.annotations ?? []));
  }
  if (Array.isArray(body.actions)) run.actions = body.actions as CheckRunRecord["actions"];
}

const templates = new Map<string, Record<string, unknown>>();

function readTemplate(name: string): Record<string, unknown> {
  let t = templates.get(name);
  if (!t) {
    t = JSON.parse(readFileSync(new URL(`${name}.json`, TEMPLATES), "utf8")) as Record<string, unknown>;
    templates.set(name, t);
  }
  return t;
}

/** A fresh copy of a published payload (fixtures/payloads), the shape the server fills in. */
function template(name: string): Record<string, unknown> {
  return structuredClone(readTemplate(name));
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return !bytes.includes(0);
  } catch {
    return false;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
