// The lock rules in one table (ruleTester.ts): for each, SQL it flags with its headline and anchor, and the safe form
// it leaves alone. Each rule's own test file goes into the details; this table holds every headline to the contract.

import { MIGRATION_NO_TRANSACTION, schemaWith } from './lockRuleTestUtils';
import { ruleTester } from './ruleTester';
import { lockingRules } from '../../server/src/engine/rules/locking/index';

const rule = (id: string) => lockingRules.find((r) => r.meta.id === id)!;
const schema = schemaWith([
  { name: 'orders', rows: 300000, bytes: 50 * 1024 * 1024, columns: { id: 'integer', account_id: 'integer', note: 'text' } },
  { name: 'accounts', rows: 50000, bytes: 12 * 1024 * 1024, columns: { id: 'integer', email: 'text' } },
]);

ruleTester.run(rule('require-concurrent-index-creation'), {
  context: { migration: MIGRATION_NO_TRANSACTION, schema },
  valid: ['CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);'],
  invalid: [{ sql: 'CREATE INDEX orders_note_idx ON orders (note);', headline: /^CREATE INDEX without CONCURRENTLY takes SHARE on orders/, anchor: 'INDEX' }],
});

ruleTester.run(rule('update-or-delete-without-where'), {
  context: { schema },
  valid: ['UPDATE orders SET note = NULL WHERE id = 1;'],
  invalid: [{ sql: "UPDATE orders SET note = 'x';", headline: 'UPDATE without WHERE changes every row of orders (orders: 300k rows, 50 MB) and locks each until the transaction ends', anchor: 'orders' }],
});

ruleTester.run(rule('setting-tablespace'), {
  context: { schema },
  valid: ['CREATE TABLE t (id int) TABLESPACE fast_ssd;'],
  invalid: [{ sql: 'ALTER TABLE orders SET TABLESPACE fast_ssd;', headline: 'SET TABLESPACE copies the whole table orders under ACCESS EXCLUSIVE to fast_ssd', anchor: 'SET TABLESPACE' }],
});

ruleTester.run(rule('changing-column-type'), {
  context: { schema },
  valid: ['ALTER TABLE orders ALTER COLUMN note TYPE text;'],
  invalid: [{ sql: 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;', headline: /^Changing orders\.id to int8 (probably )?rewrites orders and its indexes under ACCESS EXCLUSIVE$/, anchor: 'bigint' }],
});

ruleTester.run(rule('missing-lock-timeout'), {
  context: { schema },
  valid: ["SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;"],
  invalid: [{ sql: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', headline: /needs ACCESS EXCLUSIVE on orders, and no lock_timeout is set before it$/ }],
});

ruleTester.run(rule('validating-constraint-in-same-transaction'), {
  context: { schema },
  valid: ['ALTER TABLE orders VALIDATE CONSTRAINT orders_note_check;'],
  invalid: [
    {
      sql: 'ALTER TABLE orders ADD CONSTRAINT orders_note_check CHECK (note <> \'\') NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_note_check;',
      headline: 'VALIDATE CONSTRAINT orders_note_check runs in the transaction of its ADD ... NOT VALID: the lock is still held',
    },
  ],
});

ruleTester.run(rule('lock-table'), {
  context: { schema },
  valid: ['SELECT 1;'],
  invalid: [{ sql: 'LOCK TABLE orders;', headline: /^LOCK TABLE takes ACCESS EXCLUSIVE on orders/ }],
});

ruleTester.run(rule('truncate'), {
  context: { schema },
  valid: ['DELETE FROM orders WHERE id = 1;'],
  invalid: [{ sql: 'TRUNCATE orders;', headline: /^TRUNCATE deletes every row of orders/ }],
});
