import { test } from 'node:test';
import assert from 'node:assert/strict';
import { updateOrDeleteWithoutWhere as rule } from '../../server/src/engine/rules/locking/update-or-delete-without-where';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

test('UPDATE without WHERE: anchored on the table, with its size', async () => {
  const schema = schemaWith([{ name: 'orders', rows: 300_000, bytes: 50 * 1024 * 1024 }]);
  const [finding] = await runLockRule(rule, "UPDATE orders SET status = 'archived';", { schema });
  assert.equal(finding.anchor, 'orders');
  assert.equal(finding.headline, 'UPDATE without WHERE changes every row of orders (orders: 300k rows, 50 MB) and locks each until the transaction ends');
});

test('DELETE without WHERE suggests TRUNCATE or batches', async () => {
  const [finding] = await runLockRule(rule, 'delete from public.sessions');
  assert.equal(finding.anchor, 'sessions');
  assert.match(finding.message, /or use TRUNCATE/);
});

test('with WHERE, or on a table created in the same file, quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'update orders set status = $1 where id = $2; delete from sessions where expires_at < now();'), []);
  assert.deepEqual(await runLockRule(rule, 'create table t (a int);\nupdate t set a = 1;'), []);
});
