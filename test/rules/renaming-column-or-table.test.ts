import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renamingColumnOrTable as rule } from '../../server/src/engine/rules/locking/renaming-column-or-table';
import { runLockRule } from './lockRuleTestUtils';

test('RENAME COLUMN breaks running code: anchored on the old name', async () => {
  const [finding] = await runLockRule(rule, 'ALTER TABLE users RENAME COLUMN email TO email_address;');
  assert.equal(finding.anchor, 'email');
  assert.match(finding.message, /Renaming users.email to email_address breaks every running query/);
  assert.match(finding.message, /ACCESS EXCLUSIVE on users: blocks every read and write of users/);
  const [short] = await runLockRule(rule, 'alter table users rename email to mail');
  assert.equal(short.anchor, 'email');
});

test('RENAME TO of a table: anchored on the table name', async () => {
  const [finding] = await runLockRule(rule, 'alter table public.invoices rename to bills');
  assert.equal(finding.anchor, 'invoices');
  assert.match(finding.message, /Renaming table invoices to bills/);
});

test('renames of new tables, indexes and constraints are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'create table t (a int);\nalter table t rename a to b;'), []);
  assert.deepEqual(await runLockRule(rule, 'alter index i rename to j; alter table t rename constraint c to d;'), []);
});
