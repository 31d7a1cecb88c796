// Replay of the real migration histories, one migration per pull request, as a new user meets
// changegate: what it reports, what it holds, and that it never misses a forward drop.
//
//   npm run build && node --import tsx bench/replay.ts            every migration of all 11 histories
//   node --import tsx bench/replay.ts --last 10                   the last 10 of each history on top of the rest
//   node --import tsx bench/replay.ts --only prisma               the histories whose name contains TEXT
//   node --import tsx bench/replay.ts --baseline 426da36          also a build of that git ref, side by side
//   node --import tsx bench/replay.ts --bin OTHER/bin/changegate.js   also another checkout's build
//   node --import tsx bench/replay.ts --dump FILE                 every finding of this build, as JSON lines
//
// Each history of ../shared/corpus/sql-migrations/ becomes a git repository in bench/.repos/
// (built once, with fixed dates, by one `git fast-import`): a first commit holds the files that
// are not migrations (and the ones never applied on their own: `__init__.py`, seeds); then one
// commit per migration unit, in the order the framework applies them (the migration analyzer's
// own order: version prefixes, Alembic's down_revision chain). A unit is a forward migration file
// with its rollback twin (`x.up.sql` + `x.down.sql`). Migrations without a version in their name
// (Knex's `old_migrations/patch8.sql`) come first, in path order. Each pull request is the scan of
// commit k-1..k with the default policy (no `.github/changegate.yml` in the corpus), author human.
//
// The scans run in-process: the build's own `runScan` (dist/src/commands/scan.js, the code
// behind `changegate scan --format json`, git source included) is imported once and called per
// pull request. The whole process costs about 0.7 s per scan on this machine (Node start-up and
// loading the PostgreSQL parser's WASM each time), so the 2,070 pull requests of the full replay
// would take about 25 minutes per build; in-process it is a few minutes. A baseline build is
// imported the same way from its own dist/ (a `git archive` of the ref under /tmp, built with
// this checkout's node_modules), so both builds run on the same repositories in one process.
//
// The forward-drop check reads every applied migration's forward part itself (rollback files,
// `-- +goose Down` / `-- migrate:down` sections, `def downgrade`, Rails `def down`, Knex `down`,
// Go `down` functions, Django `state_operations` are left out) for DROP …, TRUNCATE and the ORM removals (drop_table,
// remove_column, op.drop_*, RemoveField, DeleteModel, dropColumn …). Each one must have a finding
// of the build in that file whose lines cover it; a drop of an object the same file created
// before it is no loss and is not counted, and a drop inside a SQL string literal (dynamic SQL)
// is found when the file's dynamic SQL is reported (`sql/opaque-code`); a Django DeleteModel of a
// model created as proxy or unmanaged in the same app had no table and is not counted either. The replay exits 1 when one is missed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, appendFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { createLayouts, isMeantToBeEdited, isRollbackFile } from "../src/analyzers/migrations/layouts.js";
import { migrationOrder } from "../src/analyzers/migrations/order.js";
import type { FileChange } from "../src/analyzers/types.js";
import { CORPUS, REPOS, ROOT, walk } from "./corpus.js";

/** Bump when the way replay repositories are built changes: older copies are rebuilt. */
const LAYOUT_VERSION = "1";
const SEVERITIES = ["critical", "high", "medium", "low"] as const;

interface Unit {
  /** The forward file (or the file itself when it has no twin). */
  key: string;
  files: string[];
}

interface History {
  name: string;
  dir: string;
  /** Files of the first commit. */
  support: string[];
  units: Unit[];
}

interface ReplayRepo {
  dir: string;
  /** Commit SHAs: [0] the support commit, [k] after unit k. */
  commits: string[];
}

interface ReportFinding {
  rule: string;
  severity: string;
  file: string;
  line: number;
  endLine?: number;
  side: string;
  message: string;
  object?: string;
}

interface ScanReport {
  findings: ReportFinding[];
  decision: { outcome: string; nonGating: ReportFinding[]; ignored: ReportFinding[] };
}

type RunScan = (args: Record<string, unknown>, io: Record<string, unknown>) => Promise<{ exitCode: number; report?: ScanReport }>;

interface Build {
  label: string;
  runScan: RunScan;
}

interface Figures {
  pulls: number;
  signoff: number;
  findings: number;
  gating: number;
  /** `rule severity` → [all, gating]. */
  byRule: Map<string, [number, number]>;
  drops: number;
  dropsFound: number;
  missed: string[];
  crashes: string[];
}

// --- histories and units ---------------------------------------------------------------------

function histories(only: string | undefined): History[] {
  const root = join(CORPUS, "sql-migrations");
  const layouts = createLayouts();
  const out: History[] = [];
  for (const name of readdirSync(root).sort()) {
    const dir = join(root, name);
    if (!statSync(dir).isDirectory() || (only !== undefined && !name.includes(only))) continue;
    const files = walk(dir);
    const claimed = files.filter((path) => layouts.readerFor(path) !== null);
    const forward = claimed.filter((path) => !isRollbackFile(path) && !isMeantToBeEdited(path) && !/(^|\/)__init__\.py$/.test(path));
    const changes: FileChange[] = forward.map((path) => ({ path, status: "added", base: null, head: { path, text: readFileSync(join(dir, path), "utf8") } }));
    const ordered = migrationOrder(changes, layouts);
    const alone = ordered.filter((o) => o.created === undefined).map((o) => o.change.path).sort();
    const threaded = ordered.filter((o) => o.created !== undefined).map((o) => o.change.path);
    const byStem = new Map<string, Unit>();
    const units: Unit[] = [];
    for (const path of [...alone, ...threaded]) {
      const unit = { key: path, files: [path] };
      units.push(unit);
      byStem.set(stem(path), unit);
    }
    const inUnits = new Set(units.map((u) => u.key));
    const support: string[] = [];
    for (const path of files) {
      if (inUnits.has(path)) continue;
      const twin = isRollbackFile(path) ? byStem.get(stem(path)) : undefined;
      if (twin) twin.files.push(path);
      else support.push(path);
    }
    out.push({ name, dir, support, units });
  }
  return out;
}

/** The name a migration and its rollback twin share. */
function stem(path: string): string {
  return path
    .replace(/\.(up|down)\.sql$/i, "")
    .replace(/_(up|down)\.sql$/i, "")
    .replace(/\/U(\d[\w.]*__[^/]+\.sql)$/, "/V$1");
}

// --- repositories ----------------------------------------------------------------------------

function git(cwd: string, args: string[], input?: Buffer): string {
  const result = spawnSync("git", args, { cwd, input, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`git ${args.join(" ")} failed in ${cwd}: ${result.stderr}`);
  return result.stdout;
}

function replayRepo(history: History): ReplayRepo {
  const dir = join(REPOS, `replay__${history.name}`);
  const listing = JSON.stringify([history.support, history.units]);
  const stamp = createHash("sha256").update(LAYOUT_VERSION).update(listing).digest("hex");
  const stampFile = join(dir, ".git", "changegate-replay.json");
  if (existsSync(stampFile)) {
    const saved = JSON.parse(readFileSync(stampFile, "utf8")) as { stamp: string; commits: string[] };
    if (saved.stamp === stamp) return { dir, commits: saved.commits };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  git(dir, ["init", "-q", "-b", "main"]);
  const parts: Buffer[] = [];
  const commit = (mark: number, message: string, paths: string[]) => {
    parts.push(Buffer.from(`commit refs/heads/main\nmark :${mark}\ncommitter bench <bench@example.com> 1767225600 +0000\ndata ${Buffer.byteLength(message)}\n${message}\n`));
    if (mark > 1) parts.push(Buffer.from(`from :${mark - 1}\n`));
    for (const path of paths) {
      const bytes = readFileSync(join(history.dir, path));
      parts.push(Buffer.from(`M 100644 inline ${path}\ndata ${bytes.length}\n`), bytes, Buffer.from("\n"));
    }
  };
  commit(1, "history without its migrations", history.support);
  history.units.forEach((unit, i) => commit(i + 2, unit.key, unit.files));
  const marks = join(dir, ".git", "replay-marks");
  git(dir, ["fast-import", "--quiet", `--export-marks=${marks}`], Buffer.concat(parts));
  const bySha = new Map<number, string>();
  for (const line of readFileSync(marks, "utf8").split("\n")) {
    const m = /^:(\d+) ([0-9a-f]+)$/.exec(line);
    if (m) bySha.set(Number(m[1]), m[2]!);
  }
  const commits = Array.from({ length: history.units.length + 1 }, (_, i) => bySha.get(i + 1)!);
  git(dir, ["reset", "-q", "--hard", "main"]);
  writeFileSync(stampFile, JSON.stringify({ stamp, commits }));
  return { dir, commits };
}

// --- builds ----------------------------------------------------------------------------------

async function loadBuild(root: string, label: string): Promise<Build> {
  const entry = join(root, "dist", "src", "commands", "scan.js");
  if (!existsSync(entry)) throw new Error(`${entry} is missing: run npm run build in ${root}`);
  const module = (await import(pathToFileURL(entry).href)) as { runScan: RunScan };
  return { label, runScan: module.runScan };
}

/** A build of a git ref of this repository, under /tmp (sources from `git archive`, this checkout's node_modules). */
function buildRef(ref: string): string {
  const sha = git(ROOT, ["rev-parse", "--verify", `${ref}^{commit}`]).trim();
  const dir = join("/tmp", `changegate-replay-${sha.slice(0, 12)}`);
  if (existsSync(join(dir, "dist", "src", "commands", "scan.js"))) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = spawnSync("git", ["archive", "--format=tar", sha], { cwd: ROOT, maxBuffer: 512 * 1024 * 1024 });
  if (archive.status !== 0) throw new Error(`git archive ${sha} failed: ${archive.stderr}`);
  const untar = spawnSync("tar", ["-x", "-C", dir], { input: archive.stdout });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  spawnSync("ln", ["-s", join(ROOT, "node_modules"), join(dir, "node_modules")]);
  const built = spawnSync(process.execPath, [join(ROOT, "node_modules", "typescript-7", "bin", "tsc"), "-p", "tsconfig.build.json"], { cwd: dir, encoding: "utf8" });
  if (built.status !== 0) throw new Error(`building ${ref} failed: ${built.stdout}${built.stderr}`);
  return dir;
}

async function scan(build: Build, repo: ReplayRepo, k: number): Promise<ScanReport> {
  let out = "";
  let err = "";
  const io = { stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) }, cwd: repo.dir, env: {} };
  const result = await build.runScan({ repo: repo.dir, base: repo.commits[k - 1], head: repo.commits[k], format: "json" }, io);
  if (result.exitCode > 1) throw new Error(`scan exited ${result.exitCode}: ${err}`);
  return result.report ?? (JSON.parse(out) as ScanReport);
}

// --- the forward-drop check ------------------------------------------------------------------

interface Drop {
  line: number;
  text: string;
  /** Inside a SQL string literal: dynamic SQL, found when the EXECUTE that runs it is reported. */
  dynamic: boolean;
}

const SQL_DROP =
  /\bDROP\s+(?:TABLE|COLUMN|SCHEMA|DATABASE|VIEW|MATERIALIZED\s+VIEW|INDEX|CONSTRAINT|TRIGGER|FUNCTION|PROCEDURE|TYPE|SEQUENCE|EXTENSION|POLICY|ROLE|USER|PUBLICATION|SUBSCRIPTION|DOMAIN|FOREIGN\s+KEY|PRIMARY\s+KEY|KEY)\b|\bTRUNCATE\b/gi;
const ORM_DROP =
  /\b(?:drop_table|drop_join_table|remove_columns?|remove_index|remove_reference|remove_belongs_to|remove_foreign_key|remove_timestamps|remove_check_constraint|(?:op|batch_op)\.drop_\w+|RemoveField|DeleteModel|RemoveIndex|RemoveConstraint|dropTable|dropTableIfExists|dropColumns?|dropIndex|dropForeign|dropPrimary|dropUnique|removeColumn|removeIndex|removeConstraint)\b/g;
const CREATED_NAME = /\bDROP\s+(TABLE|VIEW|MATERIALIZED\s+VIEW|INDEX|TRIGGER|FUNCTION|PROCEDURE|TYPE|SEQUENCE)\s+(?:IF\s+EXISTS\s+)?((?:[\w"`[\]]+\.)?[\w"`[\]]+)/iy;

function blank(text: string): string {
  return text.replace(/[^\n]/g, " ");
}

/** The text with everything that does not run forward (rollback sections, comments) blanked, lines kept. */
function forwardPart(path: string, text: string): string {
  if (isRollbackFile(path)) return "";
  const lines = text.split("\n");
  const ext = path.slice(path.lastIndexOf(".") + 1).toLowerCase();
  const start =
    ext === "sql" ? /^\s*--\s*(\+goose\s+down|migrate:down|\+migrate\s+down)\b/i
    : ext === "py" ? /^def\s+downgrade\b/
    : ext === "rb" ? /^\s*def\s+(self\.)?down\b/
    : ext === "go" ? /^func\s+\w*[dD]own\w*\s*\(/
    : /^\s*(exports\.down\b|export\s+(async\s+)?function\s+down\b|(async\s+)?down\s*[(:]|public\s+async\s+down\b)/;
  const end =
    ext === "sql" ? /^\s*--\s*(\+goose\s+up|migrate:up|\+migrate\s+up)\b/i
    : ext === "py" ? /^def\s+(?!downgrade\b)\w+/
    : ext === "rb" ? /^\s*def\s+(?!(self\.)?down\b)\w+/
    : ext === "go" ? /^func\s+(?!\w*[dD]own)\w+/
    : /^\s*(exports\.up\b|export\s+(async\s+)?function\s+up\b|(async\s+)?up\s*[(:]|public\s+async\s+up\b)/;
  let skipping = false;
  const comment = ext === "sql" ? /--.*$/ : ext === "py" || ext === "rb" ? /^\s*#.*$/ : /^\s*\/\/.*$/;
  const kept = lines.map((line) => {
    if (skipping && end.test(line)) skipping = false;
    else if (!skipping && start.test(line)) skipping = true;
    return skipping ? "" : line.replace(comment, "");
  });
  let out = kept.join("\n");
  if (ext === "sql") out = out.replace(/\/\*[\s\S]*?\*\//g, blank);
  // Django's SeparateDatabaseAndState(state_operations=[…]) changes the model state, not the database.
  if (ext === "py") {
    for (let at = out.indexOf("state_operations"); at >= 0; at = out.indexOf("state_operations", at + 1)) {
      const open = out.indexOf("[", at);
      let depth = 0;
      let close = open;
      for (; close < out.length; close++) {
        if (out[close] === "[") depth++;
        else if (out[close] === "]" && --depth === 0) break;
      }
      out = out.slice(0, open) + blank(out.slice(open, close)) + out.slice(close);
    }
  }
  return out;
}

function forwardDrops(path: string, text: string): Drop[] {
  const forward = forwardPart(path, text);
  const drops: Drop[] = [];
  const lineOf = (index: number) => forward.slice(0, index).split("\n").length;
  const pattern = path.endsWith(".sql") ? SQL_DROP : new RegExp(`${SQL_DROP.source}|${ORM_DROP.source}`, "gi");
  for (const m of forward.matchAll(pattern)) {
    // MySQL `DROP KEY` and friends only inside ALTER TABLE; a bare KEY elsewhere is a word.
    if (/^DROP\s+KEY$/i.test(m[0]) && !/ALTER\s+TABLE/i.test(forward.slice(Math.max(0, m.index - 2000), m.index))) continue;
    CREATED_NAME.lastIndex = m.index;
    const named = CREATED_NAME.exec(forward);
    if (named) {
      const kind = named[1]!.replace(/\s+/g, "\\s+");
      const name = named[2]!.replace(/[\\^$.*+?()[\]{}|"`]/g, (c) => (c === '"' || c === "`" ? '["`]?' : `\\${c}`));
      const before = forward.slice(0, m.index);
      const created = new RegExp(`\\bCREATE\\s+(?:OR\\s+REPLACE\\s+)?(?:UNIQUE\\s+|TEMP(?:ORARY)?\\s+|MATERIALIZED\\s+)*${kind}\\s+(?:CONCURRENTLY\\s+)?(?:IF\\s+NOT\\s+EXISTS\\s+)?["\`]?${name}["\`]?[\\s(;]`, "i");
      if (created.test(before)) continue;
    }
    const lineStart = forward.lastIndexOf("\n", m.index) + 1;
    const quotes = forward.slice(lineStart, m.index).split("'").length - 1;
    drops.push({ line: lineOf(m.index), text: m[0], dynamic: path.endsWith(".sql") && quotes % 2 === 1 });
  }
  return drops;
}

function covered(drop: Drop, file: string, findings: ReportFinding[]): boolean {
  if (drop.dynamic && findings.some((f) => f.file === file && f.rule === "sql/opaque-code")) return true;
  return findings.some((f) => f.file === file && f.side !== "base" && f.line <= drop.line && drop.line <= Math.max(f.endLine ?? f.line, f.line));
}

// --- the replay ------------------------------------------------------------------------------

function emptyFigures(): Figures {
  return { pulls: 0, signoff: 0, findings: 0, gating: 0, byRule: new Map(), drops: 0, dropsFound: 0, missed: [], crashes: [] };
}

function tally(figures: Figures, report: ScanReport): void {
  const nonGating = new Set(report.decision.nonGating.map((f) => JSON.stringify(f)));
  const ignored = new Set(report.decision.ignored.map((f) => JSON.stringify(f)));
  figures.pulls++;
  if (report.decision.outcome !== "pass") figures.signoff++;
  for (const f of report.findings) {
    const key = JSON.stringify(f);
    const gating = !nonGating.has(key) && !ignored.has(key);
    figures.findings++;
    if (gating) figures.gating++;
    const row = `${f.rule} ${f.severity}`;
    const counts = figures.byRule.get(row) ?? [0, 0];
    counts[0]++;
    if (gating) counts[1]++;
    figures.byRule.set(row, counts);
  }
}

/**
 * Django models that never had a table: created with `proxy: True` or `managed: False` in some
 * migration of the same app. Their DeleteModel drops nothing.
 */
function tablelessModels(history: History, file: string): Set<string> {
  const app = file.slice(0, file.lastIndexOf("/"));
  const names = new Set<string>();
  for (const unit of history.units) {
    for (const path of unit.files) {
      if (!path.startsWith(`${app}/`) || !path.endsWith(".py")) continue;
      const text = readFileSync(join(history.dir, path), "utf8");
      for (const part of text.split("migrations.CreateModel(").slice(1)) {
        const name = /name=['"](\w+)['"]/.exec(part)?.[1];
        const options = part.split(/migrations\.\w+\(/)[0]!;
        if (name !== undefined && /['"](proxy['"]:\s*True|managed['"]:\s*False)/.test(options)) names.add(name.toLowerCase());
      }
    }
  }
  return names;
}

function checkDrops(figures: Figures, history: History, unit: Unit, report: ScanReport): void {
  for (const file of unit.files) {
    const text = readFileSync(join(history.dir, file), "utf8");
    const forward = forwardPart(file, text).split("\n");
    let tableless: Set<string> | undefined;
    const drops = forwardDrops(file, text).filter((drop) => {
      if (drop.text !== "DeleteModel") return true;
      const model = /name=['"](\w+)['"]/.exec(forward.slice(drop.line - 1, drop.line + 3).join("\n"))?.[1];
      tableless ??= tablelessModels(history, file);
      return model === undefined || !tableless.has(model.toLowerCase());
    });
    for (const drop of drops) {
      figures.drops++;
      if (covered(drop, file, report.findings)) figures.dropsFound++;
      else figures.missed.push(`${history.name}: ${file}:${drop.line} ${drop.text}`);
    }
  }
}

function option(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

function pct(part: number, whole: number): string {
  return whole === 0 ? "–" : `${Math.round((100 * part) / whole)}%`;
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}

function print(name: string, all: Figures[], labels: string[]): void {
  const w = 12;
  const head = (cells: string[]) => cells.map((c) => c.padStart(w)).join("");
  const diff = all.length === 2;
  console.log(`\n== ${name}`);
  console.log(`  ${"".padEnd(44)}${head([...labels, ...(diff ? ["diff"] : [])])}`);
  const row = (title: string, values: number[], text?: string[]) =>
    console.log(`  ${title.padEnd(44)}${head([...(text ?? values.map(String)), ...(diff ? [signed(values[1]! - values[0]!)] : [])])}`);
  row("pull requests", all.map((f) => f.pulls));
  row("pull requests needing a sign-off", all.map((f) => f.signoff), all.map((f) => `${f.signoff} (${pct(f.signoff, f.pulls)})`));
  row("findings", all.map((f) => f.findings));
  row("gating findings", all.map((f) => f.gating), all.map((f) => `${f.gating} (${pct(f.gating, f.findings)})`));
  row("forward drops found", all.map((f) => f.dropsFound), all.map((f) => `${f.dropsFound}/${f.drops}`));
  if (all.some((f) => f.crashes.length > 0)) row("scans that failed", all.map((f) => f.crashes.length));
  const rows = [...new Set(all.flatMap((f) => [...f.byRule.keys()]))].sort((a, b) => {
    const [ra, sa] = a.split(" ");
    const [rb, sb] = b.split(" ");
    return SEVERITIES.indexOf(sa as never) - SEVERITIES.indexOf(sb as never) || ra!.localeCompare(rb!);
  });
  for (const key of rows) {
    const values = all.map((f) => f.byRule.get(key)?.[0] ?? 0);
    const gating = all.map((f) => f.byRule.get(key)?.[1] ?? 0);
    const text = values.map((v, i) => (gating[i] === 0 ? String(v) : gating[i] === v ? `${v} g` : `${v} (${gating[i]} g)`));
    row(`  ${key}`, values, text);
  }
}

function merge(into: Figures, from: Figures): void {
  into.pulls += from.pulls;
  into.signoff += from.signoff;
  into.findings += from.findings;
  into.gating += from.gating;
  into.drops += from.drops;
  into.dropsFound += from.dropsFound;
  into.missed.push(...from.missed);
  into.crashes.push(...from.crashes);
  for (const [key, [a, g]] of from.byRule) {
    const counts = into.byRule.get(key) ?? [0, 0];
    counts[0] += a;
    counts[1] += g;
    into.byRule.set(key, counts);
  }
}

async function main(): Promise<number> {
  if (!existsSync(join(CORPUS, "sql-migrations"))) {
    console.log("replay: ../shared/corpus is absent; skipped.");
    return 0;
  }
  const last = option("--last") === undefined ? undefined : Number(option("--last"));
  const only = option("--only");
  const dump = option("--dump");
  const builds: Build[] = [];
  const baseline = option("--baseline");
  const bin = option("--bin");
  if (baseline !== undefined) builds.push(await loadBuild(buildRef(baseline), baseline));
  else if (bin !== undefined) builds.push(await loadBuild(resolve(dirname(bin), ".."), "other"));
  builds.push(await loadBuild(ROOT, "this build"));
  if (dump !== undefined) writeFileSync(dump, "");
  const totals = builds.map(() => emptyFigures());
  for (const history of histories(only)) {
    const repo = replayRepo(history);
    const from = last === undefined ? 1 : Math.max(1, history.units.length - last + 1);
    const figures = builds.map(() => emptyFigures());
    for (let k = from; k <= history.units.length; k++) {
      const unit = history.units[k - 1]!;
      for (const [b, build] of builds.entries()) {
        let report: ScanReport;
        try {
          report = await scan(build, repo, k);
        } catch (error) {
          figures[b]!.crashes.push(`${history.name}: ${unit.key}: ${(error as Error).message}`);
          continue;
        }
        tally(figures[b]!, report);
        checkDrops(figures[b]!, history, unit, report);
        if (dump !== undefined && b === builds.length - 1) {
          const gating = new Set(report.decision.nonGating.map((f) => JSON.stringify(f)));
          for (const f of report.findings) appendFileSync(dump, JSON.stringify({ history: history.name, pull: unit.key, gating: !gating.has(JSON.stringify(f)), ...f }) + "\n");
        }
      }
    }
    print(`${history.name}: ${last === undefined ? "every migration" : `the last ${last}`}`, figures, builds.map((b) => b.label));
    figures.forEach((f, i) => merge(totals[i]!, f));
  }
  print("all histories", totals, builds.map((b) => b.label));
  let failed = false;
  for (const [i, total] of totals.entries()) {
    for (const line of total.missed) console.log(`MISSED (${builds[i]!.label}): ${line}`);
    for (const line of total.crashes) console.log(`FAILED SCAN (${builds[i]!.label}): ${line}`);
    if (total.missed.length > 0 || total.crashes.length > 0) failed = true;
  }
  if (failed) console.log("FAILED: a forward drop was not found, or a scan failed");
  return failed ? 1 : 0;
}

process.exitCode = await main();
