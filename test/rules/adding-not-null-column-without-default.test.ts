import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addingNotNullColumnWithoutDefault as rule } from '../../server/src/engine/rules/locking/adding-not-null-column-without-default';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

test('ADD COLUMN ... NOT NULL without DEFAULT: anchored on NOT NULL, fails as soon as the table has a row', async () => {
  const [finding] = await runLockRule(rule, 'ALTER TABLE accounts ADD COLUMN plan text NOT NULL;');
  assert.equal(finding.anchor, 'NOT NULL');
  assert.equal(finding.headline, 'ADD COLUMN plan ... NOT NULL without a DEFAULT fails as soon as accounts has a row');
  assert.match(finding.message, /Every existing row would get NULL in plan/);
  assert.equal(finding.fixes?.[0]?.sql?.split('\n')[0], 'ALTER TABLE accounts ADD COLUMN plan text;');
});

test('with a database that says the table has rows, the message says it fails', async () => {
  const schema = schemaWith([{ name: 'accounts', rows: 50_000, bytes: 8 * 1024 * 1024 }]);
  const [finding] = await runLockRule(rule, 'alter table accounts add column plan varchar(20) not null', { schema });
  assert.match(finding.message, /fails: accounts has 50k rows \(estimated\)/);
  assert.equal(finding.evidence?.fails, true);
  assert.equal(finding.fixes?.[0]?.sql?.split('\n')[0], 'ALTER TABLE accounts ADD COLUMN plan varchar(20);');
});

test('a PRIMARY KEY column without a default is NOT NULL too', async () => {
  const [finding] = await runLockRule(rule, 'ALTER TABLE accounts ADD COLUMN code int PRIMARY KEY;');
  assert.match(finding.message, /ADD COLUMN code/);
  assert.equal(finding.anchor, 'PRIMARY KEY');
});

test('quiet: with a DEFAULT, identity, generated, serial, nullable, and a table created earlier in the file', async () => {
  for (const sql of [
    "ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';",
    'ALTER TABLE accounts ADD COLUMN n int GENERATED ALWAYS AS IDENTITY NOT NULL;',
    'ALTER TABLE accounts ADD COLUMN twice int NOT NULL GENERATED ALWAYS AS (id * 2) STORED;',
    'ALTER TABLE accounts ADD COLUMN seq bigserial NOT NULL;',
    'ALTER TABLE accounts ADD COLUMN note text;',
    'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN plan text NOT NULL;',
  ]) {
    assert.deepEqual(await runLockRule(rule, sql), [], sql);
  }
});
