import { test } from 'node:test';
import assert from 'node:assert/strict';
import { settingNotNull as rule } from '../../server/src/engine/rules/locking/setting-not-null';
import { applyEdits, MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule } from './lockRuleTestUtils';

test('SET NOT NULL scans under ACCESS EXCLUSIVE: anchored on SET NOT NULL; in a transaction the fix splits the work', async () => {
  const sql = 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n';
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION });
  assert.equal(finding.anchor, 'SET NOT NULL');
  assert.match(finding.message, /scans the whole table for NULLs under ACCESS EXCLUSIVE\. Blocks every read and write of users/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;\n');
  assert.match(finding.fixes![0].sql!, /-- in a later migration:\nALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_not_null;/);
});

test('without a transaction the whole safe sequence replaces the statement', async () => {
  const sql = 'alter table users alter email set not null;';
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION_NO_TRANSACTION });
  assert.equal(
    applyEdits(sql, finding.fixes?.[0].edits),
    [
      'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;',
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
      'ALTER TABLE users DROP CONSTRAINT users_email_not_null;',
    ].join('\n'),
  );
});

test('quiet after a validated CHECK (col IS NOT NULL) earlier in the file (PostgreSQL 12+)', async () => {
  const sql = [
    'alter table users add constraint email_nn check (email is not null) not valid;',
    'alter table users validate constraint email_nn;',
    'alter table users alter column email set not null;',
  ].join('\n');
  assert.deepEqual(await runLockRule(rule, sql, { serverVersionNum: 150000 }), []);
  // PostgreSQL 11 always scans.
  const [old] = await runLockRule(rule, sql, { serverVersionNum: 110000 });
  assert.match(old.message, /Before PostgreSQL 12 the scan cannot be avoided/);
  assert.equal(old.fixes, undefined);
});

test('a table created earlier in the file is exempt; each SET NOT NULL of a statement is anchored', async () => {
  assert.deepEqual(await runLockRule(rule, 'create table t (a int);\nalter table t alter a set not null;'), []);
  const runs = await runLockRule(rule, 'alter table t alter a set not null, alter b set   not null');
  assert.deepEqual(runs.map((r) => r.anchor), ['set not null', 'set   not null']);
});
