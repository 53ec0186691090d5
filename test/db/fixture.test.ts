// The fixture application database is what every plan rule is tested against: these tests pin the shapes the rules
// rely on (sizes, indexes, skew, the planner's real choices), so a change to the fixture that breaks them shows here.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { getSharedTestDatabase, MISSING_HYPOPG_MESSAGE, type SharedTestDatabase } from '../harness/postgres';

let db: SharedTestDatabase;
let app: Client;

before(async () => {
  db = await getSharedTestDatabase();
  app = new Client({ connectionString: db.url });
  await app.connect();
});
after(async () => {
  await app?.end();
});

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

async function plan(sql: string): Promise<PlanNode> {
  const { rows } = await app.query(`EXPLAIN (FORMAT JSON) ${sql}`);
  return rows[0]['QUERY PLAN'][0].Plan;
}

/** Every node of the plan, as "Seq Scan on orders" / "Index Scan using users_email_key on users". */
function nodes(p: PlanNode): string[] {
  const self = `${p['Node Type']}${p['Index Name'] ? ` using ${p['Index Name']}` : ''}${p['Relation Name'] ? ` on ${p['Relation Name']}` : ''}`;
  return [self, ...(p.Plans ?? []).flatMap(nodes)];
}

test('big tables hold hundreds of thousands of rows, lookups fewer than 100', async () => {
  const { rows } = await app.query<{ relname: string; n: string }>(
    `SELECT relname, reltuples::bigint AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind = 'r'`,
  );
  const n = Object.fromEntries(rows.map((r) => [r.relname, Number(r.n)]));
  assert.equal(n.orders, 300_000);
  assert.equal(n.events, 300_000);
  assert.equal(n.invoices, 200_000);
  assert.equal(n.audit_log, 200_000);
  assert.equal(n.users, 100_000);
  assert.ok(n.order_items > 400_000, `order_items: ${n.order_items}`);
  for (const small of ['countries', 'plans', 'currencies']) assert.ok(n[small] > 0 && n[small] < 100, `${small}: ${n[small]}`);
});

test('the app role owns the tables and can read and write them; the superuser URL is a superuser', async () => {
  const owner = await app.query(`SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public'`);
  assert.deepEqual(owner.rows, [{ tableowner: 'app' }]);
  const su = new Client({ connectionString: db.superuserUrl });
  await su.connect();
  try {
    assert.equal((await su.query('SHOW is_superuser')).rows[0].is_superuser, 'on');
    assert.equal((await app.query('SHOW is_superuser')).rows[0].is_superuser, 'off');
  } finally {
    await su.end();
  }
});

test('statistics are fresh: every table was analyzed after the load', async () => {
  const { rows } = await app.query(
    `SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL`,
  );
  assert.deepEqual(rows, []);
});

test('status columns are skewed: invoices pending 1%, paid 90%', async () => {
  const { rows } = await app.query<{ status: string; share: number }>(
    `SELECT status, count(*)::float / sum(count(*)) OVER () AS share FROM invoices GROUP BY status`,
  );
  const share = Object.fromEntries(rows.map((r) => [r.status, r.share]));
  assert.ok(Math.abs(share.paid - 0.9) < 0.01, `paid ${share.paid}`);
  assert.ok(Math.abs(share.pending - 0.01) < 0.003, `pending ${share.pending}`);
});

test('a selective filter on an unindexed column of a big table is planned as a sequential scan', async () => {
  const p = await plan(`SELECT * FROM orders WHERE customer_email = 'customer42@example.com'`);
  assert.ok(nodes(p).some((n) => /^(Parallel )?Seq Scan on orders$/.test(n)), nodes(p).join(' / '));
  assert.ok(p['Plan Rows'] < 100, `estimated rows ${p['Plan Rows']}`);
  const pending = await plan(`SELECT * FROM invoices WHERE status = 'pending'`);
  assert.ok(nodes(pending).some((n) => /^(Parallel )?Seq Scan on invoices$/.test(n)), nodes(pending).join(' / '));
});

test('the same filter on an indexed column uses the index; wrapping it in a function does not', async () => {
  const byEmail = nodes(await plan(`SELECT * FROM users WHERE email = 'ana.smith1@example.com'`));
  assert.ok(byEmail.includes('Index Scan using users_email_key on users'), byEmail.join(' / '));
  const byLower = nodes(await plan(`SELECT * FROM users WHERE lower(email) = 'ana.smith1@example.com'`));
  assert.ok(byLower.some((n) => /Seq Scan on users$/.test(n)), byLower.join(' / '));
  const byDate = nodes(await plan(`SELECT * FROM orders WHERE created_at::date = date '2023-05-01'`));
  assert.ok(byDate.some((n) => /Seq Scan on orders$/.test(n)), byDate.join(' / '));
  const byRange = nodes(
    await plan(`SELECT * FROM orders WHERE created_at >= timestamptz '2023-05-01 00:00+00' AND created_at < timestamptz '2023-05-02 00:00+00'`),
  );
  assert.ok(byRange.some((n) => n.includes('using orders_created_at_idx')), byRange.join(' / '));
});

test('some foreign keys have no index on the referencing column, others do', async () => {
  const { rows } = await app.query<{ fk: string; indexed: boolean }>(`
    SELECT c.conrelid::regclass || '.' || a.attname AS fk,
           EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1]) AS indexed
      FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
     WHERE c.contype = 'f'`);
  const indexed = Object.fromEntries(rows.map((r) => [r.fk, r.indexed]));
  assert.equal(indexed['invoices.account_id'], false);
  assert.equal(indexed['orders.user_id'], false);
  assert.equal(indexed['invoice_lines.invoice_id'], false);
  assert.equal(indexed['order_items.order_id'], true);
  assert.equal(indexed['events.account_id'], true);
});

test('events carry a jsonb payload', async () => {
  const { rows } = await app.query(`SELECT payload FROM events WHERE type = 'api_call' ORDER BY id LIMIT 1`);
  assert.equal(typeof rows[0].payload.endpoint, 'string');
});

test('hypopg is installed in pglens_test and absent from pglens_nohypo, which holds the same data', async () => {
  assert.ok(db.hypopg, MISSING_HYPOPG_MESSAGE);
  const ext = await app.query(`SELECT extname FROM pg_extension WHERE extname = 'hypopg'`);
  assert.equal(ext.rowCount, 1, MISSING_HYPOPG_MESSAGE);
  const nohypo = new Client({ connectionString: db.nohypoUrl });
  await nohypo.connect();
  try {
    assert.equal((await nohypo.query(`SELECT 1 FROM pg_extension WHERE extname = 'hypopg'`)).rowCount, 0);
    assert.equal((await nohypo.query('SELECT count(*)::int AS n FROM orders')).rows[0].n, 300_000);
  } finally {
    await nohypo.end();
  }
});
