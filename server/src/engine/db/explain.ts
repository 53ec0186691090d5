// Safe EXPLAIN. Only one statement the parser confirmed is ever sent; it runs in a READ ONLY transaction with
// statement and lock timeouts, and the transaction is always rolled back, so pglens cannot change the database.

import { randomBytes } from 'node:crypto';
import type { ParsedStatement } from '../parse/parse';
import { planNodeFromJson, type ExplainedPlan, type PlanNode } from '../plan/model';
import type { DatabaseClient, DatabaseSession } from './client';
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
 * PostgreSQL 16 and later plan parameters generically with EXPLAIN (GENERIC_PLAN). On 15 and older (measured on 15.18)
 * the statement is PREPAREd without types and EXECUTEd with one NULL per parameter under
 * plan_cache_mode = force_generic_plan; without that setting the NULLs are folded into `One-Time Filter: false`, and
 * sending $n with bound values gives a custom plan even with the setting.
 */
export async function explainStatement(db: DatabaseClient, statement: ParsedStatement, options: ExplainOptions): Promise<ExplainedPlan> {
  const info = db.info;
  const analyze = options.analyze === true;
  const prepares = !analyze && statement.parameterCount > 0 && info.serverVersionNum < 160000;
  return db.withSession(async (session) => {
    // The transaction and its limits go in front of the first statement sent, in the same round trip: a text without
    // parameters goes through the simple protocol, which runs its statements in order (pg and the embedded database
    // alike), and the statement pglens confirmed to be exactly one statement stays the last. Measured with
    // bench/explain.ts: planning a statement often takes less than a round trip, so each one saved shows.
    const owned: OwnedTransaction = {
      preamble:
        [
          analyze ? 'BEGIN' : 'BEGIN READ ONLY',
          `SET LOCAL statement_timeout = ${Math.round(options.statementTimeoutMs)}`,
          `SET LOCAL lock_timeout = ${Math.round(options.lockTimeoutMs)}`,
          ...(prepares ? ['SET LOCAL plan_cache_mode = force_generic_plan'] : []),
        ].join('; ') + '; ',
    };
    try {
      const started = Date.now();
      const { json, generic } = await runExplain(session, statement, info.serverVersionNum, analyze, owned);
      const top = json[0] as Record<string, unknown>;
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
      };
    } finally {
      // Prepared statements outlive ROLLBACK, and the session goes back to a pool: DEALLOCATE right after the
      // ROLLBACK, in the same round trip, which also works when a failed EXPLAIN left the transaction aborted.
      await session.query(owned.prepared ? `ROLLBACK; DEALLOCATE ${owned.prepared}` : 'ROLLBACK');
    }
  }, options.signal);
}

/**
 * Set when explainStatement owns the transaction: `preamble` (BEGIN and the SET LOCALs, plan_cache_mode included)
 * goes in front of the first statement sent, and explainStatement deallocates `prepared` after its ROLLBACK.
 */
interface OwnedTransaction {
  preamble: string;
  prepared?: string;
}

/**
 * EXPLAIN (no ANALYZE option of any kind) on a session whose transaction the caller opened, with its timeouts set:
 * for the index advisor, which creates hypothetical or trial indexes in that same transaction first. Each call
 * PREPAREs afresh on PostgreSQL 15, so a generic plan cached before an index was added is never reused.
 */
export async function explainOnSession(session: DatabaseSession, statement: ParsedStatement, serverVersionNum: number): Promise<{ root: PlanNode; generic: boolean }> {
  const { json, generic } = await runExplain(session, statement, serverVersionNum, false);
  return { root: planNodeFromJson((json[0] as Record<string, unknown>)['Plan'] as Record<string, unknown>), generic };
}

/**
 * Names of prepared statements: unique per process (a counter), and apart from other processes' on a shared
 * connection pooler (a random tag). randomBytes for each name cost ~25 µs, measured with bench/explain.ts, a tenth of
 * a whole EXPLAIN on a quiet local server.
 */
const PROCESS_TAG = randomBytes(4).toString('hex');
let preparedCount = 0;

async function runExplain(
  session: DatabaseSession,
  statement: ParsedStatement,
  serverVersionNum: number,
  analyze: boolean,
  owned?: OwnedTransaction,
): Promise<{ json: unknown[]; generic: boolean }> {
  const explainOptions = analyze ? 'ANALYZE, BUFFERS, FORMAT JSON' : 'FORMAT JSON';
  const parameters = statement.parameterCount;
  // The preamble rides with the first statement only.
  const lead = () => {
    const preamble = owned?.preamble ?? '';
    if (owned) owned.preamble = '';
    return preamble;
  };
  if (parameters === 0 || analyze) {
    const prefix = `${lead()}EXPLAIN (${explainOptions}) `;
    const result = await queryWithPosition(session, prefix + statement.text, prefix.length, statement.text);
    return { json: explainJson(result), generic: false };
  }
  if (serverVersionNum >= 160000) {
    const prefix = `${lead()}EXPLAIN (GENERIC_PLAN, ${explainOptions}) `;
    const result = await queryWithPosition(session, prefix + statement.text, prefix.length, statement.text);
    return { json: explainJson(result), generic: true };
  }
  const name = `pglens_${PROCESS_TAG}_${++preparedCount}`;
  if (!owned) await session.query('SET LOCAL plan_cache_mode = force_generic_plan');
  const prefix = `${lead()}PREPARE ${name} AS `;
  await queryWithPosition(session, prefix + statement.text, prefix.length, statement.text);
  if (owned) {
    owned.prepared = name;
    const nulls = new Array(parameters).fill('NULL').join(', ');
    const result = await queryWithPosition(session, `EXPLAIN (${explainOptions}) EXECUTE ${name}(${nulls})`, Number.MAX_SAFE_INTEGER);
    return { json: explainJson(result), generic: true };
  }
  try {
    const nulls = new Array(parameters).fill('NULL').join(', ');
    const result = await queryWithPosition(session, `EXPLAIN (${explainOptions}) EXECUTE ${name}(${nulls})`, Number.MAX_SAFE_INTEGER);
    return { json: explainJson(result), generic: true };
  } finally {
    // Prepared statements outlive ROLLBACK; the session goes back to a pool.
    await session.query(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}

/** Runs `sql` (a prefix + the statement) and turns PostgreSQL's error position into an offset in the statement. */
async function queryWithPosition(session: DatabaseSession, sql: string, prefixLength: number, statementText?: string) {
  try {
    return await session.query(sql);
  } catch (error) {
    const pgError = error as PgError;
    if (typeof pgError.code === 'string' || pgError.position !== undefined) {
      // The position is 1-based and counts characters of the whole query text sent, prefix included.
      const characters = pgError.position !== undefined ? Number(pgError.position) - 1 - prefixLength : -1;
      const offset = statementText !== undefined && characters >= 0 ? codePointsToUtf16(statementText, characters) : undefined;
      throw new PlanningError(pgError.message, offset, pgError.code);
    }
    throw error;
  }
}

function explainJson(result: { rows: Record<string, unknown>[] }): unknown[] {
  const value = result.rows[0]?.['QUERY PLAN'];
  if (typeof value === 'string') return JSON.parse(value) as unknown[];
  return value as unknown[];
}
