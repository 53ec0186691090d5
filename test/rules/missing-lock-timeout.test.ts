import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingLockTimeout as rule } from '../../server/src/engine/rules/locking/missing-lock-timeout';
import { applyEdits, MIGRATION, runLockRule } from './lockRuleTestUtils';

test('the first ACCESS EXCLUSIVE statement of a migration without lock_timeout, anchored on the table; fix sets it', async () => {
  const sql = 'CREATE TABLE notes (id int);\nALTER TABLE accounts ADD COLUMN plan text;\nALTER TABLE users DROP COLUMN x;\n';
  const runs = await runLockRule(rule, sql, { migration: MIGRATION });
  assert.equal(runs.length, 1);
  assert.equal(runs[0].anchor, 'accounts');
  assert.match(runs[0].headline, /needs ACCESS EXCLUSIVE on accounts, and no lock_timeout is set before it$/);
  assert.equal(
    applyEdits(sql, runs[0].fixes?.[0].edits),
    "CREATE TABLE notes (id int);\nSET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN plan text;\nALTER TABLE users DROP COLUMN x;\n",
  );
});

test('the timeout is configurable', async () => {
  const [finding] = await runLockRule(rule, 'alter table accounts add column plan text;', { migration: MIGRATION, options: { lockTimeout: '2s' } });
  assert.equal(finding.fixes?.[0].sql, "SET lock_timeout = '2s';");
});

test('quiet with lock_timeout set, outside migrations, for weaker locks and for new tables', async () => {
  assert.deepEqual(await runLockRule(rule, "SET lock_timeout = '3s';\nalter table accounts add column plan text;", { migration: MIGRATION }), []);
  assert.deepEqual(await runLockRule(rule, "select set_config('lock_timeout', '1s', false);\nalter table accounts add column plan text;", { migration: MIGRATION }), []);
  assert.deepEqual(await runLockRule(rule, 'alter table accounts add column plan text;'), []);
  assert.deepEqual(await runLockRule(rule, 'create index concurrently i on accounts (a); alter table accounts validate constraint c;', { migration: MIGRATION }), []);
  assert.deepEqual(await runLockRule(rule, 'create table t (a int);\nalter table t add column b int;', { migration: MIGRATION }), []);
});

test('lock_timeout = 0 disables the timeout and does not count', async () => {
  const runs = await runLockRule(rule, 'set lock_timeout = 0;\ntruncate accounts;', { migration: MIGRATION });
  assert.equal(runs.length, 1);
  assert.equal(runs[0].anchor, 'accounts');
});
