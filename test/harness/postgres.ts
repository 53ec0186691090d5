// Ephemeral PostgreSQL clusters for the test suite: a real server (no mocks), started in a temp dir on a free
// port, loaded with the fixture application database, and always stopped again.
//
// Used two ways:
//  - scripts/run-tests.mjs starts ONE cluster for the whole run and hands its URLs to every test process through
//    PGLENS_TEST_DATABASE_URL / PGLENS_TEST_SUPERUSER_URL / PGLENS_TEST_NOHYPO_URL;
//  - a test file run on its own (`node --import tsx --test test/db/postgres.test.ts`) gets a cluster of its own from
//    getSharedTestDatabase(), stopped when the process exits.

import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, chownSync, appendFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client } from 'pg';

export const MISSING_BINARIES_MESSAGE =
  'PostgreSQL server binaries not found: run `bash scripts/setup.sh` (apt package postgresql-15)';

export const MISSING_HYPOPG_MESSAGE =
  'the hypopg extension is not installed on this PostgreSQL: run `bash scripts/setup.sh` (apt package postgresql-15-hypopg)';

/** The password-protected role every test connects as (scram-sha-256 over TCP), owner of the fixture database. */
export const APP_ROLE = 'app';
export const APP_PASSWORD = 'app-secret';
export const FIXTURE_DATABASE = 'pglens_test';
export const NOHYPO_DATABASE = 'pglens_nohypo';

export interface EphemeralPostgresOptions {
  /** Database created owned by the app role (default `pglens_test`). */
  database?: string;
  /** Extra postgresql.conf lines, e.g. `['log_min_duration_statement = 0']`. */
  extraConfig?: string[];
  /**
   * Start from a copy of this data directory (a cleanly stopped cluster made by this harness: roles and databases
   * already there) instead of initdb. Used by the fixture cache.
   */
  fromDataDir?: string;
}

export interface EphemeralPostgres {
  /** postgres://app:app-secret@127.0.0.1:PORT/DATABASE: password auth (scram-sha-256) over TCP. */
  url: string;
  /** The unix socket directory. */
  host: string;
  port: number;
  database: string;
  /** postgres://postgres@127.0.0.1:PORT/DATABASE: superuser, trust auth. */
  superuserUrl: string;
  /** The app role's URL for another database of this cluster. */
  urlFor(database: string): string;
  superuserUrlFor(database: string): string;
  dataDir: string;
  logFile: string;
  bindir: string;
  /** Stops the server cleanly, copies its data directory to `target` (which must not exist), starts it again. */
  snapshotTo(target: string): Promise<void>;
  stop(): Promise<void>;
}

export interface SharedTestDatabase {
  /** App role, password auth, database pglens_test (fixture loaded). */
  url: string;
  /** Superuser, database pglens_test. */
  superuserUrl: string;
  /** App role, database pglens_nohypo: the same fixture without the hypopg extension. */
  nohypoUrl: string;
  /** Whether hypopg is installed in pglens_test. */
  hypopg: boolean;
  /** Set when this process started the cluster itself (no PGLENS_TEST_DATABASE_URL). */
  cluster?: EphemeralPostgres;
}

// ---------------------------------------------------------------------------------------------------------------
// Binaries

let cachedBindir: string | undefined;

/** Finds initdb/pg_ctl/postgres: $PGLENS_PG_BINDIR, `pg_config --bindir`, /usr/lib/postgresql/<newest>/bin, $PATH. */
export function findPostgresBindir(candidates?: string[]): string {
  if (!candidates && cachedBindir) return cachedBindir;
  for (const dir of candidates ?? defaultBindirCandidates()) {
    if (['initdb', 'pg_ctl', 'postgres'].every((b) => existsSync(join(dir, b)))) {
      if (!candidates) cachedBindir = dir;
      return dir;
    }
  }
  throw new Error(MISSING_BINARIES_MESSAGE);
}

function defaultBindirCandidates(): string[] {
  const candidates: string[] = [];
  if (process.env.PGLENS_PG_BINDIR) candidates.push(process.env.PGLENS_PG_BINDIR);
  const pgConfig = spawnSync('pg_config', ['--bindir'], { encoding: 'utf8' });
  if (pgConfig.status === 0 && pgConfig.stdout.trim()) candidates.push(pgConfig.stdout.trim());
  const debianRoot = '/usr/lib/postgresql';
  if (existsSync(debianRoot)) {
    const versions = readdirSync(debianRoot)
      .filter((v) => /^\d+$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    for (const v of versions) candidates.push(join(debianRoot, v, 'bin'));
  }
  for (const dir of (process.env.PATH ?? '').split(':')) if (dir) candidates.push(dir);
  return candidates;
}

// ---------------------------------------------------------------------------------------------------------------
// Running as the right OS user: postgres refuses to run as root.

interface OsUser {
  /** Set when we are root and must run the server binaries as `postgres`. */
  runAs?: string;
  uid?: number;
  gid?: number;
}

function serverUser(): OsUser {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  const name = process.env.PGLENS_PG_OS_USER ?? 'postgres';
  const uid = spawnSync('id', ['-u', name], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) {
    throw new Error(
      `running as root, but there is no OS user "${name}" to run PostgreSQL as: run \`bash scripts/setup.sh\` (apt package postgresql-15 creates it)`,
    );
  }
  return { runAs: name, uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

function command(user: OsUser, bin: string, args: string[]): [string, string[]] {
  return user.runAs ? ['runuser', ['-u', user.runAs, '--', bin, ...args]] : [bin, args];
}

function runSync(user: OsUser, bin: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const [cmd, argv] = command(user, bin, args);
  return spawnSync(cmd, argv, { cwd, encoding: 'utf8', env: serverEnv() });
}

function run(user: OsUser, bin: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  const [cmd, argv] = command(user, bin, args);
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, argv, { cwd, env: serverEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${bin} ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.trim()}`));
    });
  });
}

/** The server must not inherit PG* variables meant for clients (PGDATA, PGPORT...) or a locale it lacks. */
function serverEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG') && !k.startsWith('LC_')) env[k] = v;
  env.LANG = 'C';
  env.LC_ALL = 'C';
  return env;
}

function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePromise(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Cleanup of clusters this process started, even when it dies.

const liveClusters = new Set<{ stopSync(): void }>();
let exitHandlersInstalled = false;

function installExitHandlers(): void {
  if (exitHandlersInstalled) return;
  exitHandlersInstalled = true;
  const stopAll = () => {
    for (const c of [...liveClusters]) c.stopSync();
  };
  process.on('exit', stopAll);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      stopAll();
      // A listener replaces the default action: finish the job the signal asked for.
      process.exit(128 + ({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const)[signal]);
    });
  }
}

/**
 * A detached watchdog that stops the server and removes its directory if this process disappears without running
 * its exit handlers (SIGKILL, a test-runner timeout). Polls once a second; stop() kills it.
 */
function startWatchdog(user: OsUser, pgCtl: string, dataDir: string, rootDir: string): number | undefined {
  const stop = user.runAs
    ? `runuser -u ${user.runAs} -- "${pgCtl}" stop -D "${dataDir}" -m immediate -w >/dev/null 2>&1`
    : `"${pgCtl}" stop -D "${dataDir}" -m immediate -w >/dev/null 2>&1`;
  const script = `while kill -0 ${process.pid} 2>/dev/null; do sleep 1; done; ${stop}; rm -rf "${rootDir}"`;
  try {
    const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore', cwd: '/', env: serverEnv() });
    child.unref();
    return child.pid;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The cluster

/** Starts a fresh cluster: app role with a password, a database it owns, trust for the superuser. */
export async function startEphemeralPostgres(options: EphemeralPostgresOptions = {}): Promise<EphemeralPostgres> {
  const bindir = findPostgresBindir();
  const user = serverUser();
  const database = options.database ?? FIXTURE_DATABASE;

  // Unix socket paths are limited to 107 bytes: keep the directory short even when TMPDIR is long.
  const base = tmpdir().length > 60 ? '/tmp' : tmpdir();
  const rootDir = mkdtempSync(join(base, 'pglens-pg-'));
  const dataDir = join(rootDir, 'data');
  const socketDir = join(rootDir, 'sock');
  const logFile = join(rootDir, 'server.log');
  if (user.uid !== undefined && user.gid !== undefined) chownSync(rootDir, user.uid, user.gid);

  const pgCtl = join(bindir, 'pg_ctl');
  let started = false;
  let watchdogPid: number | undefined;
  let stopped = false;

  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    liveClusters.delete(handle);
    if (started) runSync(user, pgCtl, ['stop', '-D', dataDir, '-m', 'immediate', '-w', '-t', '20'], rootDir);
    if (watchdogPid) {
      try {
        process.kill(-watchdogPid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    rmSync(rootDir, { recursive: true, force: true });
  };
  const handle = { stopSync };
  installExitHandlers();
  liveClusters.add(handle);

  try {
    if (options.fromDataDir) {
      const copy = spawnSync('cp', ['-a', options.fromDataDir, dataDir], { encoding: 'utf8' });
      if (copy.status !== 0) throw new Error(`could not copy ${options.fromDataDir}: ${copy.stderr.trim()}`);
      if (user.uid !== undefined && user.gid !== undefined) chownRecursive(dataDir, user.uid, user.gid);
    } else {
      await run(
        user,
        join(bindir, 'initdb'),
        ['-D', dataDir, '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync', '--auth-local=trust', '--auth-host=scram-sha-256'],
        rootDir,
        60_000,
      );
    }
    // Our own pg_hba.conf: the superuser is trusted (socket and 127.0.0.1), everyone else must prove a password
    // over TCP. (Overwriting an existing file keeps its owner, so the server can still read it.)
    writeFileSync(
      join(dataDir, 'pg_hba.conf'),
      [
        '# written by test/harness/postgres.ts',
        'local   all   all                    trust',
        'host    all   postgres  127.0.0.1/32  trust',
        'host    all   all       127.0.0.1/32  scram-sha-256',
        'host    all   all       ::1/128       scram-sha-256',
        '',
      ].join('\n'),
    );
    mkdirSync(socketDir);
    if (user.uid !== undefined && user.gid !== undefined) chownSync(socketDir, user.uid, user.gid);

    let lastError: unknown;
    for (let attempt = 0; attempt < 3 && !started; attempt++) {
      const port = await freePort();
      const config = [
        '',
        '# test/harness/postgres.ts: a throwaway cluster, durability off',
        `port = ${port}`,
        `listen_addresses = '127.0.0.1'`,
        `unix_socket_directories = '${socketDir}'`,
        'fsync = off',
        'full_page_writes = off',
        'synchronous_commit = off',
        'max_connections = 200',
        'max_wal_size = 4GB',
        // Lets loadAppFixture() skip the WAL for tables it creates and fills in one transaction.
        'wal_level = minimal',
        'max_wal_senders = 0',
        'checkpoint_timeout = 30min',
        `password_encryption = 'scram-sha-256'`,
        ...(options.extraConfig ?? []),
        '',
      ].join('\n');
      appendFileSync(join(dataDir, 'postgresql.conf'), config);
      try {
        await run(user, pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60'], rootDir, 90_000);
        started = true;
        watchdogPid = startWatchdog(user, pgCtl, dataDir, rootDir);
        (handle as { port?: number }).port = port;
      } catch (err) {
        lastError = err;
        const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
        if (!/could not bind|Address already in use/i.test(log)) throw withLog(err, log);
      }
    }
    if (!started) throw lastError;
    const port = (handle as { port?: number }).port!;

    const superuserUrlFor = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
    const urlFor = (db: string) => `postgres://${APP_ROLE}:${APP_PASSWORD}@127.0.0.1:${port}/${db}`;

    if (!options.fromDataDir) {
      const admin = new Client({ connectionString: superuserUrlFor('postgres') });
      await admin.connect();
      try {
        await admin.query(`CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '${APP_PASSWORD}'`);
        await admin.query(`CREATE DATABASE ${database} OWNER ${APP_ROLE}`);
      } finally {
        await admin.end();
      }
    }

    const snapshotTo = async (target: string) => {
      await run(user, pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], rootDir, 90_000);
      try {
        const copy = spawnSync('cp', ['-a', dataDir, target], { encoding: 'utf8' });
        if (copy.status !== 0) throw new Error(`could not copy ${dataDir} to ${target}: ${copy.stderr.trim()}`);
      } finally {
        await run(user, pgCtl, ['start', '-D', dataDir, '-l', logFile, '-w', '-t', '60'], rootDir, 90_000);
      }
    };

    return {
      url: urlFor(database),
      host: socketDir,
      port,
      database,
      superuserUrl: superuserUrlFor(database),
      urlFor,
      superuserUrlFor,
      dataDir,
      logFile,
      bindir,
      snapshotTo,
      stop: async () => stopSync(),
    };
  } catch (err) {
    const log = existsSync(logFile) ? readFileSync(logFile, 'utf8') : '';
    stopSync();
    throw withLog(err, log);
  }
}

function chownRecursive(path: string, uid: number, gid: number): void {
  const r = spawnSync('chown', ['-R', `${uid}:${gid}`, path], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`chown -R ${path} failed: ${r.stderr.trim()}`);
}

function withLog(err: unknown, log: string): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (log.trim() && !e.message.includes('server log:')) e.message += `\nserver log:\n${log.trim().split('\n').slice(-20).join('\n')}`;
  return e;
}

// ---------------------------------------------------------------------------------------------------------------
// The fixture application database

// dirname(__filename), not __dirname: tsx's tsImport() gives a wrong __dirname (measured with tsx 4.23).
export const FIXTURE_DIR = resolve(dirname(__filename), '..', 'fixtures', 'app');

export interface FixtureLoadResult {
  hypopg: boolean;
  /** Wall time of schema + data + VACUUM ANALYZE + the nohypo copy. */
  loadMs: number;
  /** Row counts per table, from the load. */
  tables: Record<string, number>;
  /** The app role's URL of the copy without hypopg (same host/port as superuserUrl). */
  nohypoDatabase: string;
  /** Set when the cluster was copied from the fixture cache (loadMs is then the copy and start). */
  fromCache?: boolean;
}

/**
 * Loads test/fixtures/app into the database of `superuserUrl` (which must exist and be owned by the app role),
 * installs hypopg when the server has it, then copies the result into pglens_nohypo without hypopg.
 */
export async function loadAppFixture(superuserUrl: string): Promise<FixtureLoadResult> {
  const started = Date.now();
  const schemaSql = readFileSync(join(FIXTURE_DIR, 'schema.sql'), 'utf8');
  const data = splitDataSql(readFileSync(join(FIXTURE_DIR, 'data.sql'), 'utf8'));
  const target = new URL(superuserUrl);
  const database = decodeURIComponent(target.pathname.slice(1));

  const db = new Client({ connectionString: superuserUrl, application_name: 'pglens-fixture' });
  await db.connect();
  let hypopg = false;
  const tables: Record<string, number> = {};
  try {
    // One transaction that creates and fills the tables: with wal_level = minimal their rows skip the WAL, which
    // makes the load about a third faster. (Two parallel connections were measured too: no gain on the CI
    // machine, whose two cores give the throughput of one.)
    await db.query('BEGIN');
    // Tables belong to the app role, so the engine can EXPLAIN UPDATE/DELETE as the role a developer would use.
    await db.query(`SET LOCAL ROLE ${APP_ROLE}`);
    await db.query(schemaSql);
    await db.query('RESET ROLE');
    // The data is consistent by construction: skip the per-row foreign key triggers (superuser only).
    await db.query('SET LOCAL session_replication_role = replica');
    for (const sql of [data.prelude, ...data.sections, data.epilogue]) await db.query(sql);
    await db.query('COMMIT');
    await db.query('VACUUM ANALYZE');

    const available = await db.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'hypopg'`);
    if (available.rowCount) {
      await db.query('CREATE EXTENSION IF NOT EXISTS hypopg');
      hypopg = true;
    }
    const counts = await db.query<{ relname: string; n: string }>(
      `SELECT c.relname, c.reltuples::bigint AS n FROM pg_class c JOIN pg_namespace ns ON ns.oid = c.relnamespace
        WHERE ns.nspname = 'public' AND c.relkind = 'r' ORDER BY c.relname`,
    );
    for (const r of counts.rows) tables[r.relname] = Number(r.n);
  } finally {
    await db.end();
  }

  // The copy without hypopg (CREATE DATABASE ... TEMPLATE needs the template to have no other sessions).
  const adminUrl = new URL(superuserUrl);
  adminUrl.pathname = '/postgres';
  const admin = new Client({ connectionString: adminUrl.toString() });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${NOHYPO_DATABASE}`);
    await admin.query(`CREATE DATABASE ${NOHYPO_DATABASE} TEMPLATE "${database}" OWNER ${APP_ROLE} STRATEGY FILE_COPY`);
  } finally {
    await admin.end();
  }
  const nohypoUrl = new URL(superuserUrl);
  nohypoUrl.pathname = `/${NOHYPO_DATABASE}`;
  const nohypo = new Client({ connectionString: nohypoUrl.toString() });
  await nohypo.connect();
  try {
    await nohypo.query('DROP EXTENSION IF EXISTS hypopg');
  } finally {
    await nohypo.end();
  }
  return { hypopg, loadMs: Date.now() - started, tables, nohypoDatabase: NOHYPO_DATABASE };
}

/** Splits data.sql by its layout (see the comment at its top): prelude, independent sections, epilogue. */
export function splitDataSql(text: string): { prelude: string; sections: string[]; epilogue: string } {
  const epilogueAt = text.search(/^-- ={10,}/m);
  const body = epilogueAt >= 0 ? text.slice(0, epilogueAt) : text;
  const epilogue = epilogueAt >= 0 ? text.slice(epilogueAt) : '';
  const [prelude, ...sections] = body.split(/^(?=-- -{10,})/m);
  return { prelude, sections, epilogue };
}

/**
 * Starts a cluster with the fixture loaded: what the runner does once per run.
 *
 * Outside CI the loaded cluster is kept in a cache (PGLENS_FIXTURE_CACHE_DIR, default ~/.cache/pglens-test/fixture)
 * keyed by a hash of schema.sql, data.sql, this file, the server version and the extensions it has, so later runs
 * copy a data directory (~1 s) instead of loading (~15 s). CI (CI=true) or PGLENS_FIXTURE_CACHE=0 always loads, so
 * the loading path is what CI proves.
 */
export async function startFixtureCluster(): Promise<{ cluster: EphemeralPostgres; fixture: FixtureLoadResult; shared: SharedTestDatabase }> {
  const cache = fixtureCache();
  if (cache && existsSync(join(cache.dir, 'data', 'PG_VERSION')) && existsSync(join(cache.dir, 'fixture.json'))) {
    const started = Date.now();
    const cluster = await startEphemeralPostgres({ database: FIXTURE_DATABASE, fromDataDir: join(cache.dir, 'data') });
    const saved = JSON.parse(readFileSync(join(cache.dir, 'fixture.json'), 'utf8')) as FixtureLoadResult;
    const fixture: FixtureLoadResult = { ...saved, loadMs: Date.now() - started, fromCache: true };
    return { cluster, fixture, shared: sharedFor(cluster, fixture) };
  }

  const cluster = await startEphemeralPostgres({ database: FIXTURE_DATABASE });
  try {
    const fixture = await loadAppFixture(cluster.superuserUrl);
    if (cache) await saveFixtureCache(cluster, fixture, cache);
    return { cluster, fixture, shared: sharedFor(cluster, fixture) };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

function sharedFor(cluster: EphemeralPostgres, fixture: FixtureLoadResult): SharedTestDatabase {
  return {
    url: cluster.url,
    superuserUrl: cluster.superuserUrl,
    nohypoUrl: cluster.urlFor(NOHYPO_DATABASE),
    hypopg: fixture.hypopg,
    cluster,
  };
}

function fixtureCache(): { root: string; dir: string } | undefined {
  const setting = process.env.PGLENS_FIXTURE_CACHE;
  if (setting === '0' || (process.env.CI && setting !== '1')) return undefined;
  try {
    const bindir = findPostgresBindir();
    const hash = createHash('sha256');
    for (const file of [join(FIXTURE_DIR, 'schema.sql'), join(FIXTURE_DIR, 'data.sql'), __filename]) hash.update(readFileSync(file));
    hash.update(spawnSync(join(bindir, 'postgres'), ['--version'], { encoding: 'utf8' }).stdout ?? '');
    // Which extensions the server could install (hypopg or not) changes what the fixture holds.
    const sharedir = spawnSync(join(bindir, 'pg_config'), ['--sharedir'], { encoding: 'utf8' });
    const pgConfig = sharedir.status === 0 ? sharedir : spawnSync('pg_config', ['--sharedir'], { encoding: 'utf8' });
    const extensionDir = join(pgConfig.stdout?.trim() ?? '', 'extension');
    hash.update(existsSync(extensionDir) ? readdirSync(extensionDir).filter((f) => f.endsWith('.control')).sort().join(',') : 'unknown');
    const root = process.env.PGLENS_FIXTURE_CACHE_DIR ?? join(homedir(), '.cache', 'pglens-test', 'fixture');
    return { root, dir: join(root, hash.digest('hex').slice(0, 16)) };
  } catch {
    return undefined;
  }
}

/** Best effort: a cache that cannot be written only costs time. */
async function saveFixtureCache(cluster: EphemeralPostgres, fixture: FixtureLoadResult, cache: { root: string; dir: string }): Promise<void> {
  try {
    mkdirSync(cache.root, { recursive: true });
    // Only the newest fixture is kept: each is ~300 MB.
    // (Another process may be writing a .tmp- directory right now: only those older than an hour are left-overs.)
    for (const old of readdirSync(cache.root)) {
      const path = join(cache.root, old);
      const stale = !old.startsWith('.tmp-') || Date.now() - statSync(path).mtimeMs > 3_600_000;
      if (path !== cache.dir && stale) rmSync(path, { recursive: true, force: true });
    }
    const tmp = mkdtempSync(join(cache.root, '.tmp-'));
    try {
      await cluster.snapshotTo(join(tmp, 'data'));
      writeFileSync(join(tmp, 'fixture.json'), JSON.stringify({ ...fixture, fromCache: false }, null, 2));
      renameSync(tmp, cache.dir); // fails harmlessly when another process got there first
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  } catch {
    /* keep going without a cache */
  }
}

/** Environment variables through which one cluster is shared with every test process. */
export function sharedTestDatabaseEnv(shared: SharedTestDatabase): Record<string, string> {
  return {
    PGLENS_TEST_DATABASE_URL: shared.url,
    PGLENS_TEST_SUPERUSER_URL: shared.superuserUrl,
    PGLENS_TEST_NOHYPO_URL: shared.nohypoUrl,
    PGLENS_TEST_HYPOPG: shared.hypopg ? '1' : '0',
  };
}

let shared: Promise<SharedTestDatabase> | undefined;

/**
 * The fixture database for tests. Uses PGLENS_TEST_DATABASE_URL (+ PGLENS_TEST_SUPERUSER_URL, PGLENS_TEST_NOHYPO_URL)
 * when set (scripts/run-tests.mjs sets them); otherwise starts one cluster for this process, stopped at exit.
 */
export function getSharedTestDatabase(): Promise<SharedTestDatabase> {
  shared ??= (async () => {
    const url = process.env.PGLENS_TEST_DATABASE_URL;
    if (url) {
      const superuserUrl = process.env.PGLENS_TEST_SUPERUSER_URL ?? url;
      let nohypoUrl = process.env.PGLENS_TEST_NOHYPO_URL;
      if (!nohypoUrl) {
        const u = new URL(url);
        u.pathname = `/${NOHYPO_DATABASE}`;
        nohypoUrl = u.toString();
      }
      let hypopg: boolean;
      if (process.env.PGLENS_TEST_HYPOPG === '1' || process.env.PGLENS_TEST_HYPOPG === '0') {
        hypopg = process.env.PGLENS_TEST_HYPOPG === '1';
      } else {
        const c = new Client({ connectionString: url });
        await c.connect();
        try {
          hypopg = ((await c.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`)).rowCount ?? 0) > 0;
        } finally {
          await c.end();
        }
      }
      return { url, superuserUrl, nohypoUrl, hypopg };
    }
    const { shared: started } = await startFixtureCluster();
    return started;
  })();
  return shared;
}
