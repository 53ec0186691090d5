// What the issue-12 lock rules claim beyond the lock table (test/locks/lockModel.server.test.ts proves the modes),
// proven on the ephemeral PostgreSQL: ADD COLUMN ... NOT NULL without a default fails on a table with rows and
// not on an empty one; VALIDATE CONSTRAINT in the transaction of its ADD ... NOT VALID still holds the ADD's lock
// (pg_locks), while VALIDATE on its own takes only SHARE UPDATE EXCLUSIVE. Each rule is run on the same SQL.
//
// Runs in its own database (pglens_lock_rules_test) so the shared fixture is never touched.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { addingNotNullColumnWithoutDefault } from '../../server/src/engine/rules/locking/adding-not-null-column-without-default';
import { validatingConstraintInSameTransaction } from '../../server/src/engine/rules/locking/validating-constraint-in-same-transaction';
import { MIGRATION, MIGRATION_NO_TRANSACTION, runLockRule, schemaWith } from '../rules/lockRuleTestUtils';

const DATABASE = 'pglens_lock_rules_test';

let scratch: TestFileDatabase | undefined;
let client: Client;

before(async () => {
  scratch = await openTestFileDatabase(DATABASE);
  client = scratch.client;
  await client.query(`
    create table accounts (id int primary key);
    create table orders (id int primary key, account_id int, total int);
    create table empty_table (id int);
    insert into accounts select g from generate_series(1, 10) g;
    insert into orders select g, 1 + g % 10, g from generate_series(1, 100) g;
  `);
});

after(async () => {
  await scratch?.drop();
});

/** Runs statements in one transaction, returns this backend's strongest lock per table after the last, and rolls back. */
async function locksAfter(statements: string[]): Promise<Map<string, string>> {
  await client.query('begin');
  try {
    for (const sql of statements) await client.query(sql);
    const { rows } = await client.query<{ relname: string; mode: string }>(
      `select c.relname, l.mode from pg_locks l join pg_class c on c.oid = l.relation
        where l.pid = pg_backend_pid() and l.locktype = 'relation' and c.relkind = 'r' and c.relnamespace = 'public'::regnamespace`,
    );
    const order = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];
    const strongest = new Map<string, string>();
    for (const r of rows) if (!strongest.has(r.relname) || order.indexOf(r.mode) > order.indexOf(strongest.get(r.relname)!)) strongest.set(r.relname, r.mode);
    return strongest;
  } finally {
    await client.query('rollback');
  }
}

test('ADD COLUMN ... NOT NULL without a default fails on a table with rows (23502) and works on an empty one; the rule says so', async () => {
  await client.query('begin');
  await assert.rejects(client.query('alter table orders add column plan text not null'), (error: { code?: string }) => error.code === '23502');
  await client.query('rollback');
  await client.query('begin');
  await client.query('alter table empty_table add column plan text not null');
  await client.query('rollback');

  const [finding] = await runLockRule(addingNotNullColumnWithoutDefault, 'alter table orders add column plan text not null', {
    schema: schemaWith([{ name: 'orders', rows: 100, bytes: 8192 }]),
  });
  assert.match(finding.message, /fails: orders has 100 rows/);
});

test('VALIDATE in the transaction of its ADD CHECK ... NOT VALID still holds ACCESS EXCLUSIVE; alone it takes SHARE UPDATE EXCLUSIVE', async () => {
  const add = 'alter table orders add constraint orders_total_check check (total >= 0) not valid';
  const validate = 'alter table orders validate constraint orders_total_check';
  assert.equal((await locksAfter([add, validate])).get('orders'), 'AccessExclusiveLock');

  await client.query(add);
  try {
    assert.equal((await locksAfter([validate])).get('orders'), 'ShareUpdateExclusiveLock');
  } finally {
    await client.query('alter table orders drop constraint orders_total_check');
  }

  assert.equal((await runLockRule(validatingConstraintInSameTransaction, `${add};\n${validate};`, { migration: MIGRATION })).length, 1);
  assert.deepEqual(await runLockRule(validatingConstraintInSameTransaction, `${add};\n${validate};`, { migration: MIGRATION_NO_TRANSACTION }), []);
});

test('VALIDATE in the transaction of its ADD FOREIGN KEY ... NOT VALID still holds SHARE ROW EXCLUSIVE on both tables', async () => {
  const add = 'alter table orders add constraint orders_account_fk foreign key (account_id) references accounts (id) not valid';
  const validate = 'alter table orders validate constraint orders_account_fk';
  const together = await locksAfter([add, validate]);
  assert.equal(together.get('orders'), 'ShareRowExclusiveLock');
  assert.equal(together.get('accounts'), 'ShareRowExclusiveLock');

  await client.query(add);
  try {
    const alone = await locksAfter([validate]);
    assert.equal(alone.get('orders'), 'ShareUpdateExclusiveLock');
    assert.equal(alone.get('accounts'), 'RowShareLock');
  } finally {
    await client.query('alter table orders drop constraint orders_account_fk');
  }
  const [finding] = await runLockRule(validatingConstraintInSameTransaction, `${add};\n${validate};`, { migration: MIGRATION });
  assert.match(finding.message, /SHARE ROW EXCLUSIVE of the foreign key \(on both tables\)/);
});
