import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncate as rule } from '../../server/src/engine/rules/locking/truncate';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

test('TRUNCATE: ACCESS EXCLUSIVE per table, anchored on each name, with sizes', async () => {
  const schema = schemaWith([{ name: 'events', rows: 1_200_000, bytes: 200 * 1024 * 1024 }]);
  const runs = await runLockRule(rule, 'TRUNCATE events, sessions CASCADE;', { schema });
  assert.deepEqual(runs.map((r) => r.anchor), ['events', 'sessions']);
  assert.match(runs[0].message, /^TRUNCATE \.\.\. CASCADE deletes every row of events and of every table that references it, under ACCESS EXCLUSIVE\. Blocks every read and write of events until the transaction ends \(events: 1\.2M rows, 200 MB\)/);
});

test('a table created earlier in the file is quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'create table staging (a int);\ntruncate staging;'), []);
});
