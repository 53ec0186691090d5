// RuleTester cases (ruleTester.ts) of the rules that judge a statement from its parse tree: the lock rules and
// deep-offset-pagination. No database: table sizes come from `schema` below where a message names them. Each rule's
// own test file goes into the details (fixes, anchors, versions); these hold every rule to the message contract.

import { MIGRATION, MIGRATION_NO_TRANSACTION, schemaWith } from '../lockRuleTestUtils';
import type { RuleCases } from '../ruleTester';

const schema = schemaWith([
  { name: 'orders', rows: 300000, bytes: 50 * 1024 * 1024, columns: { id: 'integer', account_id: 'integer', note: 'text' } },
  { name: 'accounts', rows: 50000, bytes: 12 * 1024 * 1024, columns: { id: 'integer', email: 'text' } },
]);

export const lockRuleCases: Record<string, RuleCases> = {
  'require-concurrent-index-creation': {
    context: { migration: MIGRATION_NO_TRANSACTION, schema },
    valid: ['CREATE INDEX CONCURRENTLY orders_note_idx ON orders (note);', 'CREATE TABLE t (a int);\nCREATE INDEX t_a_idx ON t (a);'],
    invalid: [{ sql: 'CREATE INDEX orders_note_idx ON orders (note);', messageId: 'createIndex', data: { table: 'orders' }, headline: /^CREATE INDEX without CONCURRENTLY takes SHARE on orders/, anchor: 'INDEX' }],
  },
  'require-concurrent-index-deletion': {
    context: { migration: MIGRATION_NO_TRANSACTION },
    valid: ['DROP INDEX CONCURRENTLY orders_status_idx;'],
    invalid: [{ sql: 'DROP INDEX orders_status_idx;', messageId: 'dropIndexUnknownTable', data: { indexes: 'orders_status_idx' }, anchor: 'INDEX' }],
  },
  'update-or-delete-without-where': {
    context: { schema },
    valid: ['UPDATE orders SET note = NULL WHERE id = 1;'],
    invalid: [
      {
        sql: "UPDATE orders SET note = 'x';",
        messageId: 'updateSized',
        data: { table: 'orders', size: 'orders: 300k rows, 50 MB' },
        headline: 'UPDATE without WHERE changes every row of orders (orders: 300k rows, 50 MB) and locks each until the transaction ends',
        anchor: 'orders',
      },
      { sql: 'DELETE FROM sessions;', messageId: 'delete', data: { table: 'sessions' } },
    ],
  },
  'setting-tablespace': {
    context: { schema },
    valid: ['CREATE TABLE t (id int) TABLESPACE fast_ssd;'],
    invalid: [
      { sql: 'ALTER TABLE orders SET TABLESPACE fast_ssd;', messageId: 'copiesTo', data: { relationKind: 'table', relation: 'orders', tablespace: 'fast_ssd' }, anchor: 'SET TABLESPACE' },
      { sql: 'ALTER TABLE ALL IN TABLESPACE slow SET TABLESPACE fast_ssd;', messageId: 'moveAll' },
    ],
  },
  'changing-column-type': {
    context: { schema },
    valid: ['ALTER TABLE orders ALTER COLUMN note TYPE text;'],
    invalid: [{ sql: 'ALTER TABLE orders ALTER COLUMN id TYPE bigint;', messageId: 'rewrites', data: { table: 'orders', column: 'id', type: 'int8' }, anchor: 'bigint' }],
  },
  'missing-lock-timeout': {
    context: { schema },
    valid: ["SET lock_timeout = '5s';\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;"],
    invalid: [{ sql: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', messageId: 'noLockTimeout', data: { table: 'orders' }, headline: /needs ACCESS EXCLUSIVE on orders, and no lock_timeout is set before it$/ }],
  },
  'validating-constraint-in-same-transaction': {
    context: { schema },
    valid: ['ALTER TABLE orders VALIDATE CONSTRAINT orders_note_check;'],
    invalid: [
      {
        sql: "ALTER TABLE orders ADD CONSTRAINT orders_note_check CHECK (note <> '') NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_note_check;",
        messageId: 'lockStillHeld',
        data: { constraint: 'orders_note_check' },
        headline: 'VALIDATE CONSTRAINT orders_note_check runs in the transaction of its ADD ... NOT VALID: the lock is still held',
      },
    ],
  },
  'lock-table': {
    context: { schema },
    valid: ['SELECT 1;', 'LOCK TABLE orders IN ACCESS SHARE MODE;'],
    invalid: [
      { sql: 'LOCK TABLE orders;', messageId: 'lockTableQueues', data: { lockMode: 'ACCESS EXCLUSIVE', table: 'orders' } },
      { sql: 'LOCK TABLE orders IN SHARE MODE NOWAIT;', messageId: 'lockTable', data: { lockMode: 'SHARE', table: 'orders' } },
    ],
  },
  truncate: {
    context: { schema },
    valid: ['DELETE FROM orders WHERE id = 1;', 'CREATE TABLE t (a int);\nTRUNCATE t;'],
    invalid: [
      { sql: 'TRUNCATE orders;', messageId: 'truncate', data: { table: 'orders' }, headline: /^TRUNCATE deletes every row of orders/ },
      { sql: 'TRUNCATE orders CASCADE;', messageId: 'truncateCascade', data: { table: 'orders' } },
    ],
  },
  'adding-column-with-volatile-default': {
    valid: ["ALTER TABLE events ADD COLUMN seen_at timestamptz DEFAULT now(), ADD COLUMN kind text DEFAULT 'x';"],
    invalid: [{ sql: 'ALTER TABLE accounts ADD COLUMN api_key uuid DEFAULT gen_random_uuid() NOT NULL;', messageId: 'rewritesTable', data: { column: 'api_key', table: 'accounts' } }],
  },
  'adding-not-null-column-without-default': {
    valid: ["ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT 'free';", 'ALTER TABLE accounts ADD COLUMN plan text;'],
    invalid: [
      { sql: 'ALTER TABLE accounts ADD COLUMN plan text NOT NULL;', messageId: 'failsOnFirstRow', data: { column: 'plan', table: 'accounts' }, anchor: 'NOT NULL' },
      { sql: 'ALTER TABLE accounts ADD COLUMN plan text NOT NULL;', context: { schema }, messageId: 'failsWithRows', data: { column: 'plan', table: 'accounts', rows: '50k rows' } },
    ],
  },
  'adding-unique-without-index': {
    valid: ['ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_idx;'],
    invalid: [
      { sql: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', messageId: 'buildsIndex', data: { constraint: 'UNIQUE', table: 'users' } },
      { sql: 'ALTER TABLE events ADD PRIMARY KEY (id);', messageId: 'buildsIndex', data: { constraint: 'PRIMARY KEY', table: 'events' } },
    ],
  },
  'concurrently-in-transaction': {
    context: { migration: MIGRATION },
    valid: ['CREATE INDEX i ON orders (a);', 'SELECT 1;'],
    invalid: [
      { sql: 'CREATE INDEX CONCURRENTLY i ON orders (a);', messageId: 'inMigrationTransaction', data: { command: 'CREATE INDEX ... CONCURRENTLY' }, anchor: 'CONCURRENTLY' },
      { sql: 'vacuum analyze orders;', messageId: 'inMigrationTransaction', data: { command: /^VACUUM/ } },
    ],
  },
  'constraint-missing-not-valid': {
    context: { schema },
    valid: ['ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id) NOT VALID;'],
    invalid: [
      { sql: 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);', messageId: 'foreignKey', data: { table: 'orders', referenced: 'accounts' } },
      { sql: "ALTER TABLE orders ADD CONSTRAINT orders_note_check CHECK (note <> '');", messageId: 'check', data: { table: 'orders' } },
    ],
  },
  'detach-partition-without-concurrently': {
    context: { migration: MIGRATION_NO_TRANSACTION },
    valid: ['ALTER TABLE events DETACH PARTITION events_2023 CONCURRENTLY;'],
    invalid: [{ sql: 'ALTER TABLE events DETACH PARTITION events_2023;', messageId: 'detach', data: { partition: 'events_2023', table: 'events' }, anchor: 'DETACH PARTITION events_2023' }],
  },
  'dropping-column': {
    valid: ['CREATE TABLE t (a int, b int);\nALTER TABLE t DROP COLUMN b;'],
    invalid: [{ sql: 'ALTER TABLE users DROP COLUMN IF EXISTS legacy_id;', messageId: 'dropColumn', data: { table: 'users', column: 'legacy_id' } }],
  },
  'dropping-table': {
    valid: ['CREATE TABLE tmp (id int);\nDROP TABLE tmp;'],
    invalid: [{ sql: 'DROP TABLE orders;', messageId: 'dropTable', data: { table: 'orders' }, anchor: 'orders' }],
  },
  'refresh-materialized-view-without-concurrently': {
    valid: ['REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue;', 'REFRESH MATERIALIZED VIEW daily_revenue WITH NO DATA;'],
    invalid: [{ sql: 'REFRESH MATERIALIZED VIEW daily_revenue;', messageId: 'refresh', data: { view: 'daily_revenue' }, anchor: 'daily_revenue' }],
  },
  'reindex-without-concurrently': {
    context: { migration: MIGRATION_NO_TRANSACTION },
    valid: ['REINDEX TABLE CONCURRENTLY orders;'],
    invalid: [{ sql: 'REINDEX TABLE orders;', messageId: 'reindexTable', data: { table: 'orders' } }],
  },
  'renaming-column-or-table': {
    valid: ['CREATE TABLE t (a int);\nALTER TABLE t RENAME a TO b;'],
    invalid: [
      { sql: 'ALTER TABLE users RENAME COLUMN email TO email_address;', messageId: 'renameColumn', data: { table: 'users', column: 'email', newName: 'email_address' } },
      { sql: 'ALTER TABLE public.invoices RENAME TO bills;', messageId: 'renameTable', data: { table: 'invoices', newName: 'bills' } },
    ],
  },
  'setting-not-null': {
    valid: ['ALTER TABLE users ALTER COLUMN email DROP NOT NULL;'],
    invalid: [{ sql: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', messageId: 'scansTable', data: { table: 'users', column: 'email' }, anchor: 'SET NOT NULL' }],
  },
  'vacuum-full-or-cluster': {
    valid: ['VACUUM events; VACUUM ANALYZE events; ANALYZE events;'],
    invalid: [
      { sql: 'VACUUM FULL events;', messageId: 'vacuumFull', data: { table: 'events' }, anchor: 'FULL' },
      { sql: 'VACUUM FULL;', messageId: 'vacuumFullDatabase' },
      { sql: 'CLUSTER orders USING orders_pkey;', messageId: 'cluster', data: { table: 'orders' }, anchor: 'orders' },
    ],
  },
};
