// How V8 runs pglens: the size of the JavaScript heap, and which compilers turn WebAssembly into machine code.
// These are V8 flags set at run time. v8.setFlagsFromString reports an unknown flag on stderr (never stdout, which the
// language server speaks LSP on) and does not throw, so a runtime whose V8 lacks one simply keeps its default.

import * as v8 from 'node:v8';

/**
 * A heap sized for what pglens keeps rather than for how fast it allocates. V8's defaults favour throughput: under a
 * high allocation rate the young generation grows to 2 x 16 MB, and after a full collection the old generation may
 * grow to several times what is live before the next one. Node never tells V8 that the process is idle, so a heap
 * grown during a burst (opening 50 documents, checking 22,000 statements) keeps its size. pglens allocates fast and
 * keeps little (40-60 MB live in both the language server and a large check). Measured with bench/lsp.ts and
 * bench/rss.ts: language server with 50 open documents 220 -> 164 MB, edit-to-diagnostics latency unchanged;
 * `pglens check` of 22,000 statements peak 255-315 -> ~203 MB, the same time. Called first by both entry points.
 */
export function useCompactHeap(): void {
  // The young generation keeps its initial size: more, smaller scavenges instead of 32 MB that stay resident.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  // A full collection once the old generation has grown by a fifth, instead of letting it reach a multiple of what is live.
  v8.setFlagsFromString('--heap-growing-percent=20');
}

// WebAssembly tiers.
//
// V8 compiles WebAssembly with a baseline compiler (Liftoff) and re-compiles hot functions with its optimising one
// (TurboFan) on background threads. libpg_query's build has a few huge functions (the grammar's parser loop), and
// optimising them cost about 50 MB of resident memory: 128 MB after 20,000 parses with tier-up, 74 MB without, and
// no slower over a whole check (bench/rss.ts, docs/benchmarks.md). PGlite, the embedded database, is the other case:
// its planner and executor run in WebAssembly, and the baseline tier alone made a cold build 20 s -> 26.5 s and a
// warm check 4.6 s -> 6.4 s. So: baseline only until this process runs the embedded database, then both tiers
// (libpg_query's module may then be optimised too; the embedded database dominates memory anyway).
// The switches are read when WebAssembly is compiled and when a function is hot enough to re-compile.

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
