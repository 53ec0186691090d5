// The one interface the engine talks to a database through, so a real server (package `pg`) and the
// embedded PGlite database are interchangeable for EXPLAIN, what-if planning and schema facts.

export interface QueryResultRows<Row = Record<string, unknown>> {
  rows: Row[];
}

/**
 * A single session on which statements run one after another (EXPLAIN needs BEGIN ... ROLLBACK on one session).
 *
 * Two ways to send text, and the difference is the safety of the whole tool: `query` sends exactly ONE statement in
 * one Parse message of the extended protocol, so whatever the text holds, the server runs at most one statement of
 * it (two give "cannot insert multiple commands into a prepared statement"); every text that carries anything from a
 * repository goes through `query`. `exec` sends pglens's own fixed text through the simple protocol, several
 * statements in one round trip ('BEGIN READ ONLY; SET LOCAL statement_timeout = 2000'): never repository text.
 */
export interface DatabaseSession {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResultRows<Row>>;
  /**
   * pglens's own statements only (no repository text): the simple protocol, several statements allowed; the rows of
   * each statement, in order. A failing statement rejects, and those after it in the text do not run.
   */
  exec(sql: string): Promise<QueryResultRows[]>;
}

/** The limits every transaction pglens opens runs under. */
export interface TransactionLimits {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

export interface DatabaseInfo {
  kind: 'postgres' | 'embedded';
  /** server_version_num, e.g. 150018 or 180000 */
  serverVersionNum: number;
  serverVersion: string;
  /** A label for people: "dev@localhost:5432/app" (never the password) or "embedded". */
  label: string;
  hypopg: boolean;
  /** For the embedded database: the volumes used, shown in every finding so nobody takes them for production. */
  syntheticDataNote?: string;
  /**
   * For an embedded database described by a production statistics snapshot instead of synthetic rows: when the
   * snapshot was taken (ISO 8601). A baseline's database kind is then "snapshot".
   */
  productionStatisticsOf?: string;
}

/** Whether the database answers: `disconnected` while it does not, with pglens retrying on a backoff. */
export type DatabaseHealthState =
  | { state: 'connected' }
  | { state: 'disconnected'; reason: string; /** When the next attempt to reconnect is due (Date.now() ms). */ retryAt: number };

export interface DatabaseHealth {
  current(): DatabaseHealthState;
  /** Called on every change between connected and disconnected; returns the function that stops listening. */
  onChange(listener: (state: DatabaseHealthState) => void): () => void;
  /** One round trip now (or a reconnection attempt when disconnected); resolves to the state after it. */
  check(): Promise<DatabaseHealthState>;
}

export interface DatabaseClient {
  readonly info: DatabaseInfo;
  /** A server's connection state (the embedded database, in this process, has none). */
  readonly health?: DatabaseHealth;
  /**
   * Runs `work` on one session. Implementations bound concurrency (a pool, or a queue for PGlite, which is
   * single-session) and make sure the session is left with no open transaction.
   */
  withSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /**
   * Runs `work` on a session of its own that nobody used before and nobody uses after (a new connection, closed
   * afterwards): for EXPLAIN ANALYZE, whose statement may leave session state behind (advisory locks, settings).
   * The embedded database has one session: there it is withSession followed by a reset of the session state.
   */
  withDedicatedSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T>;
  close(): Promise<void>;
}

/**
 * The start of every read-only transaction pglens opens: pglens's own text, so it goes through `exec`, in one round
 * trip. Timeouts are whole milliseconds of at least 1 (0 would mean no timeout at all).
 */
export function readOnlyTransactionPreamble(limits: TransactionLimits, extra: string[] = []): string {
  return [
    'BEGIN READ ONLY',
    `SET LOCAL statement_timeout = ${wholeMilliseconds(limits.statementTimeoutMs)}`,
    `SET LOCAL lock_timeout = ${wholeMilliseconds(limits.lockTimeoutMs)}`,
    ...extra,
  ].join('; ');
}

export function wholeMilliseconds(ms: number): number {
  return Number.isFinite(ms) ? Math.max(1, Math.ceil(ms)) : 1;
}

/**
 * Runs `work` in a READ ONLY transaction with statement and lock timeouts, always rolled back: for every query pglens
 * sends of its own (schema facts, statistics, catalogue look-ups), so that none can wait behind a lock for long or
 * change anything.
 */
export function withReadOnlyTransaction<T>(
  db: DatabaseClient,
  limits: TransactionLimits,
  work: (session: DatabaseSession) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  return db.withSession(async (session) => {
    await session.exec(readOnlyTransactionPreamble(limits));
    try {
      return await work(session);
    } finally {
      await session.exec('ROLLBACK').catch(() => undefined);
    }
  }, signal);
}

/** Connection-level failures: the database could not be reached or went away (not the statement's fault). */
const CONNECTION_FAILURE_CODES = /^(08|53|57P0[1-4]|58)/;

/**
 * Whether an error says the database failed (unreachable, gone, out of connections, shut down, waiting for a lock) rather than that the statement is wrong: such statements count as "not planned", never
 * as a finding about the code.
 */
export function isDatabaseFailure(error: unknown): boolean {
  if (error instanceof DatabaseUnavailableError) return true;
  const e = error as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  // 55P03: lock_timeout, a lock held by another session. Not 57014 (statement_timeout): a statement that takes longer
  // than that to plan is reported about the code (plan-error).
  if (code && (CONNECTION_FAILURE_CODES.test(code) || code === '55P03')) return true;
  if (code && /^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT ...
  const message = typeof e?.message === 'string' ? e.message : '';
  return /Connection terminated|connection is closed|Client has encountered a connection error|not queryable|timeout exceeded when trying to connect/i.test(message);
}

/** Raised for anything a person must fix in their set-up (unreachable server, bad URL): shown as one line. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}
