// The one interface the engine talks to a database through, so a real server (package `pg`) and the
// embedded PGlite database are interchangeable for EXPLAIN, what-if planning and schema facts.

export interface QueryResultRows<Row = Record<string, unknown>> {
  rows: Row[];
}

/** A single session on which statements run one after another (EXPLAIN needs BEGIN ... ROLLBACK on one session). */
export interface DatabaseSession {
  query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResultRows<Row>>;
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
}

export interface DatabaseClient {
  readonly info: DatabaseInfo;
  /**
   * Runs `work` on one session. Implementations bound concurrency (a pool, or a queue for PGlite, which is
   * single-session) and make sure the session is left with no open transaction.
   */
  withSession<T>(work: (session: DatabaseSession) => Promise<T>, signal?: AbortSignal): Promise<T>;
  close(): Promise<void>;
}

/** Raised for anything a person must fix in their set-up (unreachable server, bad URL): shown as one line. */
export class DatabaseUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseUnavailableError';
  }
}
