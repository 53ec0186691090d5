// What-if planning: the statement planned as if an index existed, without leaving anything behind.
//
// With hypopg installed, hypothetical indexes (hypopg_create_index), in a READ ONLY transaction. Traps, each proven
// by test/advise/whatIf.test.ts against a real PostgreSQL 15 with hypopg 1.3.1:
//  - any EXPLAIN option naming ANALYZE (even `ANALYZE false`) turns hypopg off, so the EXPLAIN here names none;
//  - a generic plan prepared before the index was created ignores it: explainOnSession PREPAREs afresh every time;
//  - hypothetical indexes are per backend and survive ROLLBACK: hypopg_reset() after every candidate and in finally,
//    before the pooled session is handed back;
//  - hypopg 1.3 has no GIN (`access method "gin" is not supported`): those candidates stay unverified.
// Without hypopg, and only when `advisor.indexTrials` allows it (always for the embedded database, which only this
// process uses), the real index is built inside BEGIN ... ROLLBACK TO SAVEPOINT with a lock_timeout, on tables of at
// most `maxTrialTableRows` rows: CREATE INDEX takes a SHARE lock that blocks writers for the length of the build.
// pglens never installs an extension and never creates anything that outlives the transaction.

import { randomBytes } from 'node:crypto';
import type { DatabaseClient, DatabaseSession } from '../db/client';
import { explainOnSession } from '../db/explain';
import { findTable, type SchemaFacts } from '../db/schemaFacts';
import type { AstNode, ParsedStatement } from '../parse/parse';
import { walkPlan, type PlanNode } from '../plan/model';
import { quoteIdentifier, quoteQualifiedName } from '../sqlText';
import { assertIndexDefinition, createIndexSql, indexDefinition, type IndexCandidate } from './candidates';
import { describeProbe, probeSql, volatilityProbes } from './immutable';

export type WhatIfMethod = 'hypopg' | 'index trial';

export interface WhatIfOptions {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  indexTrials: boolean;
  maxTrialTableRows: number;
  signal?: AbortSignal;
}

export interface WhatIfResult {
  root: PlanNode;
  /** Whether the plan uses any of the candidate indexes. */
  used: boolean;
  /** Estimated (hypopg) or real (trial) size of the indexes, bytes. */
  sizeBytes: number;
}

export interface ColumnStats {
  nullFrac: number;
  /** Distinct values (pg_stats.n_distinct made absolute with the table's rows). */
  distinct: number;
  /** Most common values as text, with their frequencies. */
  common: Map<string, number>;
  /** Frequency of a value outside the most common ones. */
  otherFrequency: number;
}

/** One what-if session: a transaction on one database session, closed (and cleaned) by `withWhatIf`. */
export interface WhatIf {
  readonly method: WhatIfMethod | null;
  readonly serverVersionNum: number;
  /** The database's default collation, for text_pattern_ops. */
  readonly databaseCollation: string | undefined;
  /** Whether pg_trgm is installed (trigram candidates can only be tried then, and only by an index trial). */
  readonly trigramAvailable: boolean;
  /** What-if plans made so far (baseline plans are not counted). */
  calls: number;
  /** Whether this set can be planned here (GIN needs a trial, trials need a small table). */
  canVerify(set: IndexCandidate[]): boolean;
  /** The statement's plan in this session with no candidate. */
  baseline(statement: ParsedStatement): Promise<PlanNode>;
  /** The statement's plan with the candidate indexes; undefined when PostgreSQL refused one of them. */
  evaluate(statement: ParsedStatement, set: IndexCandidate[]): Promise<WhatIfResult | undefined>;
  /** Statistics of some columns (pg_stats), for deciding whether a constant predicate is selective. */
  columnStats(schema: string, table: string, columns: string[]): Promise<Map<string, ColumnStats>>;
  /**
   * The parts of an expression key or predicate that are not IMMUTABLE (pg_proc / pg_operator / pg_cast), which
   * PostgreSQL would refuse in CREATE INDEX; empty when it may be indexed.
   */
  mutableParts(tree: AstNode, columnTypes: (column: string) => string | undefined): Promise<string[]>;
  /** Plans another statement (a rewrite, a foreign-key check) with or without candidates. */
  explainText(statement: ParsedStatement, set?: IndexCandidate[]): Promise<WhatIfResult | undefined>;
}

/** Picks the method the database allows: hypopg, an index trial, or none (suggestions are then not verified). */
export function whatIfMethodFor(db: DatabaseClient, options: Pick<WhatIfOptions, 'indexTrials'>): WhatIfMethod | null {
  if (db.info.hypopg) return 'hypopg';
  if (db.info.kind === 'embedded' || options.indexTrials) return 'index trial';
  return null;
}

export async function withWhatIf<T>(db: DatabaseClient, schema: SchemaFacts, options: WhatIfOptions, work: (whatIf: WhatIf) => Promise<T>): Promise<T> {
  const method = whatIfMethodFor(db, options);
  return db.withSession(async (session) => {
    const session_ = new WhatIfSession(session, db, schema, method, options);
    await session_.open();
    try {
      return await work(session_);
    } finally {
      await session_.close();
    }
  }, options.signal);
}

class WhatIfSession implements WhatIf {
  calls = 0;
  databaseCollation: string | undefined;
  trigramAvailable = false;
  private hypopgSchema = 'public';
  private savepoints = 0;

  constructor(
    private readonly session: DatabaseSession,
    private readonly db: DatabaseClient,
    private readonly schema: SchemaFacts,
    readonly method: WhatIfMethod | null,
    private readonly options: WhatIfOptions,
  ) {}

  get serverVersionNum(): number {
    return this.db.info.serverVersionNum;
  }

  async open(): Promise<void> {
    // A trial builds a real index, which a READ ONLY transaction refuses; it is rolled back all the same.
    await this.session.query(this.method === 'index trial' ? 'BEGIN' : 'BEGIN READ ONLY');
    try {
      // An index build takes longer than planning; the table-size bound keeps it to about a second per million rows.
      const timeout = this.method === 'index trial' ? Math.max(this.options.statementTimeoutMs, 15_000) : this.options.statementTimeoutMs;
      await this.session.query(`SET LOCAL statement_timeout = ${Math.round(timeout)}`);
      await this.session.query(`SET LOCAL lock_timeout = ${Math.round(this.options.lockTimeoutMs)}`);
      const { rows } = await this.session.query<{ collation: string | null; trgm: boolean; hypopg_schema: string | null }>(
        `SELECT (SELECT datcollate FROM pg_catalog.pg_database WHERE datname = current_database()) AS collation,
                EXISTS (SELECT 1 FROM pg_catalog.pg_extension WHERE extname = 'pg_trgm') AS trgm,
                (SELECT n.nspname FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
                  WHERE e.extname = 'hypopg') AS hypopg_schema`,
      );
      this.databaseCollation = rows[0]?.collation ?? undefined;
      this.trigramAvailable = rows[0]?.trgm === true;
      if (rows[0]?.hypopg_schema) this.hypopgSchema = rows[0].hypopg_schema;
      if (this.method === 'hypopg') await this.resetHypothetical();
    } catch (error) {
      await this.session.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    // Hypothetical indexes live in the backend, not the transaction: reset before and after the rollback (the reset
    // inside fails when the transaction is already aborted).
    if (this.method === 'hypopg') await this.resetHypothetical().catch(() => undefined);
    // A failed EXPLAIN leaves its prepared statement behind (DEALLOCATE fails in an aborted transaction).
    await this.session.exec('ROLLBACK; DEALLOCATE ALL').catch(() => undefined);
    if (this.method === 'hypopg') await this.resetHypothetical().catch(() => undefined);
  }

  private async resetHypothetical(): Promise<void> {
    await this.session.query(`SELECT ${quoteIdentifier(this.hypopgSchema)}.hypopg_reset()`);
  }

  private readonly immutableAnswers = new Map<string, boolean>();

  async mutableParts(tree: AstNode, columnTypes: (column: string) => string | undefined): Promise<string[]> {
    const mutable: string[] = [];
    for (const probe of volatilityProbes(tree, columnTypes)) {
      const key = JSON.stringify(probe);
      let immutable = this.immutableAnswers.get(key);
      if (immutable === undefined) {
        const sql = probeSql(probe);
        immutable = false;
        if (sql) {
          await this.session.query('SAVEPOINT pglens_volatility');
          try {
            immutable = (await this.session.query<{ immutable: boolean }>(sql.text, sql.values)).rows[0]?.immutable === true;
            await this.session.query('RELEASE SAVEPOINT pglens_volatility');
          } catch (error) {
            if ((error as { code?: string }).code === '57014' || this.options.signal?.aborted) throw error;
            await this.session.query('ROLLBACK TO SAVEPOINT pglens_volatility');
          }
        }
        this.immutableAnswers.set(key, immutable);
      }
      if (!immutable) mutable.push(describeProbe(probe));
    }
    return mutable;
  }

  async columnStats(schemaName: string, tableName: string, columns: string[]): Promise<Map<string, ColumnStats>> {
    const stats = new Map<string, ColumnStats>();
    if (columns.length === 0) return stats;
    const rowsOf = findTable(this.schema, tableName, schemaName)?.estimatedRows ?? 0;
    // Statistics only sharpen the choice of partial predicates: if reading them fails (a type whose values do not
    // read back as text[]), the advice goes on without them.
    await this.session.query('SAVEPOINT pglens_stats');
    let rows: { attname: string; null_frac: number; n_distinct: number; vals: string[] | null; freqs: number[] | null }[] = [];
    try {
      rows = (
        await this.session.query<{ attname: string; null_frac: number; n_distinct: number; vals: string[] | null; freqs: number[] | null }>(
          `SELECT attname, null_frac::float8 AS null_frac, n_distinct::float8 AS n_distinct,
                  most_common_vals::text::text[] AS vals, most_common_freqs::float8[] AS freqs
             FROM pg_catalog.pg_stats WHERE schemaname = $1 AND tablename = $2 AND attname = ANY($3::text[])`,
          [schemaName, tableName, columns],
        )
      ).rows;
      await this.session.query('RELEASE SAVEPOINT pglens_stats');
    } catch (error) {
      if ((error as { code?: string }).code === '57014' || this.options.signal?.aborted) throw error;
      await this.session.query('ROLLBACK TO SAVEPOINT pglens_stats');
    }
    for (const row of rows) {
      const distinct = row.n_distinct < 0 ? -row.n_distinct * rowsOf : row.n_distinct;
      const common = new Map<string, number>();
      (row.vals ?? []).forEach((value, i) => common.set(value, Number(row.freqs?.[i] ?? 0)));
      const commonTotal = [...common.values()].reduce((a, b) => a + b, 0);
      const others = Math.max(1, distinct - common.size);
      stats.set(row.attname, { nullFrac: Number(row.null_frac), distinct, common, otherFrequency: Math.max(0, 1 - commonTotal - Number(row.null_frac)) / others });
    }
    return stats;
  }

  canVerify(set: IndexCandidate[]): boolean {
    if (this.method === null) return false;
    if (this.method === 'hypopg') return set.every((c) => c.method === 'btree');
    return set.every((c) => {
      if (c.needsExtension === 'pg_trgm' && !this.trigramAvailable) return false;
      const table = findTable(this.schema, c.table, c.schema);
      return table !== undefined && table.estimatedRows <= this.options.maxTrialTableRows;
    });
  }

  async baseline(statement: ParsedStatement): Promise<PlanNode> {
    return (await explainOnSession(this.session, statement)).root;
  }

  async evaluate(statement: ParsedStatement, set: IndexCandidate[]): Promise<WhatIfResult | undefined> {
    this.calls++;
    return this.explainText(statement, set);
  }

  async explainText(statement: ParsedStatement, set: IndexCandidate[] = []): Promise<WhatIfResult | undefined> {
    if (this.options.signal?.aborted) throw abortError();
    if (set.length > 0 && !this.canVerify(set)) return undefined;
    // A trial's CREATE INDEX is undone by ROLLBACK TO (which also releases its SHARE lock). Hypothetical indexes are
    // not transactional, so no savepoint is spent on them: hypopg_reset() undoes them, and a failed statement (a
    // candidate PostgreSQL refuses) restarts the transaction instead.
    const savepoint = this.method === 'index trial' && set.length > 0 ? `pglens_whatif_${++this.savepoints}` : undefined;
    if (savepoint) await this.session.query(`SAVEPOINT ${savepoint}`);
    const created: { name: string; oid?: number; qualified?: string }[] = [];
    let failed = false;
    try {
      for (const candidate of set) {
        if (this.method === 'hypopg') {
          // The definition is a bound parameter, re-parsed to the candidate's one CREATE INDEX first (createIndexSql).
          const { rows } = await this.session.query<{ indexrelid: number; indexname: string }>(
            `SELECT indexrelid, indexname FROM ${quoteIdentifier(this.hypopgSchema)}.hypopg_create_index($1)`,
            [createIndexSql(candidate)],
          );
          created.push({ name: rows[0].indexname, oid: rows[0].indexrelid });
        } else {
          const name = `pglens_trial_${randomBytes(5).toString('hex')}`;
          const sql = `CREATE INDEX ${name} ${indexDefinition(candidate)}`;
          // Exactly the candidate's one CREATE INDEX, or nothing is sent (GeneratedSqlError rules the candidate out).
          assertIndexDefinition(sql, candidate, name);
          await this.session.query(sql);
          // The index lives in its table's schema, which need not be on the search_path.
          created.push({ name, qualified: quoteQualifiedName(candidate.schema, name) });
        }
      }
      const { root } = await explainOnSession(this.session, statement);
      const names = created.map((c) => c.name);
      const used = names.length > 0 && [...walkPlan(root)].some(({ node }) => node.indexName !== undefined && names.includes(node.indexName));
      // Sizes only matter for indexes the plan uses (choose.ts compares them).
      let sizeBytes = 0;
      if (used) {
        for (const index of created) {
          const size =
            this.method === 'hypopg'
              ? await this.session.query<{ size: string }>(`SELECT ${quoteIdentifier(this.hypopgSchema)}.hypopg_relation_size($1)::text AS size`, [index.oid])
              : await this.session.query<{ size: string }>(`SELECT pg_catalog.pg_relation_size($1::regclass)::text AS size`, [index.qualified ?? index.name]);
          sizeBytes += Number(size.rows[0]?.size ?? 0);
        }
      }
      return { root, used, sizeBytes };
    } catch (error) {
      failed = true;
      const code = (error as { code?: string }).code;
      // A cancelled statement or a lock we could not get: the whole advice stops; anything else (an operator class
      // that does not exist, an expression that is not immutable) only rules this candidate out.
      if (code === '57014' || code === '55P03' || this.options.signal?.aborted) throw error;
      return undefined;
    } finally {
      if (savepoint) await this.session.query(`ROLLBACK TO SAVEPOINT ${savepoint}`).catch(() => undefined);
      if (this.method === 'hypopg' && created.length > 0 && !failed) await this.resetHypothetical().catch(() => undefined);
      if (failed && !savepoint) await this.restart();
    }
  }

  /** After a failed statement outside a savepoint: roll back, reset, and open the transaction again. */
  private async restart(): Promise<void> {
    await this.session.query('ROLLBACK').catch(() => undefined);
    if (this.method === 'hypopg') await this.resetHypothetical().catch(() => undefined);
    await this.open();
  }
}

function abortError(): Error {
  const error = new Error('analysis cancelled');
  error.name = 'AbortError';
  return error;
}
