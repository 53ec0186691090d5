import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addingColumnWithVolatileDefault as rule } from '../../server/src/engine/rules/locking/adding-column-with-volatile-default';
import { runLockRule, schemaWith } from './lockRuleTestUtils';

test('a volatile default rewrites the table: anchored on the call, safe form in the fix', async () => {
  const sql = 'ALTER TABLE accounts ADD COLUMN api_key uuid DEFAULT gen_random_uuid() NOT NULL;';
  const schema = schemaWith([{ name: 'accounts', rows: 50_000, bytes: 12 * 1024 * 1024 }]);
  const [finding] = await runLockRule(rule, sql, { schema });
  assert.equal(finding.anchor, 'gen_random_uuid()');
  assert.match(finding.headline, /^ADD COLUMN \w+ rewrites accounts and its indexes under ACCESS EXCLUSIVE$/);
  assert.match(finding.message, /It rewrites because the default gen_random_uuid\(\) is volatile/);
  assert.match(finding.message, /ACCESS EXCLUSIVE on accounts: blocks every read and write of accounts until the transaction ends \(accounts: 50k rows, 12 MB\)/);
  assert.equal(
    finding.fixes?.[0].sql,
    [
      'ALTER TABLE accounts ADD COLUMN api_key uuid;',
      'ALTER TABLE accounts ALTER COLUMN api_key SET DEFAULT gen_random_uuid();',
      '-- backfill existing rows in small batches, each in its own transaction, e.g.:',
      '-- UPDATE accounts SET api_key = gen_random_uuid() WHERE api_key IS NULL AND <primary key range>;',
      '-- then make it NOT NULL without a long lock (see setting-not-null).',
    ].join('\n'),
  );
});

test('now() and CURRENT_TIMESTAMP are stable: instant on PostgreSQL 11+, quiet', async () => {
  assert.deepEqual(await runLockRule(rule, "alter table events add column seen_at timestamptz default now(), add column kind text default 'x'"), []);
  assert.deepEqual(await runLockRule(rule, 'alter table events add column at timestamptz not null default current_timestamp'), []);
});

test('before PostgreSQL 11 any non-null default rewrites', async () => {
  const [finding] = await runLockRule(rule, "alter table events add column kind text default 'x'", { serverVersionNum: 100023 });
  assert.match(finding.message, /before PostgreSQL 11 any non-null default rewrites/);
});

test('serial, identity and unknown functions count as volatile', async () => {
  const [serial] = await runLockRule(rule, 'alter table events add column seq bigserial');
  assert.equal(serial.anchor, 'bigserial');
  assert.match(serial.message, /bigserial means DEFAULT nextval/);
  const [identity] = await runLockRule(rule, 'alter table events add column n int generated always as identity');
  assert.match(identity.message, /identity column/);
  const [unknown] = await runLockRule(rule, 'alter table events add column code text default make_code()');
  assert.equal(unknown.anchor, 'make_code()');
  assert.match(unknown.message, /pglens does not know; functions are VOLATILE unless declared otherwise/);
  const [clock] = await runLockRule(rule, 'alter table events add column t timestamptz default clock_timestamp()');
  assert.equal(clock.anchor, 'clock_timestamp()');
});

test('a table created earlier in the file is exempt', async () => {
  assert.deepEqual(await runLockRule(rule, 'create table t (id int);\nalter table t add column k uuid default gen_random_uuid();'), []);
});

test("immutable built-ins are quiet (repeat('*', 64)); a function the connected database declares immutable is quiet, volatile is reported", async () => {
  assert.deepEqual(await runLockRule(rule, "ALTER TABLE accounts ADD COLUMN mask text DEFAULT repeat('*', 64);"), []);
  const schema = schemaWith([{ name: 'accounts', rows: 1000, bytes: 8192 }]);
  schema.volatility = { functions: new Map([['tenant_default', 'immutable'], ['make_code', 'volatile']]), casts: new Map() };
  assert.deepEqual(await runLockRule(rule, 'ALTER TABLE accounts ADD COLUMN tenant int DEFAULT tenant_default();', { schema }), []);
  const [finding] = await runLockRule(rule, 'ALTER TABLE accounts ADD COLUMN code text DEFAULT make_code();', { schema });
  assert.match(finding.message, /the default make_code\(\) is volatile/);
  // Offline, a function nobody knows is VOLATILE (CREATE FUNCTION's default).
  const [unknown] = await runLockRule(rule, 'ALTER TABLE accounts ADD COLUMN tenant int DEFAULT tenant_default();');
  assert.match(unknown.message, /calls tenant_default\(\), which pglens does not know/);
});
