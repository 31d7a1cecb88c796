// Bundles two entry points compiled by tsc, so each starts from a few files instead of resolving
// and compiling hundreds:
// - the CLI (dist/src/cli.js) into dist/cli/: only small packages of many modules are bundled
//   (zod alone is 224 modules); commands and parsers stay behind dynamic import(), split by
//   esbuild into chunks loaded when a scan needs them;
// - the GitHub Action's step (dist/src/action/main.js) into dist/action/: Probot and Octokit too,
//   a third of the step's start-up.
// The parsers (WASM and large CommonJS packages) and pino (its transports run files in worker
// threads by path) stay in node_modules, loaded as installed.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const INSTALLED = new Set(["libpg-query", "node-sql-parser", "@ruby/prism", "@lezer/python", "hcl2-parser", "typescript", "pino", "@probot/pino"]);

/** Packages bundled into each entry point; every other package is imported from node_modules. */
const bundles = [
  { entry: "cli.js", name: "changegate", outdir: "cli", bundled: (name) => ["zod", "yaml", "picomatch"].includes(name) },
  { entry: "action/main.js", name: "main", outdir: "action", bundled: (name) => !INSTALLED.has(name) },
];

for (const { entry, name: outName, outdir, bundled } of bundles) {
  rmSync(join(root, "dist", outdir), { recursive: true, force: true });
  await build({
    entryPoints: { [outName]: join(root, "dist", "src", entry) },
    outdir: join(root, "dist", outdir),
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "warning",
    // Bundled CommonJS (picomatch, yaml) calls require() for Node's own modules.
    banner: { js: 'import { createRequire as __changegateRequire } from "node:module"; const require = __changegateRequire(import.meta.url);' },
    plugins: [
      {
        // zod's namespace re-exports every locale (64 of them, most of the bundle's bytes); its
        // messages are English unless a locale is configured, which changegate never does.
        name: "zod-english-only",
        setup(b) {
          b.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({
            contents: 'export { default as en } from "./en.js";',
            resolveDir: join(root, "node_modules", "zod", "v4", "locales"),
          }));
        },
      },
      {
        name: "external-packages",
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith("node:")) return { external: true };
            const name = args.path.startsWith("@") ? args.path.split("/").slice(0, 2).join("/") : args.path.split("/")[0];
            return bundled(name) ? undefined : { external: true };
          });
        },
      },
    ],
  });
}
