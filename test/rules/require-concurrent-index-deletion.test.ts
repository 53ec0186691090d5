import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireConcurrentIndexDeletion as rule } from '../../server/src/engine/rules/locking/require-concurrent-index-deletion';
import { applyEdits, MIGRATION, runLockRule, schemaWith } from './lockRuleTestUtils';

test('DROP INDEX: ACCESS EXCLUSIVE on the table, anchored on INDEX, fix inserts CONCURRENTLY', async () => {
  const sql = 'DROP INDEX orders_status_idx;';
  const [finding] = await runLockRule(rule, sql);
  assert.equal(finding.anchor, 'INDEX');
  assert.match(finding.message, /ACCESS EXCLUSIVE on the table of orders_status_idx\. Blocks every read and write/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), 'DROP INDEX CONCURRENTLY orders_status_idx;');
});

test('with a database, the table is named with its size', async () => {
  const schema = schemaWith([{ name: 'orders', rows: 2_100_000, bytes: 310 * 1024 * 1024 }]);
  schema.indexes.push({ schema: 'public', table: 'orders', name: 'orders_status_idx', method: 'btree', keys: ['status'], include: [], unique: false, primary: false, valid: true, definition: '' });
  const [finding] = await runLockRule(rule, 'drop index if exists orders_status_idx', { schema });
  assert.match(finding.message, /ACCESS EXCLUSIVE on orders\. Blocks every read and write of orders until the transaction ends \(orders: 2\.1M rows, 310 MB\)/);
});

test('several indexes or CASCADE: reported without a mechanical fix (CONCURRENTLY drops one index, no CASCADE)', async () => {
  const [finding] = await runLockRule(rule, 'DROP INDEX a_idx, b_idx;');
  assert.equal(finding.fixes, undefined);
  const [cascade] = await runLockRule(rule, 'DROP INDEX a_idx CASCADE;');
  assert.equal(cascade.fixes, undefined);
});

test('DROP INDEX CONCURRENTLY and an index created earlier in the file are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'DROP INDEX CONCURRENTLY orders_status_idx;'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX tmp_idx ON orders (a);\nDROP INDEX tmp_idx;'), []);
});

test('in a migration that runs in a transaction no edit is offered: DROP INDEX CONCURRENTLY would fail there', async () => {
  const [finding] = await runLockRule(rule, 'DROP INDEX orders_status_idx;', { migration: MIGRATION });
  assert.equal(finding.fixes, undefined);
});
