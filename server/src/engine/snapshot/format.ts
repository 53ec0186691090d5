// The production statistics snapshot: what `pglens snapshot` reads from a database and `pglens top`, the embedded
// database and the runtime-cost annotations read back. Plain JSON, meant to be committed or kept as a CI artifact, so
// its keys are written in one order and its lists sorted: the same database gives the same file (docs/production-snapshot.md).

import * as fs from 'node:fs';

export const SNAPSHOT_FORMAT = 'pglens-snapshot';
export const SNAPSHOT_VERSION = 1;

export interface ProductionSnapshot {
  format: typeof SNAPSHOT_FORMAT;
  version: typeof SNAPSHOT_VERSION;
  /** When it was read (ISO 8601, UTC). */
  takenAt: string;
  server: { version: string; versionNum: number; database: string };
  /** Planner settings as pg_settings shows them (`setting` with its unit, e.g. "4MB" written as "4096 kB"). */
  settings: Record<string, string>;
  privacy: SnapshotPrivacy;
  /** Tables, materialized views and indexes, sorted by schema and name. */
  relations: SnapshotRelation[];
  statements: SnapshotStatements;
}

export interface SnapshotPrivacy {
  /** `--with-values`: the values of every column were kept. */
  withValues: boolean;
  /** Columns whose most-common values or histogram bounds were left out, "schema.table.column: why". */
  valuesDropped: string[];
}

export interface SnapshotRelation {
  schema: string;
  name: string;
  kind: 'table' | 'partitioned table' | 'materialized view' | 'index';
  /** For an index: the table it belongs to (same schema). */
  table?: string;
  /** pg_class.relpages, reltuples (-1: never analyzed), relallvisible. */
  pages: number;
  tuples: number;
  allVisiblePages: number;
  /** pg_relation_size of the main fork. */
  bytes: number;
  /** pg_stats of the relation's columns (an index: of its expressions), by column order. */
  columns: SnapshotColumn[];
}

export interface SnapshotColumn {
  name: string;
  /** format_type, e.g. "text", "character(2)", "timestamp with time zone". */
  type: string;
  /** pg_stats.inherited: statistics of the table with its inheritance children (partitioned tables). */
  inherited: boolean;
  nullFrac: number;
  avgWidth: number;
  nDistinct: number;
  correlation: number | null;
  /** Array literals as PostgreSQL prints them ('{a,b}'): absent when dropped (see `valuesDropped`). */
  mostCommonVals?: string;
  mostCommonFreqs?: number[];
  histogramBounds?: string;
  /** Why the values above were left out. */
  valuesDropped?: string;
}

export interface SnapshotStatements {
  /** Whether pg_stat_statements could be read; `note` says why not, or what was left out. */
  available: boolean;
  note?: string;
  /** Sum of total_exec_time of every statement of this database (also those not listed), for "% of DB time". */
  totalMs: number;
  /**
   * Since when pg_stat_statements has counted (pg_stat_statements_info.stats_reset, PostgreSQL 14+; ISO 8601): with
   * `takenAt` the period of the calls, so they can be said per minute. Absent when not known.
   */
  statsReset?: string;
  /** The statements of this database with the most total time, most first. */
  entries: SnapshotStatement[];
}

export interface SnapshotStatement {
  /** libpg_query fingerprint of `query` (../parse/libpgQuery.ts fingerprintOf). */
  fingerprint: string;
  /** The text as pg_stat_statements normalized it (constants as $n), normalized again by libpg_query. */
  query: string;
  calls: number;
  totalMs: number;
  meanMs: number;
  rows: number;
  sharedBlocksHit: number;
  sharedBlocksRead: number;
}

export class SnapshotFileError extends Error {
  constructor(readonly file: string, problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'SnapshotFileError';
  }
}

/** The snapshot as written: two-space JSON and a final newline, keys in the order of the interfaces above. */
export function serializeSnapshot(snapshot: ProductionSnapshot): string {
  return `${JSON.stringify(snapshot, null, 2)}\n`;
}

/** Reads and checks a snapshot file; throws SnapshotFileError with one line for a person. */
export function readSnapshotFile(file: string): ProductionSnapshot {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new SnapshotFileError(file, (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SnapshotFileError(file, `not JSON (${(error as Error).message})`);
  }
  const snapshot = value as Partial<ProductionSnapshot> | null;
  if (!snapshot || typeof snapshot !== 'object' || snapshot.format !== SNAPSHOT_FORMAT) throw new SnapshotFileError(file, `not a pglens snapshot (no "format": "${SNAPSHOT_FORMAT}")`);
  if (snapshot.version !== SNAPSHOT_VERSION) throw new SnapshotFileError(file, `snapshot version ${String(snapshot.version)}; this pglens reads version ${SNAPSHOT_VERSION}`);
  if (!Array.isArray(snapshot.relations) || !snapshot.statements || !Array.isArray(snapshot.statements.entries) || typeof snapshot.takenAt !== 'string') {
    throw new SnapshotFileError(file, 'incomplete snapshot (relations, statements or takenAt missing)');
  }
  return snapshot as ProductionSnapshot;
}

/** "2026-12-03", the date findings name ("planned with production statistics of ..."). */
export function snapshotDate(snapshot: Pick<ProductionSnapshot, 'takenAt'>): string {
  return snapshot.takenAt.slice(0, 10);
}
