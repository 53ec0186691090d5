// Reads a production statistics snapshot from a database: catalogue statistics and pg_stat_statements only, never a
// row of a table. One READ ONLY transaction with statement and lock timeouts (client.ts), so nothing can change and
// nothing waits long behind a lock; the connection shows as application_name "pglens".

import { withReadOnlyTransaction, type DatabaseClient, type DatabaseSession, type TransactionLimits } from '../db/client';
import { fingerprintOf, loadPgQuery, normalizedText, parseToJson } from '../parse/libpgQuery';
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type ProductionSnapshot, type SnapshotColumn, type SnapshotRelation, type SnapshotStatement } from './format';
import { valuesKept } from './privacy';
import { quoteIdentifier } from '../sqlText';

export interface ReadSnapshotOptions {
  /** Keep the values of every column (`--with-values`). */
  withValues: boolean;
  limits: TransactionLimits;
  /** At most this many statements, by total time (default 500). */
  maxStatements?: number;
  /** The time written as `takenAt` (default now). */
  now?: Date;
}

/** Settings the planner reads, beyond the "Query Tuning" categories (which give enable_*, the costs, the GEQO ones...). */
const PLANNER_SETTINGS = ['work_mem', 'effective_cache_size', 'effective_io_concurrency', 'shared_buffers', 'block_size', 'max_parallel_workers', 'max_parallel_workers_per_gather', 'maintenance_work_mem', 'hash_mem_multiplier'];

const RELATION_KINDS: Record<string, SnapshotRelation['kind']> = { r: 'table', p: 'partitioned table', m: 'materialized view', i: 'index' };

const USER_SCHEMAS = `n.nspname not in ('pg_catalog', 'information_schema', 'pg_toast') and n.nspname not like 'pg\\_temp\\_%' and n.nspname not like 'pg\\_toast\\_temp\\_%'`;

export async function readProductionSnapshot(db: DatabaseClient, options: ReadSnapshotOptions): Promise<ProductionSnapshot> {
  await loadPgQuery();
  return withReadOnlyTransaction(db, options.limits, async (session) => {
    const [server] = (
      await session.query<{ version: string; version_num: string; database: string }>(
        `select current_setting('server_version') as version, current_setting('server_version_num') as version_num, current_database() as database`,
      )
    ).rows;
    const settings = await readSettings(session);
    const relations = await readRelations(session);
    const valuesDropped = await readColumns(session, relations, options.withValues);
    const statements = await readStatements(session, Number(server.version_num), options.maxStatements ?? 500);
    return {
      format: SNAPSHOT_FORMAT,
      version: SNAPSHOT_VERSION,
      takenAt: (options.now ?? new Date()).toISOString(),
      server: { version: server.version, versionNum: Number(server.version_num), database: server.database },
      settings,
      privacy: { withValues: options.withValues, valuesDropped },
      relations,
      statements,
    };
  });
}

/**
 * Only pg_stat_statements, as the language server's live mode reads it every few minutes (`production.url`): the same
 * READ ONLY transaction, timeouts and application_name as a whole snapshot, nothing of the catalogue besides.
 */
export async function readProductionStatements(
  db: DatabaseClient,
  options: Pick<ReadSnapshotOptions, 'limits' | 'maxStatements' | 'now'>,
): Promise<Pick<ProductionSnapshot, 'takenAt' | 'statements'>> {
  await loadPgQuery();
  return withReadOnlyTransaction(db, options.limits, async (session) => {
    const [server] = (await session.query<{ version_num: string }>(`select current_setting('server_version_num') as version_num`)).rows;
    const statements = await readStatements(session, Number(server.version_num), options.maxStatements ?? 500);
    return { takenAt: (options.now ?? new Date()).toISOString(), statements };
  });
}

async function readSettings(session: DatabaseSession): Promise<Record<string, string>> {
  const { rows } = await session.query<{ name: string; setting: string; unit: string | null }>(
    `select name, setting, unit from pg_settings where category like 'Query Tuning%' or name = any($1::text[]) order by name`,
    [PLANNER_SETTINGS],
  );
  return Object.fromEntries(rows.map((row) => [row.name, row.unit ? `${row.setting} ${row.unit}` : row.setting]));
}

async function readRelations(session: DatabaseSession): Promise<SnapshotRelation[]> {
  const { rows } = await session.query<{ schema: string; name: string; relkind: string; table: string | null; pages: number; tuples: number; all_visible: number; bytes: string }>(
    `select n.nspname as schema, c.relname as name, c.relkind, t.relname as table,
            c.relpages as pages, c.reltuples::float8 as tuples, c.relallvisible as all_visible,
            pg_relation_size(c.oid)::text as bytes
       from pg_class c
       join pg_namespace n on n.oid = c.relnamespace
       left join pg_index i on i.indexrelid = c.oid
       left join pg_class t on t.oid = i.indrelid
      where c.relkind in ('r', 'p', 'm', 'i') and ${USER_SCHEMAS}
      order by n.nspname, c.relname`,
  );
  return rows.map((row) => ({
    schema: row.schema,
    name: row.name,
    kind: RELATION_KINDS[row.relkind],
    ...(row.table ? { table: row.table } : {}),
    pages: Number(row.pages),
    tuples: Number(row.tuples),
    allVisiblePages: Number(row.all_visible),
    bytes: Number(row.bytes),
    columns: [],
  }));
}

interface StatsRow {
  schema: string;
  relation: string;
  column: string;
  type: string;
  typcategory: string;
  typtype: string;
  inherited: boolean;
  null_frac: number;
  avg_width: number;
  n_distinct: number;
  correlation: number | null;
  most_common_vals: string | null;
  most_common_freqs: number[] | null;
  histogram_bounds: string | null;
}

/** Fills each relation's columns from pg_stats; returns the columns whose values were left out, with why. */
async function readColumns(session: DatabaseSession, relations: SnapshotRelation[], withValues: boolean): Promise<string[]> {
  // pg_stats shows only the columns this role may read; values are cast to their text form, exactly what
  // pg_restore_attribute_stats takes back.
  const { rows } = await session.query<StatsRow>(
    `select s.schemaname as schema, s.tablename as relation, s.attname as column,
            format_type(a.atttypid, a.atttypmod) as type, ty.typcategory, ty.typtype, s.inherited,
            s.null_frac::float8 as null_frac, s.avg_width, s.n_distinct::float8 as n_distinct, s.correlation::float8 as correlation,
            s.most_common_vals::text as most_common_vals, s.most_common_freqs::float8[] as most_common_freqs,
            s.histogram_bounds::text as histogram_bounds
       from pg_stats s
       join pg_namespace n on n.nspname = s.schemaname
       join pg_class c on c.relnamespace = n.oid and c.relname = s.tablename
       join pg_attribute a on a.attrelid = c.oid and a.attname = s.attname
       join pg_type ty on ty.oid = a.atttypid
      where ${USER_SCHEMAS}
      order by s.schemaname, s.tablename, a.attnum, s.inherited`,
  );
  const byName = new Map(relations.map((relation) => [`${relation.schema}.${relation.name}`, relation]));
  const dropped: string[] = [];
  for (const row of rows) {
    const relation = byName.get(`${row.schema}.${row.relation}`);
    if (!relation) continue;
    const tableRows = relation.kind === 'index' ? (byName.get(`${row.schema}.${relation.table}`)?.tuples ?? relation.tuples) : relation.tuples;
    const kept = valuesKept({ name: row.column, typeCategory: row.typcategory, typeType: row.typtype, nDistinct: Number(row.n_distinct), tableRows }, withValues);
    const column: SnapshotColumn = {
      name: row.column,
      type: row.type,
      inherited: row.inherited,
      nullFrac: Number(row.null_frac),
      avgWidth: Number(row.avg_width),
      nDistinct: Number(row.n_distinct),
      correlation: row.correlation === null ? null : Number(row.correlation),
    };
    if (kept.mostCommon && row.most_common_vals !== null) {
      column.mostCommonVals = row.most_common_vals;
      column.mostCommonFreqs = (row.most_common_freqs ?? []).map(Number);
    }
    if (kept.histogram && row.histogram_bounds !== null) column.histogramBounds = row.histogram_bounds;
    const lost = (!kept.mostCommon && row.most_common_vals !== null) || (!kept.histogram && row.histogram_bounds !== null);
    if (lost && kept.reason) {
      column.valuesDropped = kept.reason;
      dropped.push(`${row.schema}.${row.relation}.${row.column}: ${kept.reason}`);
    }
    relation.columns.push(column);
  }
  return dropped;
}

async function readStatements(session: DatabaseSession, serverVersionNum: number, maxStatements: number): Promise<ProductionSnapshot['statements']> {
  const unavailable = (note: string) => ({ available: false, note, totalMs: 0, entries: [] });
  const { rows: extension } = await session.query<{ schema: string }>(
    `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_stat_statements'`,
  );
  if (extension.length === 0) return unavailable('pg_stat_statements is not installed in this database (CREATE EXTENSION pg_stat_statements, with it in shared_preload_libraries)');
  // Before PostgreSQL 13 the columns were total_time and mean_time.
  const time = serverVersionNum >= 130000 ? 'exec_time' : 'time';
  const view = `${quoteIdentifier(extension[0].schema)}.pg_stat_statements`;
  // A savepoint: without shared_preload_libraries the view raises an error, and the snapshot is still worth having.
  await session.exec('SAVEPOINT pglens_statements');
  let rows: Array<{ query: string | null; calls: string; total_ms: number; rows: string; hit: string; read: string }>;
  let totalMs: number;
  let statsReset: string | undefined;
  try {
    const here = `dbid = (select oid from pg_database where datname = current_database())`;
    ({ rows } = await session.query(
      `select query, calls::text, total_${time}::float8 as total_ms, rows::text, shared_blks_hit::text as hit, shared_blks_read::text as read
         from ${view} where ${here} order by total_${time} desc`,
    ));
    totalMs = rows.reduce((sum, row) => sum + Number(row.total_ms), 0);
    // Since when it counts (PostgreSQL 14+): the period that makes calls a rate.
    if (serverVersionNum >= 140000) {
      const { rows: info } = await session.query<{ stats_reset: Date | string | null }>(`select stats_reset from ${quoteIdentifier(extension[0].schema)}.pg_stat_statements_info`);
      const reset = info[0]?.stats_reset;
      if (reset) statsReset = new Date(reset).toISOString();
    }
  } catch (error) {
    await session.exec('ROLLBACK TO SAVEPOINT pglens_statements');
    return unavailable(`pg_stat_statements could not be read: ${(error as Error).message.split('\n')[0]}`);
  }
  // The same fingerprint can be several entries (other users, other search paths, top-level or not): summed.
  const byFingerprint = new Map<string, SnapshotStatement>();
  let hidden = 0;
  let notDml = 0;
  for (const row of rows) {
    if (row.query === null || row.query === '<insufficient privilege>') {
      hidden++;
      continue;
    }
    const statement = describeStatement(row.query);
    if (!statement) {
      notDml++;
      continue;
    }
    const entry = byFingerprint.get(statement.fingerprint) ?? { ...statement, calls: 0, totalMs: 0, meanMs: 0, rows: 0, sharedBlocksHit: 0, sharedBlocksRead: 0 };
    entry.calls += Number(row.calls);
    entry.totalMs += Number(row.total_ms);
    entry.rows += Number(row.rows);
    entry.sharedBlocksHit += Number(row.hit);
    entry.sharedBlocksRead += Number(row.read);
    byFingerprint.set(statement.fingerprint, entry);
  }
  const entries = [...byFingerprint.values()]
    .map((entry) => ({ ...entry, totalMs: round3(entry.totalMs), meanMs: entry.calls > 0 ? round3(entry.totalMs / entry.calls) : 0 }))
    .sort((a, b) => b.totalMs - a.totalMs || (a.fingerprint < b.fingerprint ? -1 : 1));
  const notes = [
    hidden > 0 ? `${hidden} statements of other roles are hidden (grant pg_read_all_stats to see them)` : '',
    notDml > 0 ? `${notDml} statements that are not SELECT/INSERT/UPDATE/DELETE/MERGE, or only read system catalogues, are left out (utility statements keep their constants)` : '',
    entries.length > maxStatements ? `${entries.length - maxStatements} statements with less time are left out` : '',
  ].filter(Boolean);
  return {
    available: true,
    ...(notes.length ? { note: notes.join('; ') } : {}),
    totalMs: round3(totalMs),
    ...(statsReset ? { statsReset } : {}),
    entries: entries.slice(0, maxStatements),
  };
}

const DML = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

/**
 * A pg_stat_statements text as the snapshot keeps it: only plannable statements (pg_stat_statements keeps the constants of
 * utility statements: a password in CREATE ROLE), normalized once more, and not one that reads only system catalogues
 * (monitoring, pglens's own look-ups). Undefined for those left out.
 */
function describeStatement(query: string): { fingerprint: string; query: string } | undefined {
  let tree: { stmts?: Array<{ stmt: Record<string, unknown> }> };
  try {
    tree = parseToJson(query);
  } catch {
    return undefined;
  }
  if (tree.stmts?.length !== 1) return undefined;
  const kind = Object.keys(tree.stmts[0].stmt)[0];
  if (!DML.has(kind)) return undefined;
  const relations: Array<{ schemaname?: string; relname: string }> = [];
  collectRangeVars(tree.stmts[0].stmt, relations);
  if (relations.length > 0 && relations.every((r) => r.schemaname === 'pg_catalog' || r.schemaname === 'information_schema' || r.relname.startsWith('pg_'))) return undefined;
  try {
    const normalized = normalizedText(query);
    return { fingerprint: fingerprintOf(normalized), query: normalized };
  } catch {
    return undefined;
  }
}

function collectRangeVars(node: unknown, out: Array<{ schemaname?: string; relname: string }>): void {
  if (Array.isArray(node)) {
    for (const item of node) collectRangeVars(item, out);
  } else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'RangeVar') out.push(value as { schemaname?: string; relname: string });
      else collectRangeVars(value, out);
    }
  }
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
