import { test } from 'node:test';
import assert from 'node:assert/strict';
import { reindexWithoutConcurrently as rule } from '../../server/src/engine/rules/locking/reindex-without-concurrently';
import { applyEdits, MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule, schemaWith } from './lockRuleTestUtils';

test('REINDEX TABLE: SHARE on the table and ACCESS EXCLUSIVE on its indexes, anchored on TABLE, fix inserts CONCURRENTLY', async () => {
  const sql = 'REINDEX TABLE orders;';
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION_NO_TRANSACTION });
  assert.equal(finding.anchor, 'TABLE');
  assert.match(finding.message, /SHARE on orders: blocks every write \(INSERT, UPDATE, DELETE\) of orders/);
  assert.match(finding.message, /ACCESS EXCLUSIVE on each of its indexes/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), 'REINDEX TABLE CONCURRENTLY orders;');
});

test('REINDEX INDEX with a database names the table and its size', async () => {
  const schema = schemaWith([{ name: 'orders', rows: 2_100_000, bytes: 310 * 1024 * 1024 }]);
  schema.indexes.push({ schema: 'public', table: 'orders', name: 'orders_status_idx', method: 'btree', keys: ['status'], include: [], unique: false, primary: false, valid: true, definition: '' });
  const [finding] = await runLockRule(rule, 'reindex index orders_status_idx', { schema });
  assert.equal(finding.anchor, 'index');
  assert.match(finding.message, /SHARE on orders: .*\(orders: 2.1M rows, 310 MB\), and ACCESS EXCLUSIVE on the index/);
});

test('in a migration that runs in a transaction there is no fix (CONCURRENTLY would fail there), and the message says so', async () => {
  const [finding] = await runLockRule(rule, 'REINDEX INDEX orders_status_idx;', { migration: MIGRATION });
  assert.equal(finding.fixes, undefined);
  assert.match(finding.message, /this migration runs in one/);
});

test('quiet: CONCURRENTLY (both spellings), before PostgreSQL 12, REINDEX SYSTEM, and an index created earlier in the file', async () => {
  assert.deepEqual(await runLockRule(rule, 'REINDEX TABLE CONCURRENTLY orders;'), []);
  assert.deepEqual(await runLockRule(rule, 'REINDEX (CONCURRENTLY) INDEX orders_status_idx;'), []);
  assert.deepEqual(await runLockRule(rule, 'REINDEX TABLE orders;', { serverVersionNum: 110000 }), []);
  assert.deepEqual(await runLockRule(rule, 'REINDEX SYSTEM app;'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX tmp_idx ON orders (a);\nREINDEX INDEX tmp_idx;'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE TABLE t (id int);\nREINDEX TABLE t;'), []);
});

test('REINDEX SCHEMA is reported too', async () => {
  const [finding] = await runLockRule(rule, 'REINDEX SCHEMA app;');
  assert.equal(finding.anchor, 'SCHEMA');
  assert.match(finding.message, /SHARE on each table of the schema in turn/);
});
