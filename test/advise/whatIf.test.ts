// The what-if traps, measured on PostgreSQL 15 with hypopg 1.3.1, and the promise that advice leaves the database
// exactly as it was.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { explainOnSession } from '../../server/src/engine/db/explain';
import { walkPlan } from '../../server/src/engine/plan/model';
import { withWhatIf } from '../../server/src/engine/advise/whatIf';
import { advise, connect, indexDefinitions, parseOne, settings } from './advisorTestUtils';

const HYPOTHETICAL = "select * from hypopg_create_index('create index on invoices (account_id)')";
const QUERY = 'select * from invoices where account_id = 42';

async function rawClient(url: string): Promise<Client> {
  const client = new Client({ connectionString: url });
  await client.connect();
  return client;
}

function usesHypothetical(plan: unknown): boolean {
  return JSON.stringify(plan).includes('btree_invoices_account_id');
}

describe('hypopg traps', () => {
  test('any EXPLAIN option naming ANALYZE, even ANALYZE false, hides hypothetical indexes', async () => {
    const { url } = await connect('hypopg');
    const client = await rawClient(url);
    try {
      await client.query('begin read only');
      await client.query(HYPOTHETICAL);
      const plain = await client.query(`explain (format json) ${QUERY}`);
      const analyzeFalse = await client.query(`explain (analyze false, format json) ${QUERY}`);
      assert.equal(usesHypothetical(plain.rows), true, 'plain EXPLAIN sees the hypothetical index');
      assert.equal(usesHypothetical(analyzeFalse.rows), false, 'EXPLAIN (ANALYZE false) does not');
    } finally {
      await client.query('rollback');
      await client.query('select hypopg_reset()');
      await client.end();
    }
  });

  test('a generic plan cached before the index ignores it; explainOnSession prepares afresh and sees it', async () => {
    const { url, client: db } = await connect('hypopg');
    const client = await rawClient(url);
    try {
      await client.query('begin read only');
      await client.query('set local plan_cache_mode = force_generic_plan');
      await client.query('prepare cached_before as select * from invoices where account_id = $1');
      await client.query('explain (format json) execute cached_before(null)');
      await client.query(HYPOTHETICAL);
      const stale = await client.query('explain (format json) execute cached_before(null)');
      assert.equal(usesHypothetical(stale.rows), false, 'the cached generic plan does not see the new index');
      const statement = await parseOne('select * from invoices where account_id = $1');
      const session = {
        query: (sql: string, params?: unknown[]) => client.query({ text: sql, values: params, queryMode: 'extended' } as never) as never,
        exec: async (sql: string) => {
          await client.query(sql);
          return [];
        },
      };
      const fresh = await explainOnSession(session, statement);
      assert.equal(fresh.generic, true);
      assert.ok([...walkPlan(fresh.root)].some(({ node }) => node.indexName?.includes('btree_invoices_account_id')), 'a fresh PREPARE plans with it');
    } finally {
      await client.query('rollback');
      await client.query('deallocate all');
      await client.query('select hypopg_reset()');
      await client.end();
    }
  });

  test('hypothetical indexes survive ROLLBACK, so the advisor resets them: none left on its session afterwards', async () => {
    const { url, client: db } = await connect('hypopg');
    const client = await rawClient(url);
    try {
      await client.query('begin');
      await client.query(HYPOTHETICAL);
      await client.query('rollback');
      const survived = await client.query('select count(*)::int as n from hypopg()');
      assert.equal(survived.rows[0].n, 1, 'the hypothetical index outlived the rollback');
    } finally {
      await client.query('select hypopg_reset()');
      await client.end();
    }
    const advice = await advise('hypopg', "select * from invoices where account_id = $1 and status = 'pending' order by issued_at desc limit 20");
    assert.equal(advice.method, 'hypopg');
    assert.ok(advice.whatIfCalls > 0);
    // The pool has one session: the one the advisor used.
    const left = await db.withSession((session) => session.query<{ n: number }>('select count(*)::int as n from hypopg()'));
    assert.equal(left.rows[0].n, 0);
    const prepared = await db.withSession((session) => session.query<{ n: number }>('select count(*)::int as n from pg_prepared_statements'));
    assert.equal(prepared.rows[0].n, 0, 'no prepared statement left either');
  });

  test('a failed candidate (an expression that is not immutable) rolls back and still leaves nothing behind', async () => {
    const { client: db } = await connect('hypopg');
    // created_at::date on timestamptz is not immutable: hypopg refuses it, the rewrite is suggested instead.
    const advice = await advise('hypopg', 'select * from orders where created_at::date = $1');
    assert.equal(advice.suggestion, undefined);
    assert.equal(advice.rewrites.length, 1);
    const left = await db.withSession((session) => session.query<{ n: number }>('select count(*)::int as n from hypopg()'));
    assert.equal(left.rows[0].n, 0);
  });
});

describe('the database is unchanged after advice', () => {
  const workload = [
    "select * from invoices where account_id = $1 and status = 'pending' order by issued_at desc limit 20",
    'select * from users where lower(email) = lower($1)',
    'delete from accounts where id = $1',
  ];

  test('with hypopg', async () => {
    const { url } = await connect('hypopg');
    const before = await indexDefinitions(url);
    for (const sql of workload) await advise('hypopg', sql);
    assert.deepEqual(await indexDefinitions(url), before);
  });

  test('with index trials (real CREATE INDEX, rolled back)', async () => {
    const { url, client: db } = await connect('nohypo');
    const before = await indexDefinitions(url);
    let verified = 0;
    for (const sql of workload) {
      const advice = await advise('nohypo', sql, { indexTrials: true });
      assert.equal(advice.method, 'index trial');
      if (advice.suggestion?.verifiedWith === 'index trial' || advice.foreignKeys.some((f) => f.verifiedWith === 'index trial')) verified++;
    }
    assert.equal(verified, workload.length);
    assert.deepEqual(await indexDefinitions(url), before);
    const locks = await db.withSession((session) => session.query<{ n: number }>("select count(*)::int as n from pg_locks where pid = pg_backend_pid() and mode = 'ShareLock' and locktype = 'relation'"));
    assert.equal(locks.rows[0].n, 0, 'no SHARE lock held after the trial');
  });
});

describe('what-if plans for operator classes', () => {
  test('a text_pattern_ops candidate is valid SQL for hypopg and the planner uses it for a prefix LIKE', async () => {
    const { client, schema } = await connect('hypopg');
    const statement = await parseOne("select id from orders where customer_email like 'alice%'");
    const outcome = await withWhatIf(client, schema, settings(), (whatIf) =>
      whatIf.evaluate(statement, [{ schema: 'public', table: 'orders', method: 'btree', keys: [{ text: 'customer_email', expression: false, opclass: 'text_pattern_ops' }], include: [], kinds: ['pattern-ops'] }]),
    );
    assert.equal(outcome?.used, true);
    assert.ok(outcome!.sizeBytes > 0);
  });
});
