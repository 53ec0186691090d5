import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constraintMissingNotValid as rule } from '../../server/src/engine/rules/locking/constraint-missing-not-valid';
import { applyEdits, MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule, schemaWith } from './lockRuleTestUtils';

test('ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables; fix adds NOT VALID and a later VALIDATE', async () => {
  const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);';
  const schema = schemaWith([
    { name: 'orders', rows: 300_000, bytes: 40 * 1024 * 1024 },
    { name: 'accounts', rows: 5_000, bytes: 1024 * 1024 },
  ]);
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION, schema });
  assert.equal(finding.anchor, 'CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)');
  assert.match(finding.message, /SHARE ROW EXCLUSIVE on both: blocks every write \(INSERT, UPDATE, DELETE\) and schema change of orders and accounts/);
  assert.match(finding.message, /\(orders: 300k rows, 40 MB; accounts: 5000 rows, 1 MB\)/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), sql.replace(' (id);', ' (id) NOT VALID;'));
  assert.equal(finding.fixes?.[0].sql, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;');
  assert.match(finding.fixes![0].title, /later migration/);
});

test('outside a transaction the VALIDATE statement is added after it; unnamed constraints get PostgreSQL\'s name', async () => {
  const sql = 'alter table orders add foreign key (account_id) references accounts;\nselect 1;';
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION_NO_TRANSACTION });
  assert.equal(
    applyEdits(sql, finding.fixes?.[0].edits),
    'alter table orders add foreign key (account_id) references accounts NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_account_id_fkey;\nselect 1;',
  );
});

test('ADD CHECK: ACCESS EXCLUSIVE while every row is checked', async () => {
  const [finding] = await runLockRule(rule, 'alter table orders add check (total >= 0)');
  assert.equal(finding.anchor, 'check (total >= 0)');
  assert.match(finding.message, /ADD CHECK checks every row of orders while holding ACCESS EXCLUSIVE on orders: blocks every read and write/);
  assert.equal(finding.fixes?.[0].sql, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;');
});

test('NOT VALID, VALIDATE and new tables are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'alter table orders add constraint c check (total >= 0) not valid; alter table orders validate constraint c;'), []);
  assert.deepEqual(await runLockRule(rule, 'create table t (a int);\nalter table t add foreign key (a) references accounts (id);'), []);
});
