#!/usr/bin/env node
// The CLI is compiled and bundled by `npm run build` (run by `npm ci` through the prepare script):
// dist/cli/ holds it in a few files, which start faster than the hundreds of dist/src/.
const { main, useBaselineWasmCompiler } = await import("../dist/cli/changegate.js");
// A scan parses a few files and exits: no background optimisation of the parsers' WebAssembly
// (src/util/one-shot-wasm.ts says why and what it costs otherwise). Parsers load only after this.
useBaselineWasmCompiler();
process.exitCode = await main(process.argv.slice(2));
