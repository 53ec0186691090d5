// The one place pglens starts a PGlite: V8 must be told to optimise WebAssembly before PGlite's module is compiled
// (see v8Tuning.ts), and a call site that forgot would run the embedded database on the baseline tier only.

import { PGlite, type PGliteOptions } from '@electric-sql/pglite';
import { useOptimisingWasmTiers } from '../../v8Tuning';

/** PGlite.create on `dataDir` (in memory without one), with both WebAssembly tiers. */
export function startPglite(dataDir: string | undefined, options: PGliteOptions = {}): Promise<PGlite> {
  useOptimisingWasmTiers();
  return dataDir === undefined ? PGlite.create(options) : PGlite.create(dataDir, options);
}
