import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addingUniqueWithoutIndex as rule } from '../../server/src/engine/rules/locking/adding-unique-without-index';
import { applyEdits, MIGRATION, runLockRule } from './lockRuleTestUtils';

test('ADD UNIQUE builds its index under ACCESS EXCLUSIVE; the fix builds it concurrently first', async () => {
  const [finding] = await runLockRule(rule, 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);');
  assert.equal(finding.anchor, 'CONSTRAINT users_email_key UNIQUE (email)');
  assert.match(finding.message, /ADD UNIQUE builds its index over every row of users under ACCESS EXCLUSIVE\. Blocks every read and write of users/);
  assert.equal(
    finding.fixes?.[0].sql,
    [
      '-- in a migration that runs without a transaction:',
      'CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);',
      '-- then (the lock is held only for a moment):',
      'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;',
    ].join('\n'),
  );
});

test('ADD PRIMARY KEY without a name gets <table>_pkey', async () => {
  const [finding] = await runLockRule(rule, 'alter table events add primary key (id)');
  assert.equal(finding.anchor, 'primary key (id)');
  assert.match(finding.fixes![0].sql!, /CREATE UNIQUE INDEX CONCURRENTLY events_pkey ON events \(id\);\n.*\nALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey;/);
});

test('USING INDEX and new tables are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'alter table users add constraint users_email_key unique using index users_email_idx'), []);
  assert.deepEqual(await runLockRule(rule, 'create table t (id int);\nalter table t add primary key (id);'), []);
});

test('outside a transaction the fix is an edit: the index built CONCURRENTLY, then the constraint USING it; not in a transaction, nor where the rewrite would drop INCLUDE', async () => {
  const sql = 'alter table orders add unique (account_id, number);';
  const [finding] = await runLockRule(rule, sql);
  assert.equal(
    applyEdits(sql, finding.fixes?.[0].edits),
    'CREATE UNIQUE INDEX CONCURRENTLY orders_account_id_number_key ON orders (account_id, number);\nALTER TABLE orders ADD CONSTRAINT orders_account_id_number_key UNIQUE USING INDEX orders_account_id_number_key;',
  );
  const [inTransaction] = await runLockRule(rule, sql, { migration: MIGRATION });
  assert.equal(inTransaction.fixes?.[0].edits, undefined);
  const [include] = await runLockRule(rule, 'alter table orders add unique (account_id) include (number);');
  assert.equal(include.fixes?.[0].edits, undefined);
});
