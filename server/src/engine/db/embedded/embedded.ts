// The embedded database: PGlite (PostgreSQL 18.6 compiled to WASM, package @electric-sql/pglite 0.5.16, which
// loads its WASM, data files and contrib extensions from node_modules and downloads nothing) with the
// workspace's schema applied and synthetic rows in every table, so queries can be planned with no database
// installed. Building costs seconds (initdb, schema, data), so the built data directory is cached; see
// embeddedCache.ts for the layout and why a session runs on a private copy.

import * as os from 'node:os';
import * as path from 'node:path';
import { promises as fs } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { SMALL_BUFFER_POOL, startPglite } from './startPglite';
import type { DatabaseClient, DatabaseInfo, DatabaseSession, QueryResultRows } from '../client';
import { discoverSchemaFiles } from './schemaDiscovery';
import { applySchemaFiles, readSchemaFiles, type SchemaProblem } from './loadSchema';
import { fillSyntheticData, formatRowCount, type SyntheticDataProblem, type TableVolume } from './syntheticData';
import { loadContribExtensions, requestedExtensions } from './extensions';
import { createHash } from 'node:crypto';
import { serializeSnapshot, snapshotDate, type ProductionSnapshot } from '../../snapshot/format';
import { restoreSnapshotStatistics } from '../../snapshot/restore';
import {
  buildCacheKey,
  cleanStaleWorkDirectories,
  copyDataDirectory,
  ensureInitdbTemplate,
  newWorkDirectory,
  pgliteVersion,
  publishCacheEntry,
  pruneCacheEntries,
  readCacheEntry,
  removeDirectory,
  type CacheEntryMetadata,
} from './embeddedCache';

export interface EmbeddedDatabaseOptions {
  workspaceRoot: string;
  /** `schema` globs from pglens.json, relative to the workspace root; without them migrations are auto-detected. */
  schemaGlobs?: string[];
  /** Rows per table, `{ "orders": 300000, "*": 50000 }`. */
  volumes?: Record<string, number>;
  /** Allowed values per column, `{ "orders.status": ["paid", "open"] }`. */
  values?: Record<string, unknown[]>;
  /** Where built databases are cached; default `$XDG_CACHE_HOME/pglens` or `~/.cache/pglens`. `false`: no cache. */
  cacheDir?: string | false;
  /** Upper bound of synthetic rows over the tables sized by the default volume (default 1,000,000). */
  maxTotalRows?: number;
  onProgress?: (message: string) => void;
  /**
   * Production statistics (`pglens snapshot`): the tables are described by them (sizes, pg_statistic, planner
   * settings) instead of being filled with synthetic rows; see ../../snapshot/restore.ts.
   */
  snapshot?: ProductionSnapshot;
}

/** Bumped whenever schema loading or data generation changes what a built database contains. */
const GENERATOR_VERSION = 4;

export interface EmbeddedDatabase extends DatabaseClient {
  /** Absolute paths of the schema files applied, in order. */
  readonly schemaFiles: string[];
  /** Statements of the schema files that could not be applied and were skipped. */
  readonly schemaProblems: SchemaProblem[];
  /** Tables that could not be (fully) filled with synthetic rows. */
  readonly dataProblems: SyntheticDataProblem[];
  /** Rows per table after generation, keyed `table` or `schema.table`. */
  readonly tableVolumes: Record<string, number>;
  /** True when the database came from the cache rather than being built by this call. */
  readonly fromCache: boolean;
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME) ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'pglens');
}

export async function openEmbeddedDatabase(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const database = await openEmbeddedDatabaseOnce(options);
  // Every plan says where its volumes come from (explain.ts puts this note on each plan, SARIF and hovers show it).
  if (options.snapshot) {
    database.info.syntheticDataNote = `planned with production statistics of ${snapshotDate(options.snapshot)}`;
    database.info.productionStatisticsOf = options.snapshot.takenAt;
  }
  return database;
}

async function openEmbeddedDatabaseOnce(options: EmbeddedDatabaseOptions): Promise<EmbeddedDatabase> {
  const progress = options.onProgress ?? (() => undefined);
  const workspaceRoot = path.resolve(options.workspaceRoot);
  const schemaFiles = await discoverSchemaFiles(workspaceRoot, options.schemaGlobs);
  const files = await readSchemaFiles(schemaFiles);
  const extensionNames = requestedExtensions(files.map((file) => file.text));
  const cacheDir = options.cacheDir === false ? undefined : path.resolve(options.cacheDir ?? defaultCacheDir());
  const key = buildCacheKey({
    generatorVersion: GENERATOR_VERSION,
    pgliteVersion: pgliteVersion(),
    files: files.map((file) => ({ path: path.relative(workspaceRoot, file.path).split(path.sep).join('/'), text: file.text })),
    volumes: options.volumes ?? {},
    values: options.values ?? {},
    maxTotalRows: options.maxTotalRows ?? null,
    snapshot: options.snapshot ? createHash('sha256').update(serializeSnapshot(options.snapshot)).digest('hex') : undefined,
  });

  if (cacheDir) {
    try {
      await fs.mkdir(cacheDir, { recursive: true });
      await cleanStaleWorkDirectories(cacheDir);
      const cached = await openFromCache(cacheDir, key, schemaFiles, memoryParams(options));
      if (cached) return cached;
    } catch (error) {
      progress(`embedded database cache unusable (${(error as Error).message}); building without it`);
      return buildInMemory(options, workspaceRoot, schemaFiles, files, extensionNames, progress);
    }
    try {
      return await buildIntoCache(options, cacheDir, key, workspaceRoot, schemaFiles, files, extensionNames, progress);
    } catch (error) {
      // A full disk or an unwritable cache must not cost the run its database.
      progress(`could not cache the embedded database (${(error as Error).message}); building it in memory`);
      return buildInMemory(options, workspaceRoot, schemaFiles, files, extensionNames, progress);
    }
  }
  return buildInMemory(options, workspaceRoot, schemaFiles, files, extensionNames, progress);
}

interface BuildOutcome {
  schemaProblems: SchemaProblem[];
  dataProblems: SyntheticDataProblem[];
  volumes: TableVolume[];
}

async function buildContents(
  db: PGlite,
  options: EmbeddedDatabaseOptions,
  workspaceRoot: string,
  files: Awaited<ReturnType<typeof readSchemaFiles>>,
  loadedExtensions: string[],
  progress: (message: string) => void,
): Promise<BuildOutcome> {
  progress(`building embedded database from ${files.length} schema file${files.length === 1 ? '' : 's'}…`);
  const schema = await applySchemaFiles(db, files, workspaceRoot, new Set(loadedExtensions));
  if (schema.problems.length > 0) progress(`${schema.problems.length} schema statement${schema.problems.length === 1 ? '' : 's'} skipped (not applicable to the embedded database)`);
  if (options.snapshot) {
    progress(`describing the tables with the production statistics of ${snapshotDate(options.snapshot)}…`);
    const restored = await restoreSnapshotStatistics(db, options.snapshot);
    if (restored.missingRelations.length > 0) progress(`${restored.missingRelations.length} relations of the snapshot are not in the schema (first: ${restored.missingRelations[0]})`);
    if (restored.problems.length > 0) progress(`${restored.problems.length} statistics not restored (first: ${restored.problems[0]})`);
    const volumes: TableVolume[] = options.snapshot.relations
      .filter((relation) => relation.kind !== 'index' && !restored.missingRelations.includes(`${relation.schema}.${relation.name}`))
      .map((relation) => ({ table: relation.schema === 'public' ? relation.name : `${relation.schema}.${relation.name}`, rows: Math.max(0, relation.tuples), source: 'configured' }));
    return { schemaProblems: schema.problems, dataProblems: [], volumes };
  }
  const data = await fillSyntheticData(db, {
    volumes: options.volumes,
    values: options.values,
    maxTotalRows: options.maxTotalRows,
    onProgress: progress,
  });
  return { schemaProblems: schema.problems, dataProblems: data.problems, volumes: data.volumes };
}

/** Names the contrib modules that were handed to PGlite (the CREATE EXTENSION names). */
function loadedExtensionNames(extensions: Record<string, unknown>, requested: string[]): string[] {
  const loaded = new Set(Object.keys(extensions));
  return requested.filter((name) => loaded.has(name.replace(/-/g, '_')));
}

async function buildIntoCache(
  options: EmbeddedDatabaseOptions,
  cacheDir: string,
  key: string,
  workspaceRoot: string,
  schemaFiles: string[],
  files: Awaited<ReturnType<typeof readSchemaFiles>>,
  extensionNames: string[],
  progress: (message: string) => void,
): Promise<EmbeddedDatabase> {
  const started = performance.now();
  const template = await ensureInitdbTemplate(cacheDir, progress);
  const buildDirectory = await newWorkDirectory(cacheDir, 'building');
  try {
    await copyDataDirectory(template, buildDirectory);
    const extensions = await loadContribExtensions(extensionNames);
    const loaded = loadedExtensionNames(extensions, extensionNames);
    const db = await startPglite(buildDirectory, { extensions, startParams: [...BUILD_START_PARAMS, ...memoryParams(options)] });
    let outcome: BuildOutcome;
    try {
      outcome = await buildContents(db, options, workspaceRoot, files, loaded, progress);
      // Writes everything to the data files and lets PostgreSQL drop WAL segments it no longer needs, which
      // keeps the cached directory (and each session's copy of it) small.
      await db.exec('CHECKPOINT');
    } finally {
      await db.close();
    }
    const metadata: CacheEntryMetadata = {
      key,
      pgliteVersion: pgliteVersion(),
      extensions: loaded,
      schemaFiles: schemaFiles.map((file) => path.relative(workspaceRoot, file).split(path.sep).join('/')),
      schemaProblems: outcome.schemaProblems,
      dataProblems: outcome.dataProblems,
      volumes: outcome.volumes,
      buildMilliseconds: Math.round(performance.now() - started),
      builtAt: new Date().toISOString(),
    };
    await publishCacheEntry(cacheDir, buildDirectory, metadata);
  } catch (error) {
    await removeDirectory(buildDirectory);
    throw error;
  }
  await pruneCacheEntries(cacheDir, key);
  const opened = await openFromCache(cacheDir, key, schemaFiles, memoryParams(options), false);
  if (!opened) throw new Error('the embedded database was built but could not be reopened from its cache');
  return opened;
}

/**
 * Opens the cache entry for `key` on a private copy of its data directory. A missing, incomplete or
 * unreadable entry yields undefined (and is deleted when it exists but is broken), so the caller rebuilds.
 */
async function openFromCache(cacheDir: string, key: string, schemaFiles: string[], memory: string[], fromCache = true): Promise<EmbeddedDatabase | undefined> {
  const entry = await readCacheEntry(cacheDir, key);
  if (!entry) return undefined;
  const sessionDirectory = await newWorkDirectory(cacheDir, 'session');
  let db: PGlite | undefined;
  try {
    await copyDataDirectory(entry.directory, sessionDirectory);
    const extensions = await loadContribExtensions(entry.metadata.extensions);
    db = await startPglite(sessionDirectory, { extensions, parsers: PG_COMPATIBLE_PARSERS, startParams: [...SESSION_START_PARAMS, ...memory] });
    // A data directory that starts but lost files fails here rather than in the middle of a check run.
    await db.query('SELECT count(*) FROM pg_class');
    return await EmbeddedPglite.create(db, {
      schemaFiles,
      schemaProblems: entry.metadata.schemaProblems,
      dataProblems: entry.metadata.dataProblems,
      volumes: entry.metadata.volumes,
      fromCache,
      sessionDirectory,
    });
  } catch {
    await db?.close().catch(() => undefined);
    await removeDirectory(sessionDirectory);
    await removeDirectory(entry.directory);
    return undefined;
  }
}

async function buildInMemory(
  options: EmbeddedDatabaseOptions,
  workspaceRoot: string,
  schemaFiles: string[],
  files: Awaited<ReturnType<typeof readSchemaFiles>>,
  extensionNames: string[],
  progress: (message: string) => void,
): Promise<EmbeddedDatabase> {
  progress('starting the embedded PostgreSQL (initdb)…');
  const extensions = await loadContribExtensions(extensionNames);
  const db = await startPglite(undefined, { extensions, parsers: PG_COMPATIBLE_PARSERS, startParams: [...PGlite.defaultStartParams, ...memoryParams(options)] });
  try {
    const outcome = await buildContents(db, options, workspaceRoot, files, loadedExtensionNames(extensions, extensionNames), progress);
    return await EmbeddedPglite.create(db, { schemaFiles, ...outcome, fromCache: false });
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The WAL only has to outlive a crash of the build, which discards the build anyway: without full-page images
 * and with at most two 16 MB segments kept, the cached directory holds the data and little else (measured on the
 * shop example: 432 MB with the defaults, of which 273 MB WAL).
 */
const BUILD_START_PARAMS = [
  ...PGlite.defaultStartParams,
  ...['-c', 'full_page_writes=off', '-c', 'wal_level=minimal', '-c', 'max_wal_senders=0', '-c', 'max_wal_size=32MB', '-c', 'min_wal_size=32MB'],
];
/** Sessions keep the WAL small too: each one works on its own copy of the cached directory. */
const SESSION_START_PARAMS = [...PGlite.defaultStartParams, ...['-c', 'max_wal_size=32MB', '-c', 'min_wal_size=32MB']];

/**
 * A database described by a production snapshot holds no rows (its pages are zero pages that only EXPLAIN plans over,
 * nothing reads them) and the planner never reads shared_buffers (it reads effective_cache_size, which the snapshot
 * restores), so it runs with a small buffer pool: the pool is resident WebAssembly memory (startPglite.ts). A database
 * of synthetic rows keeps the default: its index trials build indexes over those rows.
 */
function memoryParams(options: EmbeddedDatabaseOptions): string[] {
  return options.snapshot ? SMALL_BUFFER_POOL : [];
}

/** int8 as a string, as the `pg` package returns it, so engine code reads both clients' rows alike. */
const PG_COMPATIBLE_PARSERS = { 20: (value: string) => value };

/** "embedded database, synthetic data: orders 300k rows, customers 50k rows, …" */
export function syntheticDataNote(volumes: TableVolume[]): string {
  const filled = [...volumes].filter((volume) => volume.rows > 0).sort((a, b) => b.rows - a.rows || a.table.localeCompare(b.table));
  if (filled.length === 0) return 'embedded database, no rows (empty schema)';
  const shown = filled.slice(0, 5).map((volume) => `${volume.table} ${formatRowCount(volume.rows)} rows${volume.source === 'capped' ? ' (capped)' : ''}`);
  const more = filled.length > 5 ? `, ${filled.length - 5} more table${filled.length === 6 ? '' : 's'}` : '';
  return `embedded database, synthetic data: ${shown.join(', ')}${more}`;
}

interface EmbeddedState {
  schemaFiles: string[];
  schemaProblems: SchemaProblem[];
  dataProblems: SyntheticDataProblem[];
  volumes: TableVolume[];
  fromCache: boolean;
  /** The private copy of the cached data directory, removed on close. */
  sessionDirectory?: string;
}

/**
 * PGlite is one PostgreSQL backend in this process: one session, one statement at a time. withSession()
 * therefore queues work and runs it strictly one after another, ending each turn with ROLLBACK so no
 * transaction outlives it. A running statement cannot be cancelled (PGlite has no cancel request and runs
 * on this thread): an abort rejects work that has not started yet, and the caller of work that has started
 * gets its rejection as soon as the current statement returns. statement_timeout has no effect in PGlite either
 * (measured: a 20M-row generate_series ran to completion under `SET statement_timeout = 200`).
 */
class EmbeddedPglite implements EmbeddedDatabase {
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: PGlite,
    readonly info: DatabaseInfo,
    private readonly state: EmbeddedState,
  ) {}

  static async create(db: PGlite, state: EmbeddedState): Promise<EmbeddedPglite> {
    // The repository's schema files ran in this session and may have changed how it reads SQL: pin what pglens's
    // parser assumes, and check it.
    await db.exec('RESET ALL; SET standard_conforming_strings = on');
    const scs = await db.query<{ scs: string }>(`SELECT current_setting('standard_conforming_strings') AS scs`);
    if (scs.rows[0]?.scs !== 'on') throw new Error('the embedded database keeps standard_conforming_strings off');
    const version = await db.query<{ num: string; version: string }>(
      `SELECT current_setting('server_version_num') AS num, current_setting('server_version') AS version`,
    );
    const info: DatabaseInfo = {
      kind: 'embedded',
      serverVersionNum: Number(version.rows[0].num),
      serverVersion: version.rows[0].version,
      label: 'embedded',
      hypopg: false,
      syntheticDataNote: syntheticDataNote(state.volumes),
    };
    return new EmbeddedPglite(db, info, state);
  }

  get schemaFiles(): string[] {
    return this.state.schemaFiles;
  }
  get schemaProblems(): SchemaProblem[] {
    return this.state.schemaProblems;
  }
  get dataProblems(): SyntheticDataProblem[] {
    return this.state.dataProblems;
  }
  get fromCache(): boolean {
    return this.state.fromCache;
  }
  get tableVolumes(): Record<string, number> {
    return Object.fromEntries(this.state.volumes.map((volume) => [volume.table, volume.rows]));
  }

  withSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) return Promise.reject(new Error('the embedded database is closed'));
    if (signal?.aborted) return Promise.reject(abortError(signal));
    let aborted = false;
    const session: DatabaseSession = {
      query: async <Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResultRows<Row>> => {
        if (aborted) throw abortError(signal);
        return this.query<Row>(sql, params);
      },
      exec: async (sql: string): Promise<QueryResultRows[]> => {
        if (aborted) throw abortError(signal);
        return (await this.db.exec(sql)).map((result) => ({ rows: result.rows as Record<string, unknown>[] }));
      },
    };
    const turn = async (): Promise<T> => {
      if (aborted || signal?.aborted) throw abortError(signal);
      try {
        return await work(session);
      } finally {
        // Whatever the work left open (a BEGIN without its ROLLBACK, an aborted transaction) ends here.
        await this.db.exec('ROLLBACK').catch(() => undefined);
      }
    };
    const result = this.queue.then(turn, turn);
    this.queue = result.catch(() => undefined);
    if (!signal) return result;
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => {
        aborted = true;
        reject(abortError(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      result.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * Exactly one statement, through the extended protocol (PGlite's `query`), as DatabaseSession requires: a text with
   * two statements is refused by the server.
   */
  private async query<Row>(sql: string, params?: unknown[]): Promise<QueryResultRows<Row>> {
    if (sql.includes('\0')) throw new Error('the statement contains a NUL byte and was not sent');
    const result = await this.db.query<Row>(sql, params ?? []);
    return { rows: result.rows };
  }

  /**
   * PGlite has one session: the dedicated session is a turn of it, after which whatever the work left in the
   * session (settings, prepared statements, advisory locks, temporary tables) is discarded.
   */
  withDedicatedSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    return this.withSession(async (session) => {
      try {
        return await work(session);
      } finally {
        await this.db.exec('ROLLBACK').catch(() => undefined);
        await this.db.exec('DISCARD ALL; SET standard_conforming_strings = on').catch(() => undefined);
      }
    }, signal);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => undefined);
    await this.db.close().catch(() => undefined);
    if (this.state.sessionDirectory) await removeDirectory(this.state.sessionDirectory);
  }
}

function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('the operation was aborted');
  error.name = 'AbortError';
  return error;
}
