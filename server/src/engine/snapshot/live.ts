// Live mode (`production.url`): production's runtime numbers read again every `refreshSeconds` instead of from a
// snapshot file. Each read is one connection, one READ ONLY transaction with timeouts reading pg_stat_statements only
// (read.ts readProductionStatements), and the connection is closed after: nothing stays connected to production
// between reads. A read that fails keeps the last numbers and says so once, in one line, until a read succeeds again.
// The URL carries the password only in memory (the editor's secret storage puts it in); no message shows it.

import { connectPostgres } from '../db/postgres';
import type { TransactionLimits } from '../db/client';
import { redactSecrets, rememberUrlSecrets } from '../redact';
import { readProductionStatements } from './read';
import { RuntimeCosts } from './match';
import type { ProductionNumbersState } from './productionSource';

/** Catalogue reads only: short limits, a production database must never wait on pglens. */
export const LIVE_READ_LIMITS: TransactionLimits = { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 };
const CONNECT_TIMEOUT_MS = 10_000;

export interface LiveRuntimeOptions {
  /** The read-only URL with its password (only ever in memory). */
  url: string;
  refreshSeconds: number;
  /** New numbers: what the analyses should carry from now on. */
  onNumbers(costs: RuntimeCosts): void;
  /** The state changed (numbers read, unreachable, reachable again). */
  onState(state: ProductionNumbersState): void;
  log(message: string): void;
  limits?: TransactionLimits;
}

export class LiveRuntimeNumbers {
  private timer: NodeJS.Timeout | undefined;
  /** Reads one after the other: a refresh asked during a read reads again after it (it may want newer numbers). */
  private queue: Promise<void> = Promise.resolve();
  private stopped = false;
  private lastTakenAt: string | undefined;
  private unreachable = false;
  state: ProductionNumbersState = { source: 'connecting' };

  constructor(private readonly options: LiveRuntimeOptions) {
    // Before anything can fail: no message of this process shows the password.
    rememberUrlSecrets(options.url);
  }

  /** Reads now, then every refreshSeconds. */
  start(): void {
    void this.refresh();
  }

  /** Reads now, after a read under way (never two connections at once); the interval starts again after it. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    clearTimeout(this.timer);
    const run: Promise<void> = this.queue
      .then(() => this.read())
      .catch((error: Error) => this.options.log(`production numbers not used: ${redactSecrets(error.message, [this.options.url])}`))
      .finally(() => {
        if (this.queue === run) this.schedule();
      });
    this.queue = run;
    return run;
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), this.options.refreshSeconds * 1000);
    this.timer.unref();
  }

  private async read(): Promise<void> {
    let numbers: Awaited<ReturnType<typeof readProductionStatements>>;
    try {
      const database = await connectPostgres(this.options.url, { maxConnections: 1, connectTimeoutMs: CONNECT_TIMEOUT_MS, sessionLimits: this.options.limits ?? LIVE_READ_LIMITS });
      try {
        numbers = await readProductionStatements(database, { limits: this.options.limits ?? LIVE_READ_LIMITS });
      } finally {
        await database.close().catch(() => undefined);
      }
    } catch (error) {
      if (this.stopped) return;
      const reason = redactSecrets((error as Error).message.split('\n')[0], [this.options.url]);
      this.state = { source: 'unreachable', reason, ...(this.lastTakenAt ? { takenAt: this.lastTakenAt } : {}) };
      // One line when it goes away, not one per interval.
      if (!this.unreachable) this.options.log(`production database unreachable: ${reason}; ${this.lastTakenAt ? `keeping the numbers read at ${this.lastTakenAt}` : 'no runtime numbers yet'} (retrying every ${this.options.refreshSeconds} s)`);
      this.unreachable = true;
      this.options.onState(this.state);
      return;
    }
    if (this.stopped) return;
    if (!numbers.statements.available) {
      // Reachable, but nothing to read: said like unreachable (the last numbers stay), with the reason.
      const reason = numbers.statements.note ?? 'pg_stat_statements cannot be read';
      this.state = { source: 'unreachable', reason, ...(this.lastTakenAt ? { takenAt: this.lastTakenAt } : {}) };
      if (!this.unreachable) this.options.log(`production runtime numbers unavailable: ${reason}`);
      this.unreachable = true;
      this.options.onState(this.state);
      return;
    }
    if (this.unreachable) this.options.log('production database reachable again');
    this.unreachable = false;
    this.lastTakenAt = numbers.takenAt;
    this.state = { source: 'live', takenAt: numbers.takenAt };
    this.options.onNumbers(new RuntimeCosts(numbers, 'live'));
    this.options.onState(this.state);
  }
}
