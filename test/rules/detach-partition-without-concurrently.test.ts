import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detachPartitionWithoutConcurrently as rule } from '../../server/src/engine/rules/locking/detach-partition-without-concurrently';
import { applyEdits, MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule } from './lockRuleTestUtils';

test('DETACH PARTITION: ACCESS EXCLUSIVE on the parent and the partition, anchored from DETACH to the partition, fix adds CONCURRENTLY', async () => {
  const sql = 'ALTER TABLE events DETACH PARTITION events_2023;';
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION_NO_TRANSACTION });
  assert.equal(finding.anchor, 'DETACH PARTITION events_2023');
  assert.match(finding.message, /ACCESS EXCLUSIVE on events and on the partition\. Blocks every read and write of events/);
  assert.match(finding.headline, /^DETACH PARTITION events_2023 without CONCURRENTLY/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;');
  assert.equal(finding.evidence?.partition, 'events_2023');
});

test('in a transaction: no fix, the message says to move it out', async () => {
  const [finding] = await runLockRule(rule, 'alter table events detach partition events_2023', { migration: MIGRATION });
  assert.equal(finding.fixes, undefined);
  assert.match(finding.message, /this migration runs in one/);
});

test('quiet: CONCURRENTLY, FINALIZE, before PostgreSQL 14, and a table created earlier in the file', async () => {
  assert.deepEqual(await runLockRule(rule, 'ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;'), []);
  assert.deepEqual(await runLockRule(rule, 'ALTER TABLE events DETACH PARTITION events_2023 FINALIZE;'), []);
  assert.deepEqual(await runLockRule(rule, 'ALTER TABLE events DETACH PARTITION events_2023;', { serverVersionNum: 130000 }), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE TABLE e (k int) PARTITION BY LIST (k);\nALTER TABLE e DETACH PARTITION e1;'), []);
});
