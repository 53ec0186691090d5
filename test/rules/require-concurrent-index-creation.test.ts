import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireConcurrentIndexCreation as rule } from '../../server/src/engine/rules/locking/require-concurrent-index-creation';
import { applyEdits, MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule, schemaWith } from './lockRuleTestUtils';

test('CREATE INDEX on an existing table: SHARE blocks writes, anchored on INDEX, fix inserts CONCURRENTLY', async () => {
  const sql = 'CREATE INDEX orders_created_at_idx ON orders (created_at);\n';
  const [finding, ...rest] = await runLockRule(rule, sql, { migration: MIGRATION });
  assert.equal(rest.length, 0);
  assert.equal(finding.anchor, 'INDEX');
  assert.match(finding.message, /SHARE on orders for the whole build\. Blocks every write \(INSERT, UPDATE, DELETE\) of orders/);
  assert.match(finding.message, /does not run in a transaction/);
  assert.equal(finding.evidence?.lockMode, 'ShareLock');
  // In a migration that runs in a transaction, CONCURRENTLY in place would fail: only the SQL is offered.
  assert.equal(finding.fixes?.[0].edits, undefined);
  assert.equal(finding.fixes?.[0].sql, 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at)');
  const [outside] = await runLockRule(rule, sql, { migration: MIGRATION_NO_TRANSACTION });
  assert.equal(applyEdits(sql, outside.fixes?.[0].edits), 'CREATE INDEX CONCURRENTLY orders_created_at_idx ON orders (created_at);\n');
});

test('the message carries the table size when a database is connected', async () => {
  const schema = schemaWith([{ name: 'orders', rows: 300_000, bytes: 45 * 1024 * 1024 }]);
  const [finding] = await runLockRule(rule, 'create unique index on public.orders (id)', { schema });
  assert.match(finding.message, /\(orders: 300k rows, 45 MB\)/);
  assert.equal(finding.evidence?.rows, 300_000);
  assert.equal(finding.anchor, 'index');
});

test('CREATE INDEX CONCURRENTLY is quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (created_at);'), []);
});

test('an index on a table created earlier in the same migration is quiet (the table is new and empty)', async () => {
  const sql = 'CREATE TABLE audit (id bigint, at timestamptz);\nCREATE INDEX audit_at ON audit (at);';
  assert.deepEqual(await runLockRule(rule, sql, { migration: MIGRATION }), []);
});

test('SQL in code is checked too (no migration context)', async () => {
  const [finding] = await runLockRule(rule, 'create index "Idx" on "Orders" (a)');
  assert.match(finding.message, /SHARE on Orders/);
});
