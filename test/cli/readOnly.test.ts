// A `pglens check` run changes nothing in the database it plans against: row counts, the write counters of
// pg_stat_user_tables, sequences and the catalog are the same before and after a run over the realistic app, whose
// code holds UPDATE, DELETE and INSERT statements (and a migration with CREATE INDEX and ALTER TABLE).
//
// The run goes against a database of its own (the fixture schema with a sample of the fixture rows), because the
// shared pglens_test is used by other test files at the same time, and their EXPLAIN ANALYZE of writes (rolled
// back) still counts in n_tup_ins/upd/del.
//
// Statistics are flushed by each backend on its own schedule (at most once a second while it is idle, and when it
// exits), not when another session reads them. So the snapshot is taken after every pglens session has left
// pg_stat_activity, plus a second for the exit flush, reading through a fresh connection after
// pg_stat_clear_snapshot(). The control at the end proves that this procedure sees a rolled-back INSERT, which is
// what a stray write through pglens would look like (it always rolls back).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { waitForSessionsToEnd as waitForSessions } from '../harness/fingerprint';
import { FIXTURE_DIR, getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, parseJsonReport, REALISTIC_APP, runCli } from './cliHarness';

const DATABASE = `pglens_cli_readonly_${process.pid}`;
/** Tables in foreign-key order, and how many rows of each the sample copies. */
const TABLES = ['countries', 'currencies', 'plans', 'accounts', 'users', 'projects', 'invoices', 'invoice_lines', 'orders', 'order_items', 'events', 'audit_log'];
const SAMPLE_ROWS = 3000;
/** Big enough for sequential-scan findings, so that the index advisor's what-if planning (hypopg) runs too. */
const LARGE_SAMPLE: Record<string, number> = { orders: 60_000, invoices: 60_000 };
const CONTROL_APPLICATION = 'pglens-readonly-control';

let superuserUrl: string;
let appUrl: string;

function urlFor(base: string, database: string): string {
  const url = new URL(base);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>, applicationName = 'pglens-readonly-test'): Promise<T> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

before(async () => {
  ensureCliBuilt();
  const shared = await getSharedTestDatabase();
  superuserUrl = urlFor(shared.superuserUrl, DATABASE);
  appUrl = urlFor(shared.url, DATABASE);
  await withClient(urlFor(shared.superuserUrl, 'postgres'), async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE} OWNER app`);
  });
  const schema = readFileSync(join(FIXTURE_DIR, 'schema.sql'), 'utf8');
  await withClient(shared.superuserUrl, async (source) => {
    await withClient(superuserUrl, async (target) => {
      await target.query('BEGIN');
      await target.query('SET LOCAL ROLE app');
      await target.query(schema);
      await target.query('RESET ROLE');
      // The sample is consistent only within itself: skip the foreign key triggers (superuser only).
      await target.query('SET LOCAL session_replication_role = replica');
      for (const table of TABLES) {
        const { rows } = await source.query(`SELECT coalesce(json_agg(t), '[]') AS rows FROM (SELECT * FROM ${table} ORDER BY 1 LIMIT ${LARGE_SAMPLE[table] ?? SAMPLE_ROWS}) t`);
        await target.query(`INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1)`, [JSON.stringify(rows[0].rows)]);
      }
      await target.query('COMMIT');
      await target.query('ANALYZE');
      // Hypothetical indexes live in the backend's memory, never in the catalog: the snapshot below checks that too.
      if (shared.hypopg) await target.query('CREATE EXTENSION IF NOT EXISTS hypopg');
    });
  });
});

after(async () => {
  const shared = await getSharedTestDatabase();
  await withClient(urlFor(shared.superuserUrl, 'postgres'), (admin) => admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`));
});

interface Snapshot {
  rowCounts: Record<string, number>;
  writeCounters: Record<string, string>;
  sequences: Record<string, string>;
  catalog: Record<string, string[]>;
  preparedTransactions: number;
}

/** Waits until no session of `applicationPattern` is connected to the database, then one more second. */
function waitForSessionsToEnd(applicationPattern: string): Promise<void> {
  return waitForSessions(superuserUrl, applicationPattern);
}

async function snapshot(): Promise<Snapshot> {
  return withClient(superuserUrl, async (client) => {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const rowCounts: Record<string, number> = {};
    for (const table of TABLES) rowCounts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    const writeCounters: Record<string, string> = {};
    const stats = await client.query(
      `SELECT relname, n_tup_ins, n_tup_upd, n_tup_del, n_tup_hot_upd FROM pg_stat_user_tables ORDER BY relname`,
    );
    for (const row of stats.rows) writeCounters[row.relname] = `ins ${row.n_tup_ins} upd ${row.n_tup_upd} del ${row.n_tup_del} hot ${row.n_tup_hot_upd}`;
    const totals = await client.query(
      `SELECT sum(n_tup_ins)::bigint AS ins, sum(n_tup_upd)::bigint AS upd, sum(n_tup_del)::bigint AS del FROM pg_stat_user_tables`,
    );
    writeCounters['(all tables)'] = `ins ${totals.rows[0].ins} upd ${totals.rows[0].upd} del ${totals.rows[0].del}`;
    const sequences: Record<string, string> = {};
    for (const row of (await client.query(`SELECT schemaname || '.' || sequencename AS name, last_value FROM pg_sequences ORDER BY 1`)).rows) {
      sequences[row.name] = String(row.last_value);
    }
    const rowsOf = async (sql: string) => (await client.query(sql)).rows.map((row) => Object.values(row).join(' '));
    const userNamespaces = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'`;
    const catalog: Record<string, string[]> = {
      relations: await rowsOf(
        `SELECT n.nspname, c.relname, c.relkind, c.relfilenode, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE ${userNamespaces} ORDER BY 1, 2`,
      ),
      columns: await rowsOf(
        `SELECT c.relname, a.attnum, a.attname, a.atttypid::regtype, a.attnotnull, a.atthasdef FROM pg_attribute a
           JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE ${userNamespaces} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2`,
      ),
      indexes: await rowsOf(
        `SELECT i.indexrelid::regclass, i.indrelid::regclass, i.indisvalid, i.indisready, pg_get_indexdef(i.indexrelid) FROM pg_index i
           JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${userNamespaces} ORDER BY i.indexrelid::regclass::text`,
      ),
      constraints: await rowsOf(
        `SELECT conrelid::regclass, conname, contype, convalidated FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
          WHERE ${userNamespaces} ORDER BY conrelid::regclass::text, conname`,
      ),
      namespaces: await rowsOf(`SELECT nspname FROM pg_namespace n WHERE ${userNamespaces} ORDER BY 1`),
      functions: await rowsOf(`SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${userNamespaces} ORDER BY p.oid::regprocedure::text`),
      types: await rowsOf(`SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE ${userNamespaces} ORDER BY 1`),
      extensions: await rowsOf(`SELECT extname, extversion FROM pg_extension ORDER BY 1`),
      triggers: await rowsOf(`SELECT tgrelid::regclass, tgname, tgenabled FROM pg_trigger ORDER BY tgrelid::regclass::text, tgname`),
    };
    const preparedTransactions = Number((await client.query('SELECT count(*) AS n FROM pg_prepared_xacts')).rows[0].n);
    return { rowCounts, writeCounters, sequences, catalog, preparedTransactions };
  });
}

test('a check run over code with UPDATE, DELETE, INSERT and DDL leaves the database exactly as it was', async () => {
  await waitForSessionsToEnd('pglens-readonly-test');
  const before = await snapshot();
  assert.equal(before.rowCounts.orders, LARGE_SAMPLE.orders);

  const result = await runCli(['check', '.', '--format', 'json'], { cwd: REALISTIC_APP, env: { APP_DATABASE_URL: appUrl } });
  assert.ok(result.code === 0 || result.code === 1, `the run completed: exit ${result.code}\n${result.stderr}`);
  const report = parseJsonReport(result);
  // The writes really were planned (EXPLAINed), not skipped: on this small sample most are quiet, but planned.
  assert.ok(report.summary.planned >= 38, `planned ${report.summary.planned} of ${report.summary.statements}`);
  assert.ok(report.findings.some((f) => f.ruleId === 'seq-scan-large-table'), `plan rules reported on the sample: ${report.findings.map((f) => f.ruleId).join(', ')}`);
  if ((await getSharedTestDatabase()).hypopg) {
    assert.ok(report.findings.some((f) => /verified with hypopg/.test(f.message)), 'the index advisor planned with hypothetical indexes');
  }
  assert.deepEqual(
    report.findings.filter((f) => f.ruleId === 'plan-error').map((f) => `${f.file}:${f.line} ${f.message}`),
    [],
    'every statement could be planned',
  );

  await waitForSessionsToEnd('pglens%');
  const afterRun = await snapshot();
  assert.deepEqual(afterRun, before);

  // Control: a rolled-back INSERT from a session that has ended is visible to the same procedure (the counters count
  // attempted writes, committed or not). Had the check written anything, the comparison above would have seen it.
  await withClient(
    appUrl,
    async (client) => {
      await client.query('BEGIN');
      await client.query(`INSERT INTO countries (code, name, region) VALUES ('ZZ', 'Nowhere', 'Nowhere')`);
      await client.query('ROLLBACK');
    },
    CONTROL_APPLICATION,
  );
  await waitForSessionsToEnd(CONTROL_APPLICATION);
  const afterControl = await snapshot();
  assert.deepEqual(afterControl.rowCounts, before.rowCounts, 'the control rolled back');
  assert.notDeepEqual(afterControl.writeCounters, before.writeCounters, 'the counters saw the rolled-back INSERT');
  assert.match(afterControl.writeCounters.countries, /^ins 43 /, `countries: ${afterControl.writeCounters.countries}`);
});
