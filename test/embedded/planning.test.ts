// The one realistic check: the example shop's migrations with 200k orders, planned the way the engine plans.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { explainStatement } from '../../server/src/engine/db/explain';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { sqlSite } from '../rules/planRuleTestUtils';
import { makeCacheDir, removeTemporary } from './helpers';

const SHOP = path.resolve(__dirname, '../../examples/shop');

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Plan Rows': number;
  Plans?: PlanNode[];
}

let db: EmbeddedDatabase;
let cacheDir: string;

before(async () => {
  cacheDir = await makeCacheDir();
  db = await openEmbeddedDatabase({
    workspaceRoot: SHOP,
    cacheDir,
    volumes: { orders: 200_000, customers: 20_000, '*': 5_000 },
  });
});

after(async () => {
  await db?.close();
  removeTemporary(cacheDir);
});

async function plan(sql: string): Promise<PlanNode> {
  const result = await db.withSession(async (session) => {
    await session.query('BEGIN READ ONLY');
    return session.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>(`EXPLAIN (FORMAT JSON) ${sql}`);
  });
  return result.rows[0]['QUERY PLAN'][0].Plan;
}

test('the example schema loads without problems and is PostgreSQL 18 with no parallel workers', async () => {
  assert.deepEqual(db.schemaProblems, []);
  assert.deepEqual(db.dataProblems, []);
  assert.equal(db.info.serverVersionNum >= 180000, true);
  assert.equal(db.tableVolumes.orders, 200_000);
  assert.equal(db.tableVolumes.shipping_methods, 3, 'seeded lookup table kept as the migration wrote it');
  const workers = await db.withSession((session) => session.query<{ max_parallel_workers_per_gather: string }>('SHOW max_parallel_workers_per_gather'));
  assert.equal(workers.rows[0].max_parallel_workers_per_gather, '0');
});

test('a selective filter on the big unindexed column is a Seq Scan with a small, sensible estimate', async () => {
  const node = await plan('SELECT * FROM orders WHERE customer_id = 42');
  assert.equal(node['Node Type'], 'Seq Scan');
  assert.equal(node['Relation Name'], 'orders');
  // 200k orders over 20k customers: about 10 per customer (skewed), never thousands.
  assert.ok(node['Plan Rows'] >= 1 && node['Plan Rows'] <= 100, `estimate ${node['Plan Rows']}`);
  const whole = await plan('SELECT * FROM orders');
  assert.ok(Math.abs(whole['Plan Rows'] - 200_000) < 2_000, `table estimate ${whole['Plan Rows']}`);
});

test('primary-key lookup and the indexed foreign key use their indexes; lower(email) cannot', async () => {
  assert.equal((await plan('SELECT * FROM orders WHERE id = 42'))['Index Name'], 'orders_pkey');
  const email = await plan(`SELECT * FROM customers WHERE lower(email) = 'user42@example.com'`);
  assert.equal(email['Node Type'], 'Seq Scan');
  const exact = await plan(`SELECT * FROM customers WHERE email = 'user42@example.com'`);
  assert.equal(exact['Index Name'], 'customers_email_key');
});

test('a rare status value is estimated as rare (skewed data, so a partial index can be worth advising)', async () => {
  const common = await plan(`SELECT * FROM orders WHERE status = 'delivered'`);
  const rare = await plan(`SELECT * FROM orders WHERE status = 'cancelled'`);
  assert.ok(common['Plan Rows'] > 80_000, `delivered ${common['Plan Rows']}`);
  assert.ok(rare['Plan Rows'] < 30_000, `cancelled ${rare['Plan Rows']}`);
});

test('parameterised statements get a generic plan through explainStatement (PREPARE + EXECUTE with NULLs, not folded)', async () => {
  await loadParser();
  const { statements } = parseSite(sqlSite('SELECT * FROM orders WHERE customer_id = $1'));
  const plan = await explainStatement(db, statements[0], { statementTimeoutMs: 2000, lockTimeoutMs: 100 });
  assert.equal(plan.generic, true);
  assert.equal(plan.root.nodeType, 'Seq Scan');
  assert.notEqual(plan.root.oneTimeFilter, 'false');
});

test('a session sends one statement per query(): the embedded database refuses two, and runs neither', async () => {
  await db.withSession(async (session) => {
    await session.exec('CREATE TEMP TABLE pglens_two (n int)');
    await assert.rejects(session.query('INSERT INTO pglens_two VALUES (1); INSERT INTO pglens_two VALUES (2)'), /multiple commands/);
    const { rows } = await session.query<{ n: number }>('SELECT count(*)::int AS n FROM pglens_two');
    assert.equal(rows[0].n, 0);
  });
});

test('an index trial inside BEGIN ... ROLLBACK changes the plan and leaves nothing behind (no hypopg here)', async () => {
  const trial = await db.withSession(async (session) => {
    await session.query('BEGIN');
    try {
      await session.query('CREATE INDEX pglens_trial ON orders (customer_id)');
      const explained = await session.query<{ 'QUERY PLAN': { Plan: PlanNode }[] }>('EXPLAIN (FORMAT JSON) SELECT * FROM orders WHERE customer_id = 42');
      return explained.rows[0]['QUERY PLAN'][0].Plan;
    } finally {
      await session.query('ROLLBACK');
    }
  });
  assert.match(JSON.stringify(trial), /pglens_trial/);
  assert.equal((await plan('SELECT * FROM orders WHERE customer_id = 42'))['Node Type'], 'Seq Scan');
});

test('sessions run one at a time and never leave a transaction open', async () => {
  const events: string[] = [];
  const first = db.withSession(async (session) => {
    events.push('first:start');
    await session.query('BEGIN');
    await session.query('CREATE TABLE left_open (x int)');
    await new Promise((resolve) => setTimeout(resolve, 50));
    events.push('first:end'); // returns without COMMIT or ROLLBACK
  });
  const second = db.withSession(async (session) => {
    events.push('second:start');
    const result = await session.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_class WHERE relname = 'left_open'`);
    events.push('second:end');
    return result.rows[0].n;
  });
  await first;
  assert.equal(await second, 0, 'the first session was rolled back');
  assert.deepEqual(events, ['first:start', 'first:end', 'second:start', 'second:end']);
});

test('an abort rejects queued work before it runs; a failed session does not block the next', async () => {
  const controller = new AbortController();
  let ran = false;
  const slow = db.withSession(() => new Promise((resolve) => setTimeout(resolve, 100)));
  const queued = db.withSession(async () => {
    ran = true;
  }, controller.signal);
  controller.abort();
  await assert.rejects(queued, { name: 'AbortError' });
  await slow;
  assert.equal(ran, false);
  await assert.rejects(db.withSession((session) => session.query('SELECT * FROM no_such_table')), /no_such_table/);
  const after = await db.withSession((session) => session.query<{ one: number }>('SELECT 1 AS one'));
  assert.equal(after.rows[0].one, 1);
});
