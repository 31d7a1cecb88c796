#!/usr/bin/env node
// The CLI is compiled and bundled by `npm run build` (run by `npm ci` through the prepare script):
// dist/cli/ holds it in a few files, which start faster than the hundreds of dist/src/.
import { setFlagsFromString } from "node:v8";

// libpg-query's WASM module is large: optimising it in the background costs a short-lived scan more
// time and memory (about 20 MiB and a third of the CPU of an 820-migration scan) than it ever
// saves. The baseline compiler alone is enough for a CLI run; the App's long-lived server keeps
// V8's defaults.
setFlagsFromString("--liftoff-only");

const { main } = await import("../dist/cli/changegate.js");
process.exitCode = await main(process.argv.slice(2));
