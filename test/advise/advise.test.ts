// What the advisor proposes for realistic slow statements on the fixture database, proven by what-if planning:
// with hypopg (pglens_test), and without it (pglens_nohypo) with index trials on and off.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { advise } from './advisorTestUtils';

describe('with hypopg: each candidate kind', () => {
  test('filter plus sort under LIMIT: a composite (or its partial form) verified with hypopg, judged without the LIMIT hiding the scan', async () => {
    const advice = await advise('hypopg', "select * from invoices where account_id = $1 and status = 'pending' order by issued_at desc limit 20");
    const s = advice.suggestion!;
    assert.equal(s.verifiedWith, 'hypopg');
    assert.equal(s.sql, "CREATE INDEX ON invoices (account_id, issued_at) WHERE status = 'pending'");
    assert.ok(s.reduction! > 0.99, `reduction ${s.reduction}`);
    assert.ok(s.costBefore > 5000, 'the baseline is the whole scan under the limit');
    assert.ok(advice.whatIfCalls <= 5, `what-if calls ${advice.whatIfCalls}`);
  });

  test('a selective equality on an unindexed column: a single-column btree', async () => {
    const advice = await advise('hypopg', 'select id, total_cents from orders where customer_email = $1');
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON orders (customer_email)');
    assert.equal(advice.suggestion?.verifiedWith, 'hypopg');
  });

  test('a constant on a skewed column: a partial index, not one per e-mail address', async () => {
    const pending = await advise('hypopg', "select * from events where type = 'signup' order by created_at desc limit 20");
    assert.equal(pending.suggestion?.sql, "CREATE INDEX ON events (created_at) WHERE type = 'signup'");
    assert.ok(pending.suggestion!.kinds.includes('partial'));
    // Nothing else to look up: the partial index lists its rows by primary key (smaller and cheaper than keying it
    // on the predicate's own column).
    const suspended = await advise('hypopg', "select * from invoices where status = 'pending'");
    assert.equal(suspended.suggestion?.sql, "CREATE INDEX ON invoices (id) WHERE status = 'pending'");
    assert.ok(suspended.suggestion!.reduction! > 0.9);
    const email = await advise('hypopg', "select id from orders where customer_email = 'someone@example.com'");
    assert.equal(email.suggestion?.sql, 'CREATE INDEX ON orders (customer_email)');
  });

  test('a function on a column: an expression index', async () => {
    const advice = await advise('hypopg', 'select * from users where lower(email) = lower($1)');
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON users ((lower(email)))');
    assert.ok(advice.suggestion!.kinds.includes('expression'));
    const json = await advise('hypopg', "select * from events where payload ->> 'path' = $1");
    assert.equal(json.suggestion?.sql, "CREATE INDEX ON events ((payload ->> 'path'))");
  });

  test('prefix LIKE under the C collation: a plain btree serves it', async () => {
    const advice = await advise('hypopg', "select id from orders where customer_email like 'alice%'");
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON orders (customer_email)');
    assert.equal(advice.suggestion?.verifiedWith, 'hypopg');
  });

  test('leading-wildcard LIKE: a trigram GIN index, not verified (hypopg has no GIN), naming pg_trgm', async () => {
    const advice = await advise('hypopg', "select * from orders where customer_email like '%gmail%'");
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON orders USING gin (customer_email gin_trgm_ops)');
    assert.equal(advice.suggestion?.verifiedWith, null);
    assert.equal(advice.suggestion?.needsExtension, 'pg_trgm');
    assert.match(advice.suggestion!.unverifiedReason!, /hypopg cannot plan GIN/);
  });

  test('jsonb containment: a GIN index with jsonb_path_ops, not verified with hypopg', async () => {
    const advice = await advise('hypopg', `select * from events where payload @> '{"plan": "pro"}'`);
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON events USING gin (payload jsonb_path_ops)');
    assert.equal(advice.suggestion?.verifiedWith, null);
  });

  test('OR across columns: one index per arm (a BitmapOr)', async () => {
    const advice = await advise('hypopg', "select * from orders where customer_email = 'a@example.com' or note = 'gift'");
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON orders (customer_email);\nCREATE INDEX ON orders (note)');
    assert.ok(advice.suggestion!.kinds.includes('or-bitmap'));
    assert.equal(advice.suggestion?.verifiedWith, 'hypopg');
  });

  test('a join: the inner table indexed on its join column and filter', async () => {
    const advice = await advise('hypopg', 'select o.id, u.email from orders o join users u on u.id = o.user_id where o.account_id = $1');
    assert.equal(advice.suggestion?.table, 'orders');
    assert.match(advice.suggestion!.sql, /^CREATE INDEX ON orders \(account_id/);
  });

  test('a join that needs both sides indexed: the filter of the outer table and the join column of the inner one, together', async () => {
    const advice = await advise('hypopg', 'select i.number, l.description from invoices i join invoice_lines l on l.invoice_id = i.id where i.account_id = $1');
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON invoice_lines (invoice_id);\nCREATE INDEX ON invoices (account_id)');
    assert.ok(advice.suggestion!.reduction! > 0.9);
  });

  test('INCLUDE columns when the index-only scan is what pays', async () => {
    const advice = await advise('hypopg', 'select account_id, sum(amount_cents) from invoices where issued_at >= $1 and account_id = $2 group by account_id');
    assert.ok(advice.search!.evaluated.some((e) => e.set[0].include.length > 0), 'the covering variant was tried');
  });

  test('foreign keys: DELETE on accounts checks invoices, orders and users; each index verified on the check query', async () => {
    const advice = await advise('hypopg', 'delete from accounts where id = $1');
    const tables = advice.foreignKeys.map((f) => f.table).sort();
    assert.deepEqual(tables, ['invoices', 'orders', 'users']);
    for (const fk of advice.foreignKeys) {
      assert.equal(fk.verifiedWith, 'hypopg');
      assert.ok(fk.reduction! > 0.9, `${fk.table}: ${fk.reduction}`);
    }
  });

  test('a cast that an index cannot serve: the range rewrite, with its cost', async () => {
    const advice = await advise('hypopg', 'select * from orders where created_at::date = $1');
    assert.equal(advice.suggestion, undefined, 'no expression index: created_at::date on timestamptz is not immutable');
    assert.equal(advice.rewrites[0].replacement, '(created_at >= $1::date AND created_at < $1::date + 1)');
    assert.ok(advice.rewrites[0].costAfter! < advice.rewrites[0].costBefore! / 10);
  });
});

describe('no suggestion where none is due', () => {
  test('a statement an existing index already serves', async () => {
    const advice = await advise('hypopg', 'select * from users where email = $1');
    assert.equal(advice.suggestion, undefined);
  });

  test('a whole-table aggregate: nothing cuts it by half', async () => {
    const advice = await advise('hypopg', 'select status, count(*) from orders group by status');
    assert.equal(advice.suggestion, undefined);
  });

  test('a candidate that duplicates an existing index is not tried: a btree whose leading column covers it', async () => {
    const advice = await advise('hypopg', "select id from orders where created_at >= now() - interval '1 day'");
    assert.equal(advice.suggestion, undefined);
    assert.deepEqual(advice.duplicates.map((d) => d.existing), ['orders_created_at_idx']);
  });
});

describe('without hypopg', () => {
  test('index trials off: the suggestion is offered but marked not verified', async () => {
    const advice = await advise('nohypo', 'select id, total_cents from orders where customer_email = $1');
    assert.equal(advice.method, null);
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON orders (customer_email)');
    assert.equal(advice.suggestion?.verifiedWith, null);
    assert.match(advice.suggestion!.unverifiedReason!, /hypopg is not installed and index trials are off/);
    assert.equal(advice.whatIfCalls, 0);
  });

  test('index trials on: the real index is built inside a rolled-back transaction and verifies the suggestion', async () => {
    const advice = await advise('nohypo', "select * from invoices where account_id = $1 and status = 'pending' order by issued_at desc limit 20", { indexTrials: true });
    assert.equal(advice.method, 'index trial');
    assert.equal(advice.suggestion?.verifiedWith, 'index trial');
    assert.equal(advice.suggestion?.sql, "CREATE INDEX ON invoices (account_id, issued_at) WHERE status = 'pending'");
  });

  test('index trials on, but the table is larger than maxTrialTableRows: not verified', async () => {
    const advice = await advise('nohypo', 'select id from orders where customer_email = $1', { indexTrials: true, maxTrialTableRows: 100_000 });
    assert.equal(advice.suggestion?.verifiedWith, null);
    assert.match(advice.suggestion!.unverifiedReason!, /maxTrialTableRows/);
  });

  test('index trials on: a trigram index needs pg_trgm, which pglens never installs', async () => {
    const advice = await advise('nohypo', "select * from orders where customer_email like '%gmail%'", { indexTrials: true });
    assert.equal(advice.suggestion?.verifiedWith, null);
    assert.match(advice.suggestion!.unverifiedReason!, /pg_trgm is not installed/);
  });

  test('index trials on: jsonb GIN is verified for real', async () => {
    const advice = await advise('nohypo', `select * from events where payload @> '{"plan": "pro"}'`, { indexTrials: true });
    assert.equal(advice.suggestion?.sql, 'CREATE INDEX ON events USING gin (payload jsonb_path_ops)');
    assert.equal(advice.suggestion?.verifiedWith, 'index trial');
  });
});
