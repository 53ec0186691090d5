import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lockTable as rule } from '../../server/src/engine/rules/locking/lock-table';
import { runLockRule } from './lockRuleTestUtils';

test('LOCK TABLE without a mode is ACCESS EXCLUSIVE: one finding per table, on its name', async () => {
  const runs = await runLockRule(rule, 'LOCK TABLE accounts, public.orders;');
  assert.deepEqual(runs.map((r) => r.anchor), ['accounts', 'orders']);
  assert.match(runs[0].message, /ACCESS EXCLUSIVE on accounts, and without NOWAIT queues behind running queries\. Blocks every read and write of accounts until the transaction ends/);
  assert.match(runs[0].message, /Everything after it queues behind it/);
});

test('SHARE blocks writes; EXCLUSIVE blocks writes and FOR UPDATE', async () => {
  const [share] = await runLockRule(rule, 'lock table orders in share mode nowait');
  assert.match(share.message, /SHARE on orders\. Blocks every write/);
  assert.doesNotMatch(share.message, /NOWAIT/);
  const [exclusive] = await runLockRule(rule, 'lock orders in exclusive mode');
  assert.match(exclusive.message, /EXCLUSIVE on orders, and without NOWAIT queues behind running queries\. Blocks every write and every SELECT ... FOR UPDATE\/SHARE/);
});

test('modes that block neither reads nor writes are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'lock table orders in access share mode; lock orders in row exclusive mode; lock orders in share update exclusive mode;'), []);
});
