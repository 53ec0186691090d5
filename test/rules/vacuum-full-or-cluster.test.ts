import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vacuumFullOrCluster as rule } from '../../server/src/engine/rules/locking/vacuum-full-or-cluster';
import { runLockRule } from './lockRuleTestUtils';

test('VACUUM FULL: anchored on FULL, ACCESS EXCLUSIVE', async () => {
  const [finding] = await runLockRule(rule, 'VACUUM FULL events;');
  assert.equal(finding.anchor, 'FULL');
  assert.match(finding.message, /VACUUM FULL rewrites events into a new file under ACCESS EXCLUSIVE\. Blocks every read and write of events/);
  const [options] = await runLockRule(rule, 'vacuum (full, analyze) events');
  assert.equal(options.anchor, 'full');
});

test('CLUSTER: anchored on the table', async () => {
  const [finding] = await runLockRule(rule, 'CLUSTER orders USING orders_pkey;');
  assert.equal(finding.anchor, 'orders');
  assert.match(finding.message, /CLUSTER rewrites orders in index order under ACCESS EXCLUSIVE/);
});

test('plain VACUUM and ANALYZE are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'VACUUM events; VACUUM ANALYZE events; ANALYZE events;'), []);
});
