#!/usr/bin/env node
// The CLI is compiled and bundled by `npm run build` (run by `npm ci` through the prepare script):
// dist/cli/ holds it in a few files, which start faster than the hundreds of dist/src/.
import { main } from "../dist/cli/changegate.js";

process.exitCode = await main(process.argv.slice(2));
