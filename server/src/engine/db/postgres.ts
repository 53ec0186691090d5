// A real PostgreSQL server through package `pg`: a small pool, checked eagerly so an unreachable database fails in
// seconds with one clear line, sessions that are always handed back with no open transaction, and cancellation
// that stops the statement on the server, not only the wait on the client.

import { performance } from 'node:perf_hooks';
import { Client, Pool, type PoolClient, type PoolConfig, type QueryConfig } from 'pg';
import {
  DatabaseUnavailableError,
  isDatabaseFailure,
  type DatabaseClient,
  type DatabaseHealth,
  type DatabaseHealthState,
  type DatabaseInfo,
  type DatabaseSession,
  type QueryResultRows,
  type TransactionLimits,
  wholeMilliseconds,
} from './client';
import { redactSecrets, redactUrl, rememberSecret, rememberUrlSecrets } from '../redact';

export interface ConnectPostgresOptions {
  /** Sessions open at once (default 4). */
  maxConnections?: number;
  /** How long connecting may take before giving up (default 5000 ms). */
  connectTimeoutMs?: number;
  /** The session's default statement and lock timeouts (pglens.json `database.*`; default 2000 and 100 ms). */
  sessionLimits?: TransactionLimits;
}

export type DatabaseUrlSource = 'cli' | 'config' | 'DATABASE_URL' | 'PG* variables' | 'none';

const APPLICATION_NAME = 'pglens';
const DEFAULT_MAX_CONNECTIONS = 4;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
/** After an abort, how long the work may take to notice before its connection is closed under it. */
const ABORT_GRACE_MS = 5000;

// ---------------------------------------------------------------------------------------------------------------
// URLs

// One redaction for every output path (../redact.ts); re-exported for the importers of this module.
export { redactUrl };

interface ParsedUrl {
  user?: string;
  host: string;
  port: number;
  database?: string;
}

function parsePostgresUrl(url: string): ParsedUrl {
  const invalid = (why: string) => new DatabaseUnavailableError(`invalid database URL "${redactUrl(url)}": ${why}`);
  const scheme = /^([a-z][a-z0-9+.-]*):(\/\/)?/i.exec(url);
  if (!scheme) throw invalid('expected postgres://user[:password]@host[:port]/database');
  if (!/^postgres(ql)?$/i.test(scheme[1])) throw invalid(`the scheme must be postgres:// or postgresql://, not ${scheme[1]}:${scheme[2] ?? ''}`);
  // `postgres:user:pw@host/db` is a valid URL with an opaque path, and pg would quietly connect to localhost.
  if (!scheme[2]) throw invalid(`expected ${scheme[1]}:// (two slashes) then user[:password]@host[:port]/database`);
  let u: URL;
  let emptyHost = false;
  try {
    u = new URL(url);
  } catch {
    // libpq and pg accept `postgres://user@/db?host=/socket/dir` (no host before the path): so does pglens.
    try {
      u = new URL(url.replace(/@\//, '@localhost/'));
      emptyHost = true;
    } catch {
      const afterScheme = url.slice(scheme[0].length);
      const at = afterScheme.lastIndexOf('@');
      const unencoded = at > 0 && /[/?#@]/.test(afterScheme.slice(0, at));
      throw invalid(
        unencoded
          ? 'the user or password has characters that must be percent-encoded (@ %40, : %3A, / %2F, ? %3F, # %23, % %25)'
          : 'expected postgres://user[:password]@host[:port]/database',
      );
    }
  }
  const portText = u.searchParams.get('port') ?? u.port;
  const port = portText ? Number(portText) : 5432;
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw invalid(`port "${portText}" is not a port number`);
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw invalid('bad %-escape (a % in the user or password is written %25)');
    }
  };
  // Decoded here so a bad escape in the password is one clear line, not pg's URIError.
  if (u.password) decode(u.password);
  return {
    user: u.username ? decode(u.username) : undefined,
    host: u.searchParams.get('host') ?? (u.hostname && !emptyHost ? decode(u.hostname.replace(/^\[(.*)\]$/, '$1')) : 'localhost'),
    port,
    database: u.pathname.length > 1 ? decode(u.pathname.slice(1)) : undefined,
  };
}

/** SSL modes pg (8.x) reads as verify-full, with a multi-line SECURITY WARNING on stderr the first time. */
const PG_VERIFY_FULL_ALIASES = /^(prefer|require|verify-ca)$/i;

/**
 * The URL as pg is given it. `sslmode=prefer|require|verify-ca` is written `verify-full`, which is what pg does with
 * them anyway (it verifies the certificate and host name) minus the 10-line warning it prints; what that means is said
 * in the one-line error when an SSL connection fails (sslNote). `uselibpqcompat` asks pg for libpq's semantics
 * instead, where nothing is rewritten.
 */
function driverUrl(url: string): string {
  if (/[?&]uselibpqcompat=/i.test(url)) return url;
  return url.replace(/([?&]sslmode=)(prefer|require|verify-ca)(?=&|#|$)/i, '$1verify-full');
}

/** What pg does with the URL's sslmode, for a failed SSL connection's message. */
function sslNote(url: string, reason: string): string {
  const mode = /[?&]sslmode=([^&#]*)/i.exec(url)?.[1];
  if (!mode || !PG_VERIFY_FULL_ALIASES.test(mode) || /[?&]uselibpqcompat=/i.test(url)) return '';
  // Only where it matters: a certificate that did not verify (a server without SSL says so plainly).
  if (!/certificate|self[- ]signed|hostname|altnames|CERT_|UNABLE_TO/i.test(reason)) return '';
  return ` (pg verifies the server certificate and host name for sslmode=${mode}, as for verify-full; add uselibpqcompat=true for libpq's meaning)`;
}

/**
 * Which database to use: `--db` > pglens.json `database.url` > `DATABASE_URL` > the standard PG* variables (only when
 * PGHOST or PGDATABASE is set, so a stray PGUSER alone does not make pglens connect somewhere).
 */
export function resolveDatabaseUrl(input: {
  cliUrl?: string;
  configUrl?: string;
  env?: NodeJS.ProcessEnv;
}): { url?: string; source: DatabaseUrlSource } {
  const env = input.env ?? process.env;
  const given = (s: string | undefined) => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);
  const cli = given(input.cliUrl);
  if (cli) return { url: cli, source: 'cli' };
  const config = given(input.configUrl);
  if (config) return { url: config, source: 'config' };
  const databaseUrl = given(env.DATABASE_URL);
  if (databaseUrl) return { url: databaseUrl, source: 'DATABASE_URL' };
  const host = given(env.PGHOST);
  const database = given(env.PGDATABASE);
  if (host || database) {
    const user = given(env.PGUSER);
    const password = env.PGPASSWORD ?? '';
    rememberSecret(password);
    const port = given(env.PGPORT);
    const auth = user ? `${encodeURIComponent(user)}${password ? `:${encodeURIComponent(password)}` : ''}@` : '';
    const path = database ? `/${encodeURIComponent(database)}` : '';
    // A host starting with "/" is a unix socket directory: it goes in the query, as libpq's URLs have it.
    if (host?.startsWith('/')) {
      const query = new URLSearchParams({ host, ...(port ? { port } : {}) });
      return { url: `postgres://${auth}${path || '/'}?${query}`, source: 'PG* variables' };
    }
    return { url: `postgres://${auth}${host ?? 'localhost'}${port ? `:${port}` : ''}${path}`, source: 'PG* variables' };
  }
  return { source: 'none' };
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

/** One line for a person: what failed to connect and why, never the password. */
export function describeConnectError(error: unknown, url: string, timeoutMs: number, password?: string): string {
  const e = error as { code?: string; message?: string; cause?: unknown } | undefined;
  const message = String(e?.message ?? error);
  const cause = e?.cause as { code?: string } | undefined;
  const code = e?.code ?? cause?.code;
  let reason: string;
  if (/timeout|timed out/i.test(message) || code === 'ETIMEDOUT') {
    reason = `timeout after ${formatSeconds(timeoutMs)}`;
  } else if (code === 'ECONNREFUSED') {
    reason = 'connection refused';
  } else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    let host = '?';
    try {
      host = parsePostgresUrl(url).host;
    } catch {
      /* unreachable: the URL was parsed before connecting */
    }
    reason = `host "${host}" not found`;
  } else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
    reason = 'host unreachable';
  } else if (code === 'ENOENT' || code === 'EACCES') {
    reason = `no server on that unix socket (${code === 'ENOENT' ? 'no such file' : 'permission denied'})`;
  } else if (code === 'ECONNRESET' || /Connection terminated unexpectedly/i.test(message)) {
    reason = 'the server closed the connection (is it PostgreSQL? does it require SSL: add ?sslmode=require)';
  } else if (/client password must be a string|SASL: .*password/i.test(message)) {
    reason = 'the server asks for a password and none was given (put it in the URL or PGPASSWORD)';
  } else {
    // Server errors (28P01 password authentication failed, 3D000 database does not exist, 28000 no pg_hba.conf
    // entry, 53300 too many connections...) are already one clear sentence.
    reason = message.split('\n')[0];
  }
  return redactSecrets(`cannot connect to ${redactUrl(url)}: ${reason}${sslNote(url, reason)}`, [password]);
}

/** How late a connect timer must fire to say the process, not the server, was busy (see connectUnlessStalled). */
const CONNECT_TIMER_LATE_MS = 500;

function isConnectTimeout(error: unknown): boolean {
  const message = String((error as { message?: unknown } | undefined)?.message ?? error);
  return /timeout expired|timeout exceeded|connection timeout/i.test(message);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}

function abortError(signal?: AbortSignal): Error {
  const reason = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  const error = new Error('the operation was aborted');
  error.name = 'AbortError';
  return error;
}

// ---------------------------------------------------------------------------------------------------------------
// The client

/**
 * Connects (eagerly: the first connection is opened and checked before this resolves) and reads what the engine
 * needs to know about the server. Every failure is a DatabaseUnavailableError with one line and no password.
 */
export async function connectPostgres(url: string, options: ConnectPostgresOptions = {}): Promise<DatabaseClient> {
  // Remembered before anything can fail, so no message of this process shows it (../redact.ts).
  rememberUrlSecrets(url);
  const parsed = parsePostgresUrl(url);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const sessionLimits = options.sessionLimits ?? DEFAULT_SESSION_LIMITS;
  const password = safePassword(url);
  const pgUrl = driverUrl(url);
  const config: PoolConfig = {
    connectionString: pgUrl,
    Client: closingClientClass() as unknown as PoolConfig['Client'],
    // Shows pglens in pg_stat_activity and the server log; an application_name in the URL itself wins (pg's rule),
    // as someone who wrote one there asked for it.
    application_name: APPLICATION_NAME,
    max: Math.max(1, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS),
    connectionTimeoutMillis: connectTimeoutMs,
    idleTimeoutMillis: 10_000,
    // An idle pool must not keep a CLI run alive.
    allowExitOnIdle: true,
  };
  const pool = new Pool(config);
  // A pooled connection that dies while idle (server restart) must not crash the process; the next checkout
  // opens a new one.
  pool.on('error', () => {});

  let first: PoolClient | undefined;
  let timer: NodeJS.Timeout | undefined;
  const connecting = pool.connect();
  try {
    first = await Promise.race([
      connecting.then((client) => (watchConnection(client), client)),
      // pg's own connection timeout covers the socket and the start-up; this also covers a DNS lookup that hangs.
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), connectTimeoutMs + 250);
      }),
    ]);
    await pinSessionSettings(first, sessionLimits);
    const { rows } = await first.query<{ num: number; version: string; usr: string; db: string; hypopg: boolean }>(
      `SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS version,
              current_user AS usr, current_database() AS db,
              EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'hypopg') AS hypopg`,
    );
    first.release();
    first = undefined;
    const row = rows[0];
    const host = parsed.host.includes(':') && !parsed.host.startsWith('/') ? `[${parsed.host}]` : parsed.host;
    const info: DatabaseInfo = {
      kind: 'postgres',
      serverVersionNum: row.num,
      serverVersion: row.version,
      label: `${row.usr}@${host}:${parsed.port}/${row.db}`,
      hypopg: row.hypopg,
    };
    return new PostgresClient(pool, info, pgUrl, connectTimeoutMs, config.max!, sessionLimits);
  } catch (error) {
    if (first) first.release(true);
    // A connection that arrives after our own timer gave up must not keep the process alive.
    else connecting.then((late) => late.release(true), () => {});
    pool.end().catch(() => {});
    if (error instanceof DatabaseUnavailableError) throw error;
    throw new DatabaseUnavailableError(describeConnectError(error, url, connectTimeoutMs, password));
  } finally {
    clearTimeout(timer);
  }
}

/** Connections that have an error listener and the pinned settings. */
const watchedConnections = new WeakSet<object>();

/**
 * A checked-out pg client that loses its socket emits 'error'; pg-pool listens only while the client is idle, and an
 * 'error' event nobody listens to ends the process. The query in flight rejects on its own, which is where the
 * failure is handled.
 */
function watchConnection(client: PoolClient | Client): void {
  if (watchedConnections.has(client)) return;
  watchedConnections.add(client);
  client.on('error', () => {});
}

const pinnedConnections = new WeakSet<object>();
/**
 * A transaction pglens left open (a crash, a lost reply) is ended by the server after this long. Generous: the process
 * may be busy between two statements of one transaction (the index advisor's, while TypeScript builds a Program for
 * another file: measured past 60 s on a large monorepo, which lost the advisor's connection).
 */
const IDLE_IN_TRANSACTION_MS = 600_000;
/** Session timeouts when the caller names none: the config's defaults. */
const DEFAULT_SESSION_LIMITS: TransactionLimits = { statementTimeoutMs: 2000, lockTimeoutMs: 100 };

/**
 * Settings pglens's reading of SQL depends on, pinned on every connection before it carries a statement:
 * libpg-query reads `'x\'` as PostgreSQL does with standard_conforming_strings on, so the server must too, whatever
 * the URL's `options`, PGOPTIONS, the role or the database set. Checked, not assumed: a server that will not take
 * the setting is refused.
 */
async function pinSessionSettings(client: PoolClient, limits: TransactionLimits): Promise<void> {
  if (pinnedConnections.has(client)) return;
  // The timeouts are also the session's defaults, so that nothing pglens sends outside a transaction of its own (the
  // PREPARE of a statement, whose parse analysis takes locks) can wait longer; transactions SET LOCAL their own.
  const results = (await client.query(
    `SET standard_conforming_strings = on; SET statement_timeout = ${wholeMilliseconds(limits.statementTimeoutMs)}; ` +
      `SET lock_timeout = ${wholeMilliseconds(limits.lockTimeoutMs)}; SET idle_in_transaction_session_timeout = ${IDLE_IN_TRANSACTION_MS}; ` +
      "SELECT current_setting('standard_conforming_strings') AS scs",
  )) as unknown as Array<{ rows: Array<{ scs?: string }> }>;
  const value = Array.isArray(results) ? results[results.length - 1]?.rows[0]?.scs : undefined;
  if (value !== 'on') {
    throw new DatabaseUnavailableError(
      `the server keeps standard_conforming_strings "${value ?? 'unknown'}": pglens reads SQL as PostgreSQL does with it on, and will not plan on this connection`,
    );
  }
  pinnedConnections.add(client);
}

/** pg answers a text of one statement with its result, of several with an array of them. */
function rowsOfEach(result: unknown): QueryResultRows[] {
  const results = (Array.isArray(result) ? result : [result]) as Array<{ rows?: unknown[] } | undefined>;
  return results.map((r) => ({ rows: (r?.rows ?? []) as Record<string, unknown>[] }));
}

/** Text sent with a NUL byte would be cut at it by the protocol: such a statement is never sent. */
function refuseNul(sql: string): string {
  if (sql.includes('\0')) throw new Error('the statement contains a NUL byte and was not sent');
  return sql;
}

/** Errors that say the connection itself is gone (not a statement's failure): they mark the database down. */
function isConnectionLoss(error: unknown): boolean {
  if (!isDatabaseFailure(error)) return false;
  return (error as { code?: unknown })?.code !== '55P03';
}

/**
 * pg's Client, closing its socket when connecting fails. pg reports an authentication it cannot answer (no password
 * for scram-sha-256: "client password must be a string") but leaves the socket open until the server gives up on it
 * at authentication_timeout (60 s), which kept a CLI run that had already printed its error alive for a minute.
 * Made on first use: a class that extends pg's Client at module load would load pg in every run, with a database
 * or not (scripts/build.mjs loads pg lazily).
 */
let closingClient: typeof Client | undefined;
export function closingClientClass(): typeof Client {
  return (closingClient ??= makeClosingClient());
}

const makeClosingClient = () => class ClosingClient extends Client {
  override connect(): Promise<Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<Client> | void {
    const closeOnFailure = (error: unknown) => {
      if (error) (this as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    };
    if (callback) {
      super.connect((error: Error) => {
        closeOnFailure(error);
        callback(error);
      });
      return;
    }
    return super.connect().catch((error: unknown) => {
      closeOnFailure(error);
      throw error;
    });
  }
};

function safePassword(url: string): string | undefined {
  try {
    const p = new URL(url).password;
    return p ? decodeURIComponent(p) : undefined;
  } catch {
    return undefined;
  }
}

/** Counts sessions: at most `size` at once, the others wait in order (abortable). */
class Slots {
  private free: number;
  private readonly waiting: Array<() => void> = [];

  constructor(size: number) {
    this.free = size;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (this.free > 0) {
      this.free--;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }
}

/** Reconnection backoff: the first retry after a second, doubling up to half a minute. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** How often a connected database with listeners is checked. */
const IDLE_CHECK_MS = 30_000;

class PostgresClient implements DatabaseClient {
  private closed = false;
  private readonly slots: Slots;
  /**
   * Set while the database does not answer. Sessions asked for meanwhile fail at once with the reason (a run over a
   * thousand statements against a dead server ends in a second, not a thousand connect timeouts); the first one after
   * `retryAt`, or the health timer, tries again.
   */
  private down?: { reason: string; delayMs: number; retryAt: number; timer?: NodeJS.Timeout };
  private readonly healthListeners = new Set<(state: DatabaseHealthState) => void>();
  private idleCheck?: NodeJS.Timeout;
  readonly health: DatabaseHealth = {
    current: () => this.healthState(),
    onChange: (listener) => {
      this.healthListeners.add(listener);
      this.scheduleProbe();
      return () => {
        this.healthListeners.delete(listener);
        if (this.healthListeners.size === 0) {
          clearInterval(this.idleCheck);
          this.idleCheck = undefined;
        }
      };
    },
    check: () => this.probe(),
  };

  constructor(
    private readonly pool: Pool,
    readonly info: DatabaseInfo,
    private readonly url: string,
    private readonly connectTimeoutMs: number,
    maxConnections: number,
    private readonly sessionLimits: TransactionLimits,
  ) {
    this.slots = new Slots(maxConnections);
    // An idle pooled connection that dies (server shut down or restarted) is the first sign the database is gone.
    pool.on('error', (error) => this.noteFailure(error));
  }

  async withSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error(`the connection to ${this.info.label} is closed`);
    if (signal?.aborted) throw abortError(signal);
    if (this.down) {
      if (Date.now() < this.down.retryAt) throw new DatabaseUnavailableError(this.down.reason);
      // This session is the next attempt; others meanwhile still fail at once.
      this.down.retryAt = Date.now() + this.down.delayMs;
    }

    await this.slots.acquire(signal);
    let client: PoolClient;
    try {
      client = await this.connectOne(signal);
    } catch (error) {
      this.slots.release();
      throw error;
    }
    if (signal?.aborted) {
      client.release();
      this.slots.release();
      throw abortError(signal);
    }
    let inFlight = 0;
    let aborted = false;
    let released = false;
    const release = (destroy: boolean) => {
      if (released) return;
      released = true;
      client.release(destroy);
      this.slots.release();
    };
    const run = async <R>(send: () => Promise<R>): Promise<R> => {
      if (aborted) throw abortError(signal);
      if (released) throw new Error('the session was used after withSession() returned');
      inFlight++;
      try {
        const result = await send();
        if (aborted) throw abortError(signal);
        return result;
      } catch (error) {
        if (aborted) throw abortError(signal);
        if (isConnectionLoss(error)) this.noteFailure(error);
        throw error;
      } finally {
        inFlight--;
      }
    };

    const session: DatabaseSession = {
      query: async <Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResultRows<Row>> => {
        // One statement per Parse message (extended protocol), whatever the text holds: see DatabaseSession.
        const result = await run(() => client.query({ text: refuseNul(sql), values: params, queryMode: 'extended' } as QueryConfig));
        return { rows: (result?.rows ?? []) as Row[] };
      },
      exec: async (sql: string): Promise<QueryResultRows[]> => rowsOfEach(await run(() => client.query(sql))),
    };
    let onAbort: (() => void) | undefined;
    const abortPromise = new Promise<never>((_, reject) => {
      onAbort = () => {
        aborted = true;
        reject(abortError(signal));
        // Stop the statement on the server: closing the socket alone would leave it running to completion.
        if (inFlight > 0) void this.cancelBackend(client, () => release(true));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    abortPromise.catch(() => {});

    const workPromise = (async () => {
      try {
        return await work(session);
      } finally {
        if (aborted) {
          // A cancel request may still be on its way and would hit the next statement on this connection:
          // never reuse it.
          release(true);
        } else {
          await this.endTransaction(client).then(
            () => release(false),
            () => release(true),
          );
        }
      }
    })();

    try {
      return await (signal ? Promise.race([workPromise, abortPromise]) : workPromise);
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
      if (aborted) {
        workPromise.catch(() => {});
        // If the work does not notice the abort (it awaits something other than the session), close the
        // connection under it rather than hold a pool slot forever.
        setTimeout(() => release(true), ABORT_GRACE_MS).unref();
      }
    }
  }

  async withDedicatedSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (this.closed) throw new Error(`the connection to ${this.info.label} is closed`);
    if (signal?.aborted) throw abortError(signal);
    if (this.down && Date.now() < this.down.retryAt) throw new DatabaseUnavailableError(this.down.reason);
    const client = new (closingClientClass())({
      connectionString: driverUrl(this.url),
      application_name: `${APPLICATION_NAME} dedicated`,
      connectionTimeoutMillis: this.connectTimeoutMs,
    });
    watchConnection(client);
    try {
      await client.connect();
    } catch (error) {
      client.end().catch(() => {});
      const failure = new DatabaseUnavailableError(describeConnectError(error, this.url, this.connectTimeoutMs, safePassword(this.url)));
      this.noteFailure(failure);
      throw failure;
    }
    const onAbort = () => {
      // Closing the connection ends whatever it runs (the server notices at its next write) and its transaction.
      client.end().catch(() => {});
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      await pinSessionSettings(client as unknown as PoolClient, this.sessionLimits);
      const session: DatabaseSession = {
        query: async <Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResultRows<Row>> => {
          if (signal?.aborted) throw abortError(signal);
          const result = await client.query({ text: refuseNul(sql), values: params, queryMode: 'extended' } as QueryConfig);
          return { rows: (result?.rows ?? []) as Row[] };
        },
        exec: async (sql: string): Promise<QueryResultRows[]> => {
          if (signal?.aborted) throw abortError(signal);
          return rowsOfEach(await client.query(sql));
        },
      };
      return await work(session);
    } catch (error) {
      if (signal?.aborted) throw abortError(signal);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      // Never handed to anyone else: whatever the statement left in the session (advisory locks, settings, temporary
      // tables, an open transaction) ends with the connection.
      await client.end().catch(() => {});
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.down?.timer) clearTimeout(this.down.timer);
    clearInterval(this.idleCheck);
    this.healthListeners.clear();
    await this.pool.end();
  }

  private healthState(): DatabaseHealthState {
    return this.down ? { state: 'disconnected', reason: this.down.reason, retryAt: this.down.retryAt } : { state: 'connected' };
  }

  /** The database failed to answer: disconnected, with the next attempt on the backoff. */
  private noteFailure(error: unknown): void {
    if (this.closed) return;
    const reason =
      error instanceof DatabaseUnavailableError
        ? error.message
        : `lost the connection to ${this.info.label}: ${String((error as Error)?.message ?? error).split('\n')[0]}`;
    if (this.down) {
      this.down.reason = reason;
      this.down.delayMs = Math.min(this.down.delayMs * 2, MAX_RETRY_MS);
      this.down.retryAt = Date.now() + this.down.delayMs;
      this.scheduleProbe();
      return;
    }
    this.down = { reason, delayMs: FIRST_RETRY_MS, retryAt: Date.now() + FIRST_RETRY_MS };
    clearInterval(this.idleCheck);
    this.idleCheck = undefined;
    this.scheduleProbe();
    this.emitHealth();
  }

  private noteSuccess(): void {
    if (!this.down) return;
    if (this.down.timer) clearTimeout(this.down.timer);
    this.down = undefined;
    this.scheduleProbe();
    this.emitHealth();
  }

  private emitHealth(): void {
    const state = this.healthState();
    for (const listener of this.healthListeners) {
      try {
        listener(state);
      } catch {
        /* a listener's failure is its own */
      }
    }
  }

  /**
   * While someone listens (the language server): when disconnected, retry on the backoff without waiting for work;
   * when connected, a round trip every half minute, so a database that went away while the editor was idle shows as
   * disconnected before the next edit.
   */
  private scheduleProbe(): void {
    if (this.closed || this.healthListeners.size === 0) return;
    const down = this.down;
    if (!down) {
      if (!this.idleCheck) {
        this.idleCheck = setInterval(() => void this.probe(), IDLE_CHECK_MS);
        this.idleCheck.unref();
      }
      return;
    }
    if (down.timer) clearTimeout(down.timer);
    down.timer = setTimeout(() => void this.probe(), Math.max(0, down.retryAt - Date.now()));
    down.timer.unref();
  }

  private async probe(): Promise<DatabaseHealthState> {
    if (this.closed) return this.healthState();
    let client: PoolClient | undefined;
    try {
      client = await this.wrapConnectError(this.pool.connect());
      watchConnection(client);
      await pinSessionSettings(client, this.sessionLimits);
      await client.query('SELECT 1');
      client.release();
      this.noteSuccess();
    } catch (error) {
      client?.release(true);
      this.noteFailure(error);
    }
    return this.healthState();
  }

  /**
   * A connection for a session that holds a slot. pg-pool's connectionTimeoutMillis would also limit the wait for a
   * busy pool, so sessions queue on `slots` instead and the pool never has to wait: the timeout is only ever about
   * reaching the server. pool.connect() cannot be cancelled: on abort, stop waiting and hand the connection back
   * when it arrives.
   */
  private async connectOne(signal?: AbortSignal): Promise<PoolClient> {
    const connecting = this.wrapConnectError(this.connectUnlessStalled()).then(async (client) => {
      watchConnection(client);
      try {
        await pinSessionSettings(client, this.sessionLimits);
      } catch (error) {
        client.release(true);
        if (isConnectionLoss(error)) this.noteFailure(error);
        throw error;
      }
      this.noteSuccess();
      return client;
    });
    if (!signal) return connecting;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      return await Promise.race([connecting, aborted]);
    } catch (error) {
      if (signal.aborted) connecting.then((c) => c.release(), () => {});
      throw error;
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
    }
  }

  /**
   * pool.connect(), once more when its timeout was this process's own doing. pg's connect timer fires in the event
   * loop's timers phase, before the socket events of the same turn: when the process was busy past the deadline (the
   * CLI analyses four files at a time, and building one file's TypeScript Program can take seconds), the server's
   * answer may be waiting unread and the timer still wins. Such a timer fires late; one that fires on time is a server
   * that did not answer, and stays a failure.
   */
  private async connectUnlessStalled(): Promise<PoolClient> {
    const started = performance.now();
    try {
      return await this.pool.connect();
    } catch (error) {
      const late = performance.now() - started - this.connectTimeoutMs;
      if (!isConnectTimeout(error) || late < CONNECT_TIMER_LATE_MS) throw error;
      return this.pool.connect();
    }
  }

  private async wrapConnectError(connecting: Promise<PoolClient>): Promise<PoolClient> {
    try {
      return await connecting;
    } catch (error) {
      const failure = new DatabaseUnavailableError(describeConnectError(error, this.url, this.connectTimeoutMs, safePassword(this.url)));
      this.noteFailure(failure);
      throw failure;
    }
  }

  /**
   * Leaves the session with no transaction: ROLLBACK only when the server says one is open ('T' in a transaction,
   * 'E' in a failed one), so a clean session costs no round trip and the server log gets no "there is no transaction
   * in progress" warnings. Without that status (an older pg), ROLLBACK anyway.
   */
  private async endTransaction(client: PoolClient): Promise<void> {
    const status = typeof client.getTransactionStatus === 'function' ? client.getTransactionStatus() : null;
    if (status === 'I') return;
    await client.query('ROLLBACK');
  }

  /**
   * pg_cancel_backend() from a separate, unpooled connection (the pool may be full of busy sessions). A role may
   * cancel its own backends (https://www.postgresql.org/docs/current/functions-admin.html#FUNCTIONS-ADMIN-SIGNAL).
   */
  private async cancelBackend(client: PoolClient, destroy: () => void): Promise<void> {
    const pid = (client as unknown as { processID?: number | null }).processID;
    if (!pid) {
      destroy();
      return;
    }
    const canceller = new (closingClientClass())({
      connectionString: driverUrl(this.url),
      application_name: `${APPLICATION_NAME} cancel`,
      connectionTimeoutMillis: this.connectTimeoutMs,
    });
    canceller.on('error', () => {});
    try {
      await canceller.connect();
      await canceller.query('SELECT pg_cancel_backend($1)', [pid]);
    } catch {
      // Could not cancel: the connection is destroyed when the grace period ends.
    } finally {
      canceller.end().catch(() => {});
    }
  }
}
