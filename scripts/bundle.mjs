// Bundles the CLI (dist/src/cli.js, compiled by tsc) into dist/cli/, so `changegate` starts from a
// few files instead of resolving and compiling hundreds (zod alone is 224 modules). Commands and
// parsers stay behind dynamic import(): esbuild splits them into chunks loaded when a scan needs
// them. The parsers (WASM and large CommonJS packages) stay in node_modules, loaded as installed.
import { build } from "esbuild";
import { rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
/** Small packages of many modules: bundled. Every other package is imported from node_modules. */
const BUNDLED = new Set(["zod", "yaml", "picomatch"]);

rmSync(join(root, "dist", "cli"), { recursive: true, force: true });
await build({
  entryPoints: { changegate: join(root, "dist", "src", "cli.js") },
  outdir: join(root, "dist", "cli"),
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
          return BUNDLED.has(name) ? undefined : { external: true };
        });
      },
    },
  ],
});
