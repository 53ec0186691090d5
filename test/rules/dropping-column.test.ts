import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppingColumn as rule } from '../../server/src/engine/rules/locking/dropping-column';
import { runLockRule } from './lockRuleTestUtils';

test('DROP COLUMN: anchored on the column, one finding per column', async () => {
  const runs = await runLockRule(rule, 'ALTER TABLE users DROP COLUMN IF EXISTS legacy_id, DROP nickname;');
  assert.deepEqual(runs.map((r) => r.anchor), ['legacy_id', 'nickname']);
  assert.match(runs[0].message, /Dropping users.legacy_id breaks every running query and deployed code that still reads or writes it/);
  assert.match(runs[0].message, /ACCESS EXCLUSIVE on users/);
});

test('a column of a table created in the same file is quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'create table t (a int, b int);\nalter table t drop column b;'), []);
});
