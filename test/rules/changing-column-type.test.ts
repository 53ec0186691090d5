import { test } from 'node:test';
import assert from 'node:assert/strict';
import { changingColumnType as rule } from '../../server/src/engine/rules/locking/changing-column-type';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

test('int to bigint rewrites: anchored on the new type, with the type change explained', async () => {
  const schema = schemaWith([{ name: 'orders', rows: 300_000, bytes: 60 * 1024 * 1024, columns: { id: 'integer' } }]);
  const [finding] = await runLockRule(rule, 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;', { schema });
  assert.equal(finding.anchor, 'bigint');
  assert.equal(finding.headline, 'Changing orders.id to int8 rewrites orders and its indexes under ACCESS EXCLUSIVE');
  assert.match(finding.message, /It holds ACCESS EXCLUSIVE on orders: blocks every read and write of orders until the transaction ends \(orders: 300k rows, 60 MB\)/);
  assert.match(finding.message, /int4 to int8 is not binary-coercible/);
  assert.equal(finding.evidence?.from, 'int4');
});

test('binary-coercible changes are quiet: varchar(n) to text, to a longer varchar, numeric precision up', async () => {
  const schema = schemaWith([{ name: 'accounts', rows: 10, bytes: 8192, columns: { email: 'character varying(100)', amount: 'numeric(10,2)' } }]);
  assert.deepEqual(await runLockRule(rule, 'alter table accounts alter column email type text', { schema }), []);
  assert.deepEqual(await runLockRule(rule, 'alter table accounts alter email type varchar(200)', { schema }), []);
  assert.deepEqual(await runLockRule(rule, 'alter table accounts alter amount type numeric(12,2)', { schema }), []);
});

test('a shorter varchar rewrites; the old type is also read from earlier statements of the file', async () => {
  const sql = 'alter table accounts add column code varchar(20);\nalter table accounts alter column code type varchar(10);';
  const [finding] = await runLockRule(rule, sql);
  assert.equal(finding.anchor, 'varchar(10)');
  assert.match(finding.message, /varchar\(20\) to varchar\(10\) is not binary-coercible/);
});

test('unknown current type: reported as a probable rewrite; USING that changes values rewrites', async () => {
  const [unknown] = await runLockRule(rule, 'alter table t alter column c type text');
  assert.match(unknown.message, /probably rewrites/);
  assert.match(unknown.message, /does not know the current type of t.c/);
  const schema = schemaWith([{ name: 't', rows: 10, bytes: 8192, columns: { c: 'text' } }]);
  const [using] = await runLockRule(rule, 'alter table t alter column c type text using lower(c)', { schema });
  assert.equal(using.anchor, 'text');
  assert.match(using.message, /changes the values \(USING\)/);
});
