import { after, describe, test } from 'node:test';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MigrationContext } from '../../server/src/engine/rules/rule';
import assert from 'node:assert/strict';
import { constraintMissingNotValid as rule } from '../../server/src/engine/rules/locking/constraint-missing-not-valid';
import { applyEdits, MIGRATION, runLockRule, schemaWith } from './lockRuleTestUtils';

test('ADD FOREIGN KEY: SHARE ROW EXCLUSIVE on both tables; fix adds NOT VALID and a later VALIDATE', async () => {
  const sql = 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);';
  const schema = schemaWith([
    { name: 'orders', rows: 300_000, bytes: 40 * 1024 * 1024 },
    { name: 'accounts', rows: 5_000, bytes: 1024 * 1024 },
  ]);
  const [finding] = await runLockRule(rule, sql, { migration: MIGRATION, schema });
  assert.equal(finding.anchor, 'CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)');
  assert.match(finding.message, /SHARE ROW EXCLUSIVE on both\. Blocks every write \(INSERT, UPDATE, DELETE\) and schema change of orders and accounts/);
  assert.match(finding.message, /\(orders: 300k rows, 40 MB; accounts: 5000 rows, 1 MB\)/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), sql.replace(' (id);', ' (id) NOT VALID;'));
  assert.equal(finding.fixes?.[0].sql, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;');
  assert.match(finding.fixes![0].title, /later migration/);
});

test('a .sql file that is not a migration: the VALIDATE statement is added after it; an unnamed constraint gets PostgreSQL\'s name, written out', async () => {
  const sql = 'alter table orders add foreign key (account_id) references accounts;\nselect 1;';
  const [finding] = await runLockRule(rule, sql);
  assert.equal(
    applyEdits(sql, finding.fixes?.[0].edits),
    'alter table orders add CONSTRAINT orders_account_id_fkey foreign key (account_id) references accounts NOT VALID;\nALTER TABLE orders VALIDATE CONSTRAINT orders_account_id_fkey;\nselect 1;',
  );
  assert.equal(finding.fixes?.[0].newFile, undefined);
});

test('the name a foreign key already has on the table is not taken again (PostgreSQL would add 1)', async () => {
  const schema = { ...schemaWith([{ name: 'orders', rows: 10, bytes: 8192 }]), foreignKeys: [{ name: 'orders_account_id_fkey', schema: 'public', table: 'orders', columns: ['account_id'], referencedSchema: 'public', referencedTable: 'accounts', referencedColumns: ['id'] }] };
  const [finding] = await runLockRule(rule, 'alter table orders add foreign key (account_id) references accounts;', { schema });
  assert.equal(finding.fixes?.[0].sql, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_account_id_fkey1;');
});

test('inside an open BEGIN of a plain .sql file: NOT VALID, and the VALIDATE to run after the commit', async () => {
  const sql = 'begin;\nalter table orders add constraint c check (total >= 0);\ncommit;';
  const [finding] = await runLockRule(rule, sql);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), sql.replace('>= 0)', '>= 0) NOT VALID'));
  assert.match(finding.fixes![0].title, /after this transaction commits/);
});

describe('in a migration, the VALIDATE CONSTRAINT is a new migration beside it, in its tool\'s layout', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-not-valid-'));
  after(() => fs.rmSync(root, { recursive: true, force: true }));
  const folder = (files: Record<string, string>) => {
    const dir = fs.mkdtempSync(path.join(root, 'w-'));
    for (const [file, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
    return dir;
  };
  const ADD = 'ALTER TABLE orders ADD CONSTRAINT orders_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id);';
  const migration = (framework: string): MigrationContext => ({ isMigration: true, inTransaction: true, transaction: 'yes', framework } as MigrationContext);

  test('plain numbered .sql: the next number, the statement alone', async () => {
    const dir = folder({ 'migrations/0001_init.sql': '', 'migrations/0002_fk.sql': ADD });
    const [finding] = await runLockRule(rule, ADD, { file: path.join(dir, 'migrations/0002_fk.sql'), migration: migration('migrations folder') });
    const fix = finding.fixes![0];
    assert.equal(applyEdits(ADD, fix.edits), ADD.replace(' (id);', ' (id) NOT VALID;'));
    assert.equal(path.relative(dir, fix.newFile!.path), path.join('migrations', '0003_validate_orders_account_fk.sql'));
    assert.match(fix.newFile!.content, /\nALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;\n$/);
    assert.match(fix.title, /VALIDATE CONSTRAINT in a new migration/);
  });

  test('Prisma: a migration folder of its own; dbmate: up and down sections; golang-migrate: .up.sql', async () => {
    const prisma = folder({ 'prisma/migrations/20250101000000_fk/migration.sql': ADD });
    const [p] = await runLockRule(rule, ADD, { file: path.join(prisma, 'prisma/migrations/20250101000000_fk/migration.sql'), migration: migration('prisma') });
    assert.match(path.relative(prisma, p.fixes![0].newFile!.path), /^prisma\/migrations\/\d{14}_validate_orders_account_fk\/migration\.sql$/);
    const dbmate = folder({ 'db/migrations/20250101000000_fk.sql': `-- migrate:up\n${ADD}\n-- migrate:down\n` });
    const [d] = await runLockRule(rule, ADD, { file: path.join(dbmate, 'db/migrations/20250101000000_fk.sql'), migration: migration('dbmate') });
    assert.match(d.fixes![0].newFile!.content, /^-- migrate:up\n(-- [^\n]*\n)*ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;\n\n-- migrate:down\n$/);
    const golang = folder({ 'migrations/000001_fk.up.sql': ADD, 'migrations/000001_fk.down.sql': '' });
    const [g] = await runLockRule(rule, ADD, { file: path.join(golang, 'migrations/000001_fk.up.sql'), migration: migration('golang-migrate') });
    assert.equal(path.basename(g.fixes![0].newFile!.path), '000002_validate_orders_account_fk.up.sql');
  });

  test('knex and node-pg-migrate: a script in the migration\'s language; drizzle: the SQL and why no file', async () => {
    const knex = folder({ 'migrations/20250101000000_fk.ts': '' });
    const [k] = await runLockRule(rule, ADD, { file: path.join(knex, 'migrations/20250101000000_fk.ts'), migration: migration('knex') });
    assert.match(k.fixes![0].newFile!.path, /_validate_orders_account_fk\.ts$/);
    assert.match(k.fixes![0].newFile!.content, /exports\.up = \(knex\) => knex\.raw\("ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;"\);/);
    assert.doesNotMatch(k.fixes![0].newFile!.content, /transaction: false/);
    const pgm = folder({ 'migrations/1700000000000_fk.js': '' });
    const [n] = await runLockRule(rule, ADD, { file: path.join(pgm, 'migrations/1700000000000_fk.js'), migration: migration('node-pg-migrate') });
    assert.match(path.basename(n.fixes![0].newFile!.path), /^\d{13}_validate_orders_account_fk\.js$/);
    assert.match(n.fixes![0].newFile!.content, /pgm\.sql\("ALTER TABLE orders VALIDATE CONSTRAINT orders_account_fk;"\)/);
    const drizzle = folder({ 'drizzle/0001_fk.sql': ADD });
    const [z] = await runLockRule(rule, ADD, { file: path.join(drizzle, 'drizzle/0001_fk.sql'), migration: migration('drizzle') });
    assert.equal(z.fixes![0].newFile, undefined);
    assert.match(z.fixes![0].title, /later migration: drizzle-kit runs only the migrations its journal lists/);
  });
});

test('ADD CHECK: ACCESS EXCLUSIVE while every row is checked', async () => {
  const [finding] = await runLockRule(rule, 'alter table orders add check (total >= 0)');
  assert.equal(finding.anchor, 'check (total >= 0)');
  assert.match(finding.message, /ADD CHECK checks every row of orders under ACCESS EXCLUSIVE\. Blocks every read and write of orders/);
  assert.equal(finding.fixes?.[0].sql, 'ALTER TABLE orders VALIDATE CONSTRAINT orders_total_check;');
});

test('NOT VALID, VALIDATE and new tables are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'alter table orders add constraint c check (total >= 0) not valid; alter table orders validate constraint c;'), []);
  assert.deepEqual(await runLockRule(rule, 'create table t (a int);\nalter table t add foreign key (a) references accounts (id);'), []);
});
