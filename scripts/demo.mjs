#!/usr/bin/env node
// `npm run demo`: the GitHub App as a reviewer meets it, offline and without credentials.
// A local GitHub (test/support/github-server: an HTTP API over a git repository in a temporary
// directory) holds the sample repository (fixtures/sample-repo); the real server (`npm start`,
// dist/src/server/main.js) is pointed at it and receives signed webhooks. A coding agent opens a
// pull request with destructive migrations; the demo prints the check run, its annotations, the
// labels and the review requests, then an ineligible approval, the agent's own press of
// "Sign off", a qualified approval, and the gate turning green.
//
// `npm run demo -- --cli` runs the CLI instead: `changegate scan` on the same change.
// `npm run demo -- --keep` keeps the git repository afterwards (with --cli too), to look around.
// `npm run demo -- --record FILE` writes the held check run as the local GitHub recorded it (JSON),
// which scripts/check-run-picture.mjs draws as the README's picture of a blocked pull request.
// Needs Node, git and `npm ci` (which builds dist/ and installs tsx for the local GitHub).
import { spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const keep = args.includes("--keep");
const recordAt = args.indexOf("--record");
const record = recordAt >= 0 ? args[recordAt + 1] : undefined;
if (recordAt >= 0 && !record) {
  console.error("demo: --record needs a file name");
  process.exit(2);
}

if (!existsSync(join(root, "dist", "src", "server", "main.js"))) {
  console.error("demo: dist/ is missing. Run `npm ci` (or `npm run build`) first.");
  process.exit(2);
}

if (args.includes("--cli")) {
  const { runCliDemo } = await import("./demo-cli.mjs");
  process.exit(await runCliDemo(args.filter((a) => a !== "--cli")));
}

const color = process.stdout.isTTY && process.env.NO_COLOR === undefined ? true : process.env.FORCE_COLOR !== undefined && process.env.FORCE_COLOR !== "0";
const paint = (code) => (text) => (color ? `\u001b[${code}m${text}\u001b[0m` : String(text));
const bold = paint("1");
const dim = paint("2");
const red = paint("31");
const green = paint("32");
const yellow = paint("33");
const cyan = paint("36");

// The local GitHub is TypeScript (test tooling); tsx, a devDependency, loads it.
const { register } = await import("tsx/esm/api");
register();
const { GitHubServer } = await import("../test/support/github-server/server.ts");
const { sampleRepository, AGENT, ENGINEER, DBA } = await import("../test/support/github-server/scenario.ts");

const github = await GitHubServer.start();
let app;
let status = 0;
try {
  const sample = sampleRepository(github);
  console.log(bold("changegate demo: the GitHub App, on a local GitHub\n"));
  console.log(`Repository ${cyan(`${github.owner}/${github.repoName}`)} (a git repository in ${dim(github.git.dir)}).`);
  console.log(`${cyan(AGENT)} (a coding agent, started by @${ENGINEER}) opens pull request #${sample.pull.number}: "${sample.pull.title}".`);
  for (const f of github.git.diff(github.git.resolve("main"), sample.head)) console.log(`  ${f.status.padEnd(8)} ${f.filename}`);
  console.log(dim(`\nStarting the server (npm start) with GHE_HOST=${github.host} GHE_PROTOCOL=http and a fresh app key…`));
  app = await startServer(github, sample.app);
  sample.app.webhookUrl = app.webhookUrl;

  const head = sample.head;
  const runOf = () => github.runsFor(head)[0];
  const deliver = async (event, payload, what) => {
    const delivery = await github.deliver(sample.app, event, payload);
    console.log(dim(`\n→ ${what}: webhook ${event}${payload.action ? `.${payload.action}` : ""} delivered, signed (HTTP ${delivery.status})`));
    if (delivery.status >= 300) throw new Error(`the server answered ${delivery.status}: ${delivery.body}`);
  };

  await deliver("pull_request", github.pullRequestEvent("opened", sample.pull.number), "The pull request is opened");
  show(runOf(), sample.pull, github);
  const held = runOf()?.conclusion;
  if (record) writeFileSync(record, `${JSON.stringify(recorded(runOf(), sample, github), null, 2)}\n`);

  const committer = github.review(sample.pull.number, ENGINEER, "APPROVED");
  await deliver("pull_request_review", github.reviewEvent("submitted", committer), `@${ENGINEER} approves (they started the agent and pushed its commits)`);
  showVerdict(runOf());
  showNotCounted(runOf());
  const afterCommitter = runOf()?.conclusion;

  await deliver("check_run", github.checkRunEvent("requested_action", runOf().id, AGENT, "signoff"), `${AGENT} presses "Sign off" on its own pull request`);
  showVerdict(runOf());
  const refused = /### Sign-off refused\n\n((?:- .*\n?)+)/.exec(runOf()?.output.summary ?? "");
  if (refused) console.log(renderMarkdown(refused[1].trim()).replace(/^/gm, "  "));
  const afterAgent = runOf()?.conclusion;

  const dba = github.review(sample.pull.number, DBA, "APPROVED");
  await deliver("pull_request_review", github.reviewEvent("submitted", dba), `@${DBA} (acme/dba, write access) approves`);
  showVerdict(runOf());
  console.log(`  labels: ${sample.pull.labels.map((l) => cyan(l)).join(", ")}`);

  const story = held === "action_required" && afterCommitter === "action_required" && afterAgent === "action_required" && runOf()?.conclusion === "success";
  const problems = github.problems;
  if (problems.length > 0) console.log(red(`\nThe local GitHub refused ${problems.length} request(s):\n  ${problems.join("\n  ")}`));
  if (story && problems.length === 0) {
    console.log(green(bold("\nThe gate is green: a qualified person signed off on exactly these findings.")));
  } else {
    console.log(red(bold("\nThe demo did not go as it should (see above).")));
    status = 1;
  }
  console.log(dim("The same engine as a CLI: npm run demo -- --cli"));
  if (!keep) console.log(dim("To look around the repository afterwards: npm run demo -- --keep"));
} catch (error) {
  console.error(red(`demo: ${error instanceof Error ? error.message : String(error)}`));
  if (app) console.error(app.output().slice(-4000));
  status = 1;
} finally {
  await app?.stop();
  await github.close({ keep });
  if (keep) console.log(`(kept the repository: ${github.git.dir}; try git -C ${github.git.dir} log --all --stat)`);
}
process.exit(status);

function show(run, pull, github) {
  if (!run) throw new Error("no check run was written");
  console.log(`\n${bold("Check run")} ${cyan("changegate")} on ${run.headSha.slice(0, 7)} — what the reviewer sees:\n`);
  showVerdict(run);
  console.log("");
  console.log(renderMarkdown(run.output.summary ?? "").replace(/^/gm, "  │ "));
  console.log(`\n${bold(`Annotations (${run.annotations.length})`)}`);
  for (const a of run.annotations) {
    const level = a.annotation_level === "failure" ? red("failure") : yellow(a.annotation_level);
    console.log(`  ${level.padEnd(color ? 16 : 7)} ${cyan(`${a.path}:${a.start_line}`)}  ${bold(a.title ?? "")}`);
    console.log(dim(`          ${(a.message ?? "").split("\n")[0]}`));
  }
  console.log(`\n${bold("Buttons")}: ${run.actions.map((a) => `[${a.label}]`).join(" ") || "none"}`);
  console.log(`${bold("Labels")}: ${pull.labels.map((l) => cyan(l)).join(", ") || "none"}`);
  const requests = github.reviewRequests.filter((r) => r.pull === pull.number);
  console.log(`${bold("Review requested from")}: ${requests.flatMap((r) => [...r.reviewers.map((u) => `@${u}`), ...r.teamReviewers.map((t) => `team ${github.owner}/${t}`)]).join(", ") || "nobody"}`);
}

/** What a reviewer sees of the held pull request, as the local GitHub recorded it. */
function recorded(run, sample, github) {
  return {
    repository: `${github.owner}/${github.repoName}`,
    pull: { number: sample.pull.number, title: sample.pull.title, author: sample.pull.author, labels: [...sample.pull.labels] },
    check_run: {
      name: run.name,
      head_sha: run.headSha,
      status: run.status,
      conclusion: run.conclusion,
      output: { title: run.output.title, summary: run.output.summary },
      annotations: run.annotations.map((a) => ({ path: a.path, start_line: a.start_line, end_line: a.end_line, annotation_level: a.annotation_level, title: a.title ?? null, message: a.message })),
      actions: run.actions,
    },
    review_requests: github.reviewRequests.filter((r) => r.pull === sample.pull.number),
  };
}

function showVerdict(run) {
  const c = run?.conclusion ?? run?.status;
  const mark = c === "success" ? green("✔ success") : c === "action_required" ? yellow("⏸ action_required") : red(`✖ ${c}`);
  console.log(`  ${mark}  ${bold(run?.output.title ?? "")}`);
}

function showNotCounted(run) {
  const m = /Not counted:\n\n((?:- .*\n?)+)/.exec(run?.output.summary ?? "");
  if (m) console.log(renderMarkdown(m[1].trim()).replace(/^/gm, "  "));
}

/** GitHub-flavoured Markdown, as far as a check-run summary uses it, for a terminal. */
function renderMarkdown(markdown) {
  const out = [];
  const lines = markdown.replace(/<!--[\s\S]*?-->/g, "").split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (/^\|.*\|\s*$/.test(line) && /^\|[\s:|-]+\|\s*$/.test(lines[i + 1] ?? "")) {
      const rows = [line];
      i += 2;
      while (i < lines.length && /^\|.*\|\s*$/.test(lines[i])) rows.push(lines[i++]);
      i--;
      const cells = rows.map((r) => r.trim().slice(1, -1).split("|").map((c) => inline(c.trim())));
      const widths = cells[0].map((_, c) => Math.max(...cells.map((r) => visible(r[c] ?? "").length)));
      cells.forEach((r, n) => {
        out.push(r.map((c, k) => c + " ".repeat(Math.max(0, widths[k] - visible(c).length))).join("  "));
        if (n === 0) out.push(widths.map((w) => "─".repeat(w)).join("  "));
      });
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      out.push(bold(inline(heading[2])));
      continue;
    }
    const quote = /^>\s?(.*)$/.exec(line);
    if (quote) {
      const alert = /^\[!(\w+)\]$/.exec(quote[1]);
      out.push(alert ? yellow(`▌ ${alert[1]}`) : `${yellow("▌")} ${inline(quote[1])}`);
      continue;
    }
    if (/^<\/?details>|^<summary>/.test(line)) {
      out.push(dim(line.replace(/<[^>]+>/g, "")));
      continue;
    }
    out.push(inline(line.replace(/^(\s*)[-*] /, "$1• ")));
  }
  return out.join("\n").replace(/\n{3,}/g, "\n\n").trim();
}

function inline(text) {
  return text
    .replace(/\[([^\]]+)\]\(([^)]+)\)/g, (_, label) => label)
    .replace(/\*\*([^*]+)\*\*/g, (_, t) => bold(t))
    .replace(/`([^`]+)`/g, (_, t) => cyan(t))
    .replace(/(^|\s)_([^_]+)_(?=\s|$|[.,;:])/g, (_, s, t) => `${s}${dim(t)}`);
}

function visible(text) {
  // eslint-disable-next-line no-control-regex -- ANSI colour codes
  return text.replace(/\u001b\[\d+m/g, "");
}

/** The real server in a child process, JSON logs kept for when something goes wrong. */
function startServer(github, appRecord) {
  const env = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? "/tmp",
    NODE_ENV: "production",
    APP_ID: String(appRecord.id),
    PRIVATE_KEY: appRecord.privateKey,
    WEBHOOK_SECRET: appRecord.secret,
    GHE_HOST: github.host,
    GHE_PROTOCOL: "http",
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "info",
  };
  const child = spawn(process.execPath, [join(root, "dist", "src", "server", "main.js")], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] });
  const lines = [];
  const exited = new Promise((resolve) => child.once("exit", resolve));
  return new Promise((resolve, reject) => {
    let buffer = "";
    const onLine = (line) => {
      lines.push(line);
      try {
        const entry = JSON.parse(line);
        if (entry.event === "listening") {
          const url = `http://127.0.0.1:${entry.port}`;
          resolve({
            webhookUrl: `${url}/api/github/webhooks`,
            output: () => lines.join("\n"),
            stop: async () => {
              if (child.exitCode === null) child.kill("SIGTERM");
              await exited;
            },
          });
        }
      } catch {
        // not JSON
      }
    };
    child.stdout.on("data", (chunk) => {
      buffer += chunk.toString("utf8");
      let nl;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
    child.stderr.on("data", (chunk) => lines.push(chunk.toString("utf8")));
    exited.then((code) => reject(new Error(`the server exited (${code}) before listening:\n${lines.join("\n")}`)));
  });
}
