// The floor of a whole-process SQL scan: what any Node program that reads a change from git and
// parses it with libpg-query pays before it analyses anything. bench/sql.ts runs it beside
// `changegate scan` and squawk on the same repository, so what the analysis itself costs is the
// difference, and a target below this floor is visibly out of reach on this runtime.
//
//   node bench/parse-floor.mjs REPO BASE HEAD
//
// It does the least changegate must: one `git diff` for the changed paths, one `git cat-file
// --batch` for their blobs, libpg-query loaded with the CLI's V8 flags and every .sql file parsed.
// It prints the files and statements parsed. No policy, no rule, no schema model, no report.
import { execFileSync, spawn } from "node:child_process";
// The V8 flags bin/changegate.js sets, before libpg-query compiles (the one small module of dist/ it loads).
import { useBaselineWasmCompiler } from "../dist/src/util/one-shot-wasm.js";

useBaselineWasmCompiler();

const [repo, base, head] = process.argv.slice(2);
if (!repo || !base || !head) {
  console.error("usage: node bench/parse-floor.mjs REPO BASE HEAD");
  process.exit(2);
}
const pg = await import("libpg-query");
const loading = pg.loadModule();

// `:<old mode> <new mode> <old oid> <new oid> <status>` NUL `<path>` NUL (no renames: -M is off).
const raw = execFileSync("git", ["-C", repo, "diff", "--raw", "-z", "--no-abbrev", base, head], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }).split("\0");
const blobs = [];
for (let i = 0; i + 1 < raw.length; i += 2) {
  const [, , , newOid, status] = raw[i].split(" ");
  if (status !== "D" && raw[i + 1].endsWith(".sql")) blobs.push(newOid);
}

const cat = spawn("git", ["-C", repo, "cat-file", "--batch"], { stdio: ["pipe", "pipe", "inherit"] });
const chunks = [];
cat.stdout.on("data", (chunk) => chunks.push(chunk));
const closed = new Promise((resolve) => cat.on("close", resolve));
cat.stdin.end(blobs.map((oid) => `${oid}\n`).join(""));
await Promise.all([closed, loading]);

const out = Buffer.concat(chunks);
let at = 0;
let files = 0;
let statements = 0;
while (at < out.length) {
  const newline = out.indexOf(10, at);
  const size = Number(out.toString("latin1", at, newline).split(" ")[2]);
  const text = out.toString("utf8", newline + 1, newline + 1 + size);
  at = newline + 1 + size + 1;
  files++;
  try {
    statements += pg.parseSync(text).stmts?.length ?? 0;
  } catch {
    // A file libpg-query rejects still cost its parse.
  }
}
console.log(JSON.stringify({ files, statements }));
