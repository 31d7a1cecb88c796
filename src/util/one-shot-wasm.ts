import { setFlagsFromString } from "node:v8";

/**
 * V8 flags for a process that parses a few files and exits (the CLI, the Action's step), set before
 * the first WebAssembly module is compiled. libpg-query's module is large, and its grammar is one
 * huge function: optimising it in the background costs a short scan more time and memory than it
 * ever saves, and a process cannot exit until that work finishes. Node 24 takes 1.6 s of CPU and
 * wall time for it after one parse; Node 20 about a third of an 820-migration scan's CPU. The
 * baseline compiler alone is enough. The App's long-lived server keeps V8's defaults.
 *
 * All three flags, because setting them at run time skips V8's flag implications: Node 20 honours
 * `--liftoff-only` alone, while Node 24 (V8 13) tiers up unless both tiering flags are off too.
 */
export const ONE_SHOT_WASM_FLAGS = ["--liftoff-only", "--no-wasm-tier-up", "--no-wasm-dynamic-tiering"] as const;

export function useBaselineWasmCompiler(): void {
  for (const flag of ONE_SHOT_WASM_FLAGS) setFlagsFromString(flag);
}
