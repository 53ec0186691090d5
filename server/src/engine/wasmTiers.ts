// Which V8 compilers turn this process's WebAssembly into machine code.
//
// V8 compiles WebAssembly with a baseline compiler (Liftoff) and re-compiles hot functions with its optimising one
// (TurboFan) on background threads. libpg_query's build has a few huge functions (the grammar's parser loop), and
// optimising them cost about 50 MB of resident memory: 128 MB after 20,000 parses with tier-up, 74 MB without, and
// no slower over a whole check (bench/rss.ts, docs/benchmarks.md). PGlite, the embedded database, is the other case:
// its planner and executor run in WebAssembly, and the baseline tier alone made a cold build 20 s -> 26.5 s and a
// warm check 4.6 s -> 6.4 s. So: baseline only until this process runs the embedded database, then both tiers
// (libpg_query's module may then be optimised too; the embedded database dominates memory anyway).
//
// The switches are V8 flags read when WebAssembly is compiled and when a function is hot enough to re-compile;
// v8.setFlagsFromString reports an unknown flag on stderr (never stdout, which the language server speaks LSP on) and
// does not throw, so a runtime whose V8 lacks them simply keeps its defaults.

import * as v8 from 'node:v8';

let optimisingTiersWanted = false;

/** Before libpg_query is compiled: the baseline tier only, unless the embedded database already asked for both. */
export function useBaselineWasmTierForParser(): void {
  if (!optimisingTiersWanted) v8.setFlagsFromString('--liftoff-only');
}

/** Before PGlite is compiled: both tiers, for good, in this process. */
export function useOptimisingWasmTiers(): void {
  if (optimisingTiersWanted) return;
  optimisingTiersWanted = true;
  v8.setFlagsFromString('--no-liftoff-only');
  v8.setFlagsFromString('--wasm-tier-up');
  v8.setFlagsFromString('--wasm-dynamic-tiering');
}
