// Safe EXPLAIN. Only one statement the parser confirmed is ever sent; it runs in a READ ONLY transaction with
// statement and lock timeouts, and the transaction is always rolled back, so pglens cannot change the database.

import { randomBytes } from 'node:crypto';
import type { ParsedStatement } from '../parse/parse';
import { planNodeFromJson, type ExplainedPlan, type PlanNode } from '../plan/model';
import { readOnlyTransactionPreamble, type DatabaseClient, type DatabaseInfo, type DatabaseSession, type QueryResultRows } from './client';
import { codePointsToUtf16 } from '../text';

export interface ExplainOptions {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  signal?: AbortSignal;
  /** EXPLAIN (ANALYZE, BUFFERS): executes the statement, then rolls back. Only on a person's explicit request. */
  analyze?: boolean;
}

/** Statement kinds the planner can EXPLAIN without executing anything. */
const EXPLAINABLE_KINDS = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);

export function isExplainable(statement: ParsedStatement): boolean {
  if (!EXPLAINABLE_KINDS.has(statement.kind)) return false;
  // SELECT ... INTO creates a table: not a query to plan.
  if (statement.kind === 'SelectStmt' && statement.node.SelectStmt?.intoClause) return false;
  return true;
}

/** Why a statement could not be planned (missing table, unknown column, timeout): plain data for a finding. */
export class PlanningError extends Error {
  constructor(
    message: string,
    /** UTF-16 offset into the statement text when PostgreSQL named a position. */
    readonly statementOffset: number | undefined,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'PlanningError';
  }
}

interface PgError {
  message: string;
  code?: string;
  position?: string;
}

/**
 * Parameters are planned generically: the statement is PREPAREd without types and EXECUTEd with one NULL per
 * parameter under plan_cache_mode = force_generic_plan (measured on 15.18; without that setting the NULLs are folded
 * into `One-Time Filter: false`). EXPLAIN (GENERIC_PLAN) of PostgreSQL 16 and later cannot be used: the statement
 * goes through the extended protocol, where `$1` is a bind parameter, and bound NULLs are folded as well (measured on
 * the embedded PostgreSQL 18).
 *
 * What reaches the server, in two round trips:
 *  1. `PREPARE pglens_… AS <statement>`: the repository's text, alone in one Parse message of the extended protocol —
 *     the server runs at most one statement of it, whatever its quotes and comments hold. PREPARE only parses and
 *     analyses (no planning, nothing executes), under the session's statement and lock timeouts (postgres.ts sets
 *     them on every connection), since analysis takes ACCESS SHARE locks.
 *  2. pglens's own text through the simple protocol: `BEGIN READ ONLY; SET LOCAL statement_timeout …; SET LOCAL
 *     lock_timeout …; EXPLAIN (FORMAT JSON) EXECUTE pglens_…(NULL, …); ROLLBACK; DEALLOCATE pglens_…`. Planning
 *     (which may evaluate immutable and stable functions) runs in the read-only transaction.
 * When step 2 fails part-way, `ROLLBACK; DEALLOCATE` follows on its own, so the pooled session is clean again.
 */
export async function explainStatement(db: DatabaseClient, statement: ParsedStatement, options: ExplainOptions): Promise<ExplainedPlan> {
  const info = db.info;
  const analyze = options.analyze === true;
  const generic = !analyze && statement.parameterCount > 0;
  const limits = { statementTimeoutMs: options.statementTimeoutMs, lockTimeoutMs: options.lockTimeoutMs };
  const explainOptions = analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
  const explain = async (session: DatabaseSession): Promise<ExplainedPlan> => {
    const name = nextPreparedName();
    const started = Date.now();
    await prepareStatement(session, name, statement);
    const nulls = statement.parameterCount > 0 ? `(${new Array(statement.parameterCount).fill('NULL').join(', ')})` : '';
    const transaction = readOnlyTransactionPreamble(limits, generic ? ['SET LOCAL plan_cache_mode = force_generic_plan'] : []);
    const steps = [
      analyze ? transaction.replace(/^BEGIN READ ONLY/, 'BEGIN') : transaction,
      `EXPLAIN (${explainOptions}) EXECUTE ${name}${nulls}`,
      `ROLLBACK; DEALLOCATE ${name}`,
    ];
    let results: QueryResultRows[];
    try {
      results = await session.exec(steps.join('; '));
    } catch (error) {
      // The rest of the text did not run: the transaction may be open (aborted) and the statement still prepared.
      await session.exec(`ROLLBACK; DEALLOCATE ${name}`).catch(() => undefined);
      throw asPlanningError(error, Number.MAX_SAFE_INTEGER);
    }
    // The EXPLAIN's rows come after those of BEGIN and the SET LOCALs (one result each), before ROLLBACK and DEALLOCATE.
    return explainedPlan(results[results.length - 3], info, started, generic);
  };
  // EXPLAIN ANALYZE executes the statement: on a connection of its own, closed afterwards, so nothing it leaves in
  // the session (an advisory lock, a setting) reaches the pool.
  return analyze ? db.withDedicatedSession(explain, options.signal) : db.withSession(explain, options.signal);
}

/** The plan of an EXPLAIN (FORMAT JSON) result, with what it was planned against. */
export function explainedPlan(result: { rows: Record<string, unknown>[] }, info: DatabaseInfo, started: number, generic: boolean): ExplainedPlan {
  const top = explainJson(result)[0] as Record<string, unknown>;
  const notes: string[] = [];
  if (generic) notes.push('generic plan: parameter values unknown, estimates use default selectivity');
  if (info.syntheticDataNote) notes.push(info.syntheticDataNote);
  return {
    root: planNodeFromJson(top['Plan'] as Record<string, unknown>),
    generic,
    planningTimeMs: typeof top['Planning Time'] === 'number' ? (top['Planning Time'] as number) : Date.now() - started,
    executionTimeMs: typeof top['Execution Time'] === 'number' ? (top['Execution Time'] as number) : undefined,
    plannedAt: Date.now(),
    databaseLabel: info.label,
    serverVersion: info.serverVersion,
    notes,
    ...(info.syntheticDataNote && !info.productionStatisticsOf ? { syntheticRows: true } : {}),
  };
}

/** PREPARE of the statement, alone in one Parse message; PostgreSQL's error position mapped into the statement. */
export async function prepareStatement(session: DatabaseSession, name: string, statement: ParsedStatement): Promise<void> {
  const prefix = `PREPARE ${name} AS `;
  await queryWithPosition(session, prefix + statement.text, prefix.length, statement.text);
}

/**
 * EXPLAIN (no ANALYZE option of any kind) on a session whose transaction the caller opened, with its timeouts set:
 * for the index advisor, which creates hypothetical or trial indexes in that same transaction first. Each call
 * PREPAREs afresh, so a generic plan cached before an index was added is never reused.
 */
export async function explainOnSession(session: DatabaseSession, statement: ParsedStatement): Promise<{ root: PlanNode; generic: boolean }> {
  const planOf = (result: { rows: Record<string, unknown>[] }) => planNodeFromJson((explainJson(result)[0] as Record<string, unknown>)['Plan'] as Record<string, unknown>);
  if (statement.parameterCount === 0) {
    // The statement text goes alone through `session.query` (one Parse message).
    const prefix = 'EXPLAIN (FORMAT JSON) ';
    return { root: planOf(await queryWithPosition(session, prefix + statement.text, prefix.length, statement.text)), generic: false };
  }
  await session.exec('SET LOCAL plan_cache_mode = force_generic_plan');
  const name = nextPreparedName();
  await prepareStatement(session, name, statement);
  try {
    const nulls = new Array(statement.parameterCount).fill('NULL').join(', ');
    return { root: planOf(await queryWithPosition(session, `EXPLAIN (FORMAT JSON) EXECUTE ${name}(${nulls})`, Number.MAX_SAFE_INTEGER)), generic: true };
  } finally {
    // Prepared statements outlive the transaction. After a failed EXPLAIN the transaction is aborted and DEALLOCATE
    // fails: the caller ends its what-if session with `ROLLBACK; DEALLOCATE ALL` for that case.
    await session.exec(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}

/**
 * Names of prepared statements: unique per process (a counter), and apart from other processes' on a shared
 * connection pooler (a random tag). randomBytes for each name cost ~25 µs, measured with bench/explain.ts, a tenth of
 * a whole EXPLAIN on a quiet local server. The tag is made on first use: node:crypto is loaded only by a run that
 * needs it (scripts/build.mjs), and a check without a database needs no prepared statement.
 */
let processTag: string | undefined;
let preparedCount = 0;

export function nextPreparedName(): string {
  processTag ??= randomBytes(4).toString('hex');
  return `pglens_${processTag}_${++preparedCount}`;
}

/** Runs `sql` (a prefix + the statement) and turns PostgreSQL's error position into an offset in the statement. */
export async function queryWithPosition(session: DatabaseSession, sql: string, prefixLength: number, statementText?: string, params?: unknown[]) {
  try {
    return await session.query(sql, params);
  } catch (error) {
    throw asPlanningError(error, prefixLength, statementText);
  }
}

/** PostgreSQL's errors become PlanningErrors (the position, 1-based over the text sent, made an offset in the statement). */
export function asPlanningError(error: unknown, prefixLength: number, statementText?: string): unknown {
  const pgError = error as PgError;
  if (typeof pgError?.code === 'string' || pgError?.position !== undefined) {
    const characters = pgError.position !== undefined ? Number(pgError.position) - 1 - prefixLength : -1;
    const offset = statementText !== undefined && characters >= 0 ? codePointsToUtf16(statementText, characters) : undefined;
    return new PlanningError(pgError.message, offset, pgError.code);
  }
  return error;
}

export function explainJson(result: { rows: Record<string, unknown>[] }): unknown[] {
  const value = result.rows[0]?.['QUERY PLAN'];
  if (typeof value === 'string') return JSON.parse(value) as unknown[];
  return value as unknown[];
}
