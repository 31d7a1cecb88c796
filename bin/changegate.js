#!/usr/bin/env node
// The CLI is compiled by `npm run build` (run by `npm ci` through the prepare script).
import { main } from "../dist/src/cli.js";

process.exitCode = await main(process.argv.slice(2));
