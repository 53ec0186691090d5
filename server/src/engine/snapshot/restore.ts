// Production statistics in the embedded database (PGlite, PostgreSQL 18): the schema is built from the repository,
// then each table and index is described by the snapshot instead of being filled with synthetic rows.
//
// - pg_restore_relation_stats / pg_restore_attribute_stats (PostgreSQL 18) write relpages, reltuples, relallvisible
//   and pg_statistic as ANALYZE would have on production.
// - The planner does not trust relpages alone: it reads each relation's physical size (RelationGetNumberOfBlocks in
//   table_block_relation_estimate_size) and scales reltuples/relpages to it; an empty file is "0 rows" whatever pg_class
//   says. So each relation file is extended to production's page count. Measured ways to get the pages (see
//   docs/benchmarks.md): inserting rows costs what the synthetic build costs; extending the file with zero pages
//   (truncate to a larger size) is one call per 1 GB segment, and all-zero pages are valid empty pages to PostgreSQL.
//   In PGlite's memory file system they are not resident until written: 100,000 pages (800 MB) took 0.13 s and under
//   1 MB RSS. Plans are only EXPLAINed: no executor reads them (EXPLAIN ANALYZE would find them empty).
// - Planner settings (random_page_cost, work_mem, enable_*...) are set on the database, for every later session.

import type { ProductionSnapshot, SnapshotColumn, SnapshotRelation } from './format';
import { quoteIdentifier } from '../sqlText';

/** What restore needs of PGlite: queries and its Emscripten file system (working directory = the data directory). */
export interface PgliteLike {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: Row[] }>;
  exec(sql: string): Promise<unknown>;
  Module: { FS: { cwd(): string; stat(path: string): { size: number }; truncate(path: string, length: number): void; writeFile(path: string, data: Uint8Array): void } };
}

export interface RestoreOutcome {
  /** Relations of the snapshot described in the embedded database. */
  relations: number;
  columns: number;
  settings: number;
  /** "schema.name" of snapshot relations the schema does not have (not restored). */
  missingRelations: string[];
  /** Statistics PostgreSQL refused ("public.orders.status: ..."), settings it does not know. */
  problems: string[];
}

/** Settings not given to the embedded database: fixed at server start, or not about planning. */
const SETTINGS_NOT_RESTORED = new Set(['block_size', 'shared_buffers', 'max_parallel_workers', 'maintenance_work_mem', 'effective_io_concurrency', 'jit', 'jit_above_cost', 'jit_inline_above_cost', 'jit_optimize_above_cost']);

export async function restoreSnapshotStatistics(db: PgliteLike, snapshot: ProductionSnapshot): Promise<RestoreOutcome> {
  const outcome: RestoreOutcome = { relations: 0, columns: 0, settings: 0, missingRelations: [], problems: [] };
  const { rows: sizes } = await db.query<{ block_size: string; segment_blocks: string }>(
    `select current_setting('block_size') as block_size, (select setting from pg_settings where name = 'segment_size') as segment_blocks`,
  );
  const blockSize = Number(sizes[0].block_size);
  const segmentBytes = Number(sizes[0].segment_blocks) * blockSize;
  for (const relation of snapshot.relations) {
    const { rows } = await db.query<{ path: string | null }>(
      `select pg_relation_filepath(c.oid) as path from pg_class c join pg_namespace n on n.oid = c.relnamespace where n.nspname = $1 and c.relname = $2`,
      [relation.schema, relation.name],
    );
    if (rows.length === 0) {
      outcome.missingRelations.push(`${relation.schema}.${relation.name}`);
      continue;
    }
    if (relation.kind !== 'partitioned table' && rows[0].path) extendRelationFile(db, rows[0].path, relation.pages * blockSize, segmentBytes);
    await restoreRelation(db, relation, outcome);
    outcome.relations++;
  }
  const [{ database }] = (await db.query<{ database: string }>('select current_database() as database')).rows;
  for (const [name, value] of Object.entries(snapshot.settings)) {
    if (SETTINGS_NOT_RESTORED.has(name)) continue;
    const setting = settingText(value);
    try {
      // Names come from pg_settings (identifiers), values are quoted: the snapshot file is data, not SQL.
      await db.exec(`ALTER DATABASE ${quoteIdentifier(database)} SET ${quoteIdentifier(name)} = '${setting.replace(/'/g, "''")}'`);
      outcome.settings++;
    } catch (error) {
      outcome.problems.push(`setting ${name} = ${setting}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return outcome;
}

/** "524288 8kB" (pg_settings' setting and unit) as a value SET accepts: "4194304kB". */
function settingText(value: string): string {
  const match = /^(-?[\d.]+) (\d*)(B|kB|MB|GB|TB|ms|s|min|h|d)$/.exec(value);
  if (!match) return value;
  const [, amount, multiplier, unit] = match;
  return `${Number(amount) * (multiplier ? Number(multiplier) : 1)}${unit}`;
}

/**
 * Makes the relation's files at least `bytes` long, 1 GB segments as md.c lays them out (every segment but the last
 * full). Never shrinks: rows the migrations inserted stay.
 */
function extendRelationFile(db: PgliteLike, relativePath: string, bytes: number, segmentBytes: number): void {
  const FS = db.Module.FS;
  const base = `${FS.cwd()}/${relativePath}`;
  for (let segment = 0; segment * segmentBytes < bytes; segment++) {
    const file = segment === 0 ? base : `${base}.${segment}`;
    const target = Math.min(segmentBytes, bytes - segment * segmentBytes);
    let current = -1;
    try {
      current = FS.stat(file).size;
    } catch {
      FS.writeFile(file, new Uint8Array(0));
      current = 0;
    }
    if (current < target) FS.truncate(file, target);
  }
}

async function restoreRelation(db: PgliteLike, relation: SnapshotRelation, outcome: RestoreOutcome): Promise<void> {
  const [{ ok }] = (
    await db.query<{ ok: boolean }>(
      `select pg_restore_relation_stats('schemaname', $1::text, 'relname', $2::text, 'relpages', $3::integer, 'reltuples', $4::real, 'relallvisible', $5::integer) as ok`,
      [relation.schema, relation.name, relation.pages, relation.tuples, relation.allVisiblePages],
    )
  ).rows;
  if (!ok) outcome.problems.push(`${relation.schema}.${relation.name}: relation statistics not restored`);
  for (const column of relation.columns) {
    if (await restoreColumn(db, relation, column)) outcome.columns++;
    else outcome.problems.push(`${relation.schema}.${relation.name}.${column.name}: column statistics not restored`);
  }
}

async function restoreColumn(db: PgliteLike, relation: SnapshotRelation, column: SnapshotColumn): Promise<boolean> {
  const args: Array<[string, unknown, string]> = [
    ['schemaname', relation.schema, 'text'],
    ['relname', relation.name, 'text'],
    ['attname', column.name, 'text'],
    ['inherited', column.inherited, 'boolean'],
    ['null_frac', column.nullFrac, 'real'],
    ['avg_width', column.avgWidth, 'integer'],
    ['n_distinct', column.nDistinct, 'real'],
  ];
  if (column.mostCommonVals !== undefined && column.mostCommonFreqs !== undefined) {
    args.push(['most_common_vals', column.mostCommonVals, 'text'], ['most_common_freqs', `{${column.mostCommonFreqs.join(',')}}`, 'real[]']);
  }
  if (column.histogramBounds !== undefined) args.push(['histogram_bounds', column.histogramBounds, 'text']);
  if (column.correlation !== null) args.push(['correlation', column.correlation, 'real']);
  const list = args.map(([key, , type], i) => `'${key}', $${i + 1}::${type}`).join(', ');
  try {
    const { rows } = await db.query<{ ok: boolean }>(`select pg_restore_attribute_stats(${list}) as ok`, args.map(([, value]) => value));
    return rows[0]?.ok === true;
  } catch {
    return false;
  }
}
