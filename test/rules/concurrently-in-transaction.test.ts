import { test } from 'node:test';
import assert from 'node:assert/strict';
import { concurrentlyInTransaction as rule } from '../../server/src/engine/rules/locking/concurrently-in-transaction';
import { MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule } from './lockRuleTestUtils';

test('CREATE INDEX CONCURRENTLY in a transactional migration fails: anchored on CONCURRENTLY', async () => {
  const [finding] = await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (a);', { migration: MIGRATION });
  assert.equal(finding.anchor, 'CONCURRENTLY');
  assert.match(finding.message, /cannot run inside a transaction block/);
  assert.match(finding.message, /this migration runs inside a transaction/);
});

test('after an explicit BEGIN in the file, even outside a migration', async () => {
  const runs = await runLockRule(rule, 'BEGIN;\nDROP INDEX CONCURRENTLY i;\nCOMMIT;\nREINDEX INDEX CONCURRENTLY j;');
  assert.equal(runs.length, 1);
  assert.equal(runs[0].anchor, 'CONCURRENTLY');
  assert.match(runs[0].message, /explicit BEGIN/);
});

test('VACUUM in a transactional migration is anchored on VACUUM', async () => {
  const [finding] = await runLockRule(rule, 'vacuum analyze orders;', { migration: MIGRATION });
  assert.equal(finding.anchor, 'vacuum');
  assert.match(finding.message, /^VACUUM cannot run inside a transaction block/);
});

test('quiet in a no-transaction migration, in plain SQL files, and for statements that may run in a transaction', async () => {
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (a);', { migration: MIGRATION_NO_TRANSACTION }), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX CONCURRENTLY i ON orders (a);'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX i ON orders (a); ANALYZE orders;', { migration: MIGRATION }), []);
});
