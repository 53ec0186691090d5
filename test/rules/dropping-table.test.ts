import { test } from 'node:test';
import assert from 'node:assert/strict';
import { droppingTable as rule } from '../../server/src/engine/rules/locking/dropping-table';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

function shop() {
  const schema = schemaWith([
    { name: 'accounts', rows: 50_000, bytes: 8 * 1024 * 1024 },
    { name: 'orders', rows: 2_100_000, bytes: 310 * 1024 * 1024 },
    { name: 'order_notes', rows: 10, bytes: 8192 },
  ]);
  schema.foreignKeys = [
    { name: 'orders_account_fk', schema: 'public', table: 'orders', columns: ['account_id'], referencedSchema: 'public', referencedTable: 'accounts', referencedColumns: ['id'] },
    { name: 'order_notes_order_fk', schema: 'public', table: 'order_notes', columns: ['order_id'], referencedSchema: 'public', referencedTable: 'orders', referencedColumns: ['id'] },
  ];
  return schema;
}

test('DROP TABLE: anchored on the table, ACCESS EXCLUSIVE on it; offline the referenced tables are mentioned', async () => {
  const [finding] = await runLockRule(rule, 'DROP TABLE orders;');
  assert.equal(finding.anchor, 'orders');
  assert.match(finding.message, /breaks every running query and deployed code that still uses it/);
  assert.match(finding.message, /ACCESS EXCLUSIVE on orders: blocks every read and write of orders/);
  assert.match(finding.message, /every table it references by foreign key \(connect a database to name them\)/);
});

test('with the catalogue: the referenced table is locked too, and a table referenced by another fails without CASCADE', async () => {
  const [finding] = await runLockRule(rule, 'drop table orders', { schema: shop() });
  assert.match(finding.message, /and ACCESS EXCLUSIVE on accounts \(referenced by its foreign key orders_account_fk\)/);
  assert.match(finding.message, /It fails unless CASCADE: order_notes \(order_notes_order_fk\) references orders by foreign key/);
  assert.deepEqual(finding.evidence?.alsoLocked, ['accounts']);
  assert.equal(finding.evidence?.failsWithoutCascade, true);
});

test('with CASCADE the referencing table is locked ACCESS EXCLUSIVE (its constraint is dropped)', async () => {
  const [finding] = await runLockRule(rule, 'DROP TABLE orders CASCADE;', { schema: shop() });
  assert.match(finding.message, /order_notes \(drops the foreign key order_notes_order_fk of order_notes, which references it\)/);
  assert.doesNotMatch(finding.message, /fails unless CASCADE/);
});

test('several tables: one finding each; a table created earlier in the file is quiet', async () => {
  const findings = await runLockRule(rule, 'CREATE TABLE tmp (id int);\nDROP TABLE IF EXISTS tmp, public.legacy;');
  assert.deepEqual(findings.map((f) => f.anchor), ['legacy']);
  assert.deepEqual(await runLockRule(rule, 'DROP VIEW v; DROP INDEX i;'), []);
});
