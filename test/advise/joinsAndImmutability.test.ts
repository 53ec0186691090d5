// Issue 13's advisor cases: in a join each table's own filter and sort columns are candidates; without hypopg or
// index trials only indexes PostgreSQL would accept are offered (immutable expressions and predicates).
// Kept apart from advise.test.ts so each file stays well under the harness's per-file timeout on a loaded machine.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from './advisorTestUtils';

describe('joins: each table\'s own filter and sort columns are candidates, not only with the join key', () => {
  test('a filter on one side of a join: the index on that filter column', async () => {
    const advice = await advise('hypopg', 'select i.id, a.name from invoices i join accounts a on a.id = i.account_id where i.amount_cents = $1');
    assert.match(advice.suggestion?.sql ?? '', /^CREATE INDEX ON invoices \(amount_cents\b/);
    assert.ok(advice.suggestion!.reduction! > 0.9, `reduction ${advice.suggestion!.reduction}`);
  });

  test('ORDER BY a column of one table under LIMIT over a join: the index on that column', async () => {
    const advice = await advise('hypopg', 'select i.id, i.due_at, a.name from invoices i join accounts a on a.id = i.account_id order by i.due_at desc limit 5');
    assert.match(advice.suggestion?.sql ?? '', /^CREATE INDEX ON invoices \(due_at\b/);
    assert.ok(advice.suggestion!.reduction! > 0.9, `reduction ${advice.suggestion!.reduction}`);
  });
});

describe('without hypopg or index trials: only indexes PostgreSQL would accept', () => {
  test('created_at::date and date(created_at) on timestamptz: no unverified expression index (the cast is STABLE), the rewrite instead', async () => {
    for (const sql of ['select * from orders where created_at::date = $1', 'select * from orders where date(created_at) = $1']) {
      const advice = await advise('nohypo', sql);
      assert.equal(advice.method, null);
      assert.equal(advice.suggestion, undefined, `${sql}: ${advice.suggestion?.sql}`);
      assert.ok(advice.notImmutable?.some((n) => /timestamp with time zone/.test(n.parts.join(' '))), JSON.stringify(advice.notImmutable));
      assert.equal(advice.rewrites[0].replacement, '(created_at >= $1::date AND created_at < $1::date + 1)');
    }
  });

  test('lower(email) is immutable: its expression index is still offered, marked not verified', async () => {
    const advice = await advise('nohypo', 'select id from orders where lower(customer_email) = $1');
    assert.deepEqual(advice.notImmutable, []);
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON orders ((lower(customer_email)))');
    assert.equal(advice.suggestion?.verifiedWith, null);
  });

  test('a partial predicate on now() is never an index predicate', async () => {
    const advice = await advise('nohypo', "select id from orders where status = 'pending' and created_at > now() - interval '1 day' order by id limit 10");
    assert.ok(!advice.suggestion?.sql.includes('now()'), advice.suggestion?.sql);
  });
});
