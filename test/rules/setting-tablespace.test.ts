import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingTablespace as rule } from '../../server/src/engine/rules/locking/setting-tablespace';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

test('ALTER TABLE ... SET TABLESPACE: a copy under ACCESS EXCLUSIVE, anchored on SET TABLESPACE', async () => {
  const schema = schemaWith([{ name: 'orders', rows: 2_100_000, bytes: 310 * 1024 * 1024 }]);
  const [finding] = await runLockRule(rule, 'ALTER TABLE orders SET TABLESPACE fast_ssd;', { schema });
  assert.equal(finding.anchor, 'SET TABLESPACE');
  assert.equal(finding.headline, 'SET TABLESPACE copies the whole table orders under ACCESS EXCLUSIVE to fast_ssd');
  assert.match(finding.message, /holds ACCESS EXCLUSIVE on orders: blocks every read and write of orders until the transaction ends \(orders: 2.1M rows, 310 MB\)/);
  assert.equal(finding.evidence?.rewrite, true);
  assert.equal(finding.evidence?.tablespace, 'fast_ssd');
});

test('ALTER INDEX ... SET TABLESPACE names the index; ALL IN TABLESPACE is reported', async () => {
  const [index] = await runLockRule(rule, 'alter index orders_status_idx set tablespace fast_ssd');
  assert.match(index.message, /copies the whole index orders_status_idx .* ACCESS EXCLUSIVE on the index orders_status_idx: every query that would use it waits/);
  const [all] = await runLockRule(rule, 'ALTER TABLE ALL IN TABLESPACE old_disk SET TABLESPACE fast_ssd;');
  assert.equal(all.anchor, 'SET TABLESPACE');
  assert.match(all.message, /copies every relation of the tablespace under ACCESS EXCLUSIVE/);
});

test('quiet: other ALTER TABLE forms, and relations created earlier in the file', async () => {
  assert.deepEqual(await runLockRule(rule, 'ALTER TABLE orders SET (fillfactor = 70);'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE TABLE t (id int);\nALTER TABLE t SET TABLESPACE fast_ssd;'), []);
  assert.deepEqual(await runLockRule(rule, 'CREATE INDEX t_idx ON orders (id);\nALTER INDEX t_idx SET TABLESPACE fast_ssd;'), []);
});
