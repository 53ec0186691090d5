// The one place pglens starts a PGlite: V8 must be told to optimise WebAssembly before PGlite's module is compiled
// (see v8Tuning.ts), and a call site that forgot would run the embedded database on the baseline tier only.

import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { useOptimisingWasmTiers } from '../../v8Tuning';

/** PGlite.create on `dataDir` (in memory without one), with both WebAssembly tiers. */
export function startPglite(dataDir: string | undefined, options: PGliteOptions = {}): Promise<PGlite> {
  useOptimisingWasmTiers();
  return dataDir === undefined ? PGlite.create(options) : PGlite.create(dataDir, options);
}

/**
 * shared_buffers for a PostgreSQL that holds no rows worth caching. Its buffer pool lives in PGlite's WebAssembly memory
 * and all of it is resident once the server has started: with PGlite's 128 MB, 151 MB of a warm start's 189 MB
 * WebAssembly memory; with 16 MB, 29 MB (docs/benchmarks.md, issue 15). The planner never reads shared_buffers.
 */
export const SMALL_BUFFER_POOL = ['-c', 'shared_buffers=16MB'];
