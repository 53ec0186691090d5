// EXPLAIN ANALYZE of a statement with parameters ($1, $2 ...) and the values a person gave for them. The values are
// bound as parameters of the extended protocol, never written into the SQL text. Each value is first checked
// against the type PostgreSQL infers for its parameter, so a bad value is one line naming the parameter
// ("$2 (integer): 'abc' is not an integer") instead of PostgreSQL's message about the whole statement.

import type { ParsedStatement } from '../parse/parse';
import type { ExplainedPlan } from '../plan/model';
import { isDatabaseFailure, readOnlyTransactionPreamble, type DatabaseClient, type DatabaseSession, type TransactionLimits } from './client';
import { asPlanningError, explainedPlan, nextPreparedName, prepareStatement, queryWithPosition } from './explain';

/** A parameter's value as text (PostgreSQL reads it with the type's input function), or null for SQL NULL. */
export type ParameterValue = string | null;

/** The type PostgreSQL could not infer for a parameter (PREPARE failed): the value goes unchecked, as text. */
export const UNKNOWN_PARAMETER_TYPE = 'unknown';

/** A value PostgreSQL does not accept for its parameter's type: the message is the one line to show. */
export class ParameterValueError extends Error {
  constructor(
    message: string,
    /** n of $n. */
    readonly parameter: number,
  ) {
    super(message);
    this.name = 'ParameterValueError';
  }
}

/**
 * The type of each of `$1..$n` as PostgreSQL infers it: the statement is PREPAREd (parsed and analysed, nothing
 * planned or executed) inside a read-only transaction that is rolled back, and the types are read from
 * pg_prepared_statements. A statement PostgreSQL refuses (a parameter whose type it cannot determine, a missing
 * table) gives `unknown` for every parameter; a database that does not answer throws.
 */
export async function inferParameterTypes(db: DatabaseClient, statement: ParsedStatement, limits: TransactionLimits, signal?: AbortSignal): Promise<string[]> {
  const unknown = () => new Array<string>(statement.parameterCount).fill(UNKNOWN_PARAMETER_TYPE);
  if (statement.parameterCount === 0) return [];
  return db.withSession(async (session) => {
    const name = nextPreparedName();
    await session.exec(readOnlyTransactionPreamble(limits));
    try {
      await prepareStatement(session, name, statement);
      return await preparedParameterTypes(session, name, statement.parameterCount);
    } catch (error) {
      if (isDatabaseFailure(error)) throw error;
      return unknown();
    } finally {
      // PREPARE is not undone by the rollback; DEALLOCATE fails (harmlessly) when PREPARE did.
      await session.exec('ROLLBACK').catch(() => undefined);
      await session.exec(`DEALLOCATE ${name}`).catch(() => undefined);
    }
  }, signal);
}

/** regtype names (`integer`, `timestamp with time zone`, `public."Status"`), as PostgreSQL prints them. */
async function preparedParameterTypes(session: DatabaseSession, name: string, count: number): Promise<string[]> {
  const result = await session.query<{ types: string }>(
    'SELECT pg_catalog.array_to_json(parameter_types::pg_catalog.text[])::pg_catalog.text AS types FROM pg_catalog.pg_prepared_statements WHERE name = $1',
    [name],
  );
  const types = JSON.parse(result.rows[0]?.types ?? '[]') as string[];
  return Array.from({ length: count }, (_, i) => types[i] ?? UNKNOWN_PARAMETER_TYPE);
}

export interface AnalyzeWithValuesOptions extends TransactionLimits {
  signal?: AbortSignal;
}

/**
 * EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) of the statement with `values` bound to `$1..$n`, on `db`'s dedicated
 * session (explainAnalyze.ts hands a connection that is READ ONLY unless the person confirmed the statement). Three
 * steps on that session:
 *  1. a read-only transaction, rolled back: PREPARE (the repository's text alone in one Parse message) to read the
 *     parameter types, then each value cast to its type through a bound parameter (`SELECT $1::text::integer`);
 *     the first value refused ends it with a ParameterValueError;
 *  2. `BEGIN` with the statement and lock timeouts, then `EXPLAIN (...) <statement>` with the values bound: the
 *     planner sees the real values (a custom plan), as the application's query would;
 *  3. ROLLBACK, whatever happened.
 */
export async function explainAnalyzeWithValues(
  db: DatabaseClient,
  statement: ParsedStatement,
  values: readonly ParameterValue[],
  options: AnalyzeWithValuesOptions,
): Promise<{ plan: ExplainedPlan; types: string[] }> {
  if (values.length !== statement.parameterCount) {
    throw new ParameterValueError(`the statement has ${statement.parameterCount} parameter(s) ($1…$${statement.parameterCount}); ${values.length} value(s) were given`, values.length + 1);
  }
  const limits: TransactionLimits = { statementTimeoutMs: options.statementTimeoutMs, lockTimeoutMs: options.lockTimeoutMs };
  return db.withDedicatedSession(async (session) => {
    const types = await checkValues(session, statement, values, limits);
    const started = Date.now();
    // The person's connection is READ ONLY by default_transaction_read_only unless they confirmed: BEGIN, not BEGIN READ ONLY.
    await session.exec(readOnlyTransactionPreamble(limits).replace(/^BEGIN READ ONLY/, 'BEGIN'));
    try {
      const prefix = 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ';
      const result = await queryWithPosition(session, prefix + statement.text, prefix.length, statement.text, [...values]);
      return { plan: explainedPlan(result, db.info, started, false), types };
    } finally {
      await session.exec('ROLLBACK').catch(() => undefined);
    }
  }, options.signal);
}

/**
 * The values checked against the parameters' types, on a pooled session (nothing executes: PREPARE and casts in a
 * read-only transaction that is rolled back): a bad value is said before the person is asked to confirm a write.
 * Throws a ParameterValueError for the first value refused.
 */
export async function checkParameterValues(db: DatabaseClient, statement: ParsedStatement, values: readonly ParameterValue[], limits: TransactionLimits, signal?: AbortSignal): Promise<string[]> {
  return db.withSession((session) => checkValues(session, statement, values, limits), signal);
}

async function checkValues(session: DatabaseSession, statement: ParsedStatement, values: readonly ParameterValue[], limits: TransactionLimits): Promise<string[]> {
  const name = nextPreparedName();
  await session.exec(readOnlyTransactionPreamble(limits));
  try {
    await prepareStatement(session, name, statement);
    const types = await preparedParameterTypes(session, name, statement.parameterCount);
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === null || types[i] === UNKNOWN_PARAMETER_TYPE) continue;
      try {
        // The type name is PostgreSQL's own regtype output (quoted where it needs quotes); the value is bound.
        await session.query(`SELECT $1::pg_catalog.text::${types[i]}`, [value]);
      } catch (error) {
        const code = (error as { code?: string }).code ?? '';
        // Class 22: data exception (invalid text representation, out of range, bad datetime), 23: a domain's check.
        if (/^2[23]/.test(code)) throw new ParameterValueError(valueProblem(i + 1, types[i], value, error as Error), i + 1);
        throw error;
      }
    }
    return types;
  } catch (error) {
    throw error instanceof ParameterValueError ? error : asPlanningError(error, Number.MAX_SAFE_INTEGER);
  } finally {
    await session.exec('ROLLBACK').catch(() => undefined);
    await session.exec(`DEALLOCATE ${name}`).catch(() => undefined);
  }
}

const TYPE_NOUNS: Record<string, string> = {
  smallint: 'an integer',
  integer: 'an integer',
  bigint: 'an integer',
  numeric: 'a number',
  real: 'a number',
  'double precision': 'a number',
  boolean: 'a boolean (true/false)',
  uuid: 'a UUID',
  date: 'a date',
  json: 'JSON',
  jsonb: 'JSON',
  inet: 'an IP address',
  interval: 'an interval',
};

/** One line: `$2 (integer): 'abc' is not an integer`; out of range and other refusals say PostgreSQL's reason. */
export function valueProblem(parameter: number, type: string, value: string, error: Error & { code?: string }): string {
  const shown = `'${value.length > 60 ? `${value.slice(0, 57)}...` : value}'`;
  const head = `$${parameter} (${type}): ${shown}`;
  if (error.code === '22003') return `${head} is out of range for ${type}`;
  const noun = TYPE_NOUNS[type] ?? (/^timestamp|^time /.test(type) ? 'a timestamp' : undefined);
  if (error.code === '22P02' || error.code === '22007' || error.code === '22008') return `${head} is not ${noun ?? `a valid ${type}`}`;
  return `${head} is refused: ${error.message}`;
}
