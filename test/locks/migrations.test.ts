import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectMigrationLayout, migrationContextFor, targetServerVersion } from '../../server/src/engine/locks/migrations';

test('common layouts are recognised as migrations', () => {
  const cases: [string, string | undefined][] = [
    ['/repo/prisma/migrations/20240101120000_add_plan/migration.sql', 'prisma'],
    ['/repo/packages/database/migration/20240101120000_add_plan/migration.sql', 'prisma'],
    ['/repo/supabase/migrations/20240101120000_plan.sql', 'supabase'],
    ['/repo/drizzle/0003_melted_thing.sql', 'drizzle'],
    ['/repo/src/main/resources/db/migration/V3__add_plan.sql', 'flyway'],
    ['/repo/db/migrations/000012_add_plan.up.sql', 'golang-migrate'],
    ['/repo/db/migrations/20240101_add_plan.sql', 'migrations folder'],
    ['/repo/migrations/20240101_add_plan.js', 'migrations folder'],
    ['/repo/src/db/migrations/1700000000000-AddPlan.ts', 'migrations folder'],
    ['/repo/src/queries/accounts.sql', undefined],
    ['/repo/src/repo.ts', undefined],
    ['/repo/node_modules/x/migrations/1.sql', undefined],
  ];
  for (const [file, framework] of cases) assert.equal(detectMigrationLayout(file), framework, file);
});

test('config globs, relative to the root, also mark migrations', () => {
  const config = { migrations: ['schema/changes/**/*.sql'], root: '/repo' };
  assert.equal(detectMigrationLayout('/repo/schema/changes/2024/01.sql', config), 'config');
  assert.equal(detectMigrationLayout('/repo/schema/other.sql', config), undefined);
});

test('migrations run in a transaction by default; the file or the config can say otherwise', () => {
  // Prisma sends the file as one query: one statement runs alone, several run in one implicit transaction block.
  const prisma = migrationContextFor('/r/prisma/migrations/1_x/migration.sql', 'CREATE INDEX i ON t (a);');
  assert.deepEqual([prisma.isMigration, prisma.inTransaction, prisma.transaction, prisma.framework], [true, false, 'no', 'prisma']);
  const prismaTwo = migrationContextFor('/r/prisma/migrations/1_x/migration.sql', 'CREATE INDEX i ON t (a);\nCREATE INDEX j ON t (b);');
  assert.deepEqual([prismaTwo.inTransaction, prismaTwo.transaction], [true, 'implicit-multi']);

  const marked = migrationContextFor('/r/migrations/2.sql', '-- pglens: no-transaction\nCREATE INDEX CONCURRENTLY i ON t (a);');
  assert.equal(marked.inTransaction, false);
  assert.equal(marked.transactionReason, '-- pglens: no-transaction');

  const dbmate = migrationContextFor('/r/db/migrations/3.sql', '-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);');
  assert.deepEqual([dbmate.inTransaction, dbmate.framework], [false, 'dbmate']);

  const knexOff = migrationContextFor('/r/migrations/4.js', "exports.config = { transaction: false };\nexports.up = (knex) => knex.raw('create index concurrently i on t (a)');");
  assert.deepEqual([knexOff.inTransaction, knexOff.framework], [false, 'knex']);
  const knexOn = migrationContextFor('/r/migrations/5.ts', "export async function up(knex: Knex) { await knex.raw('alter table t add column a int'); }");
  assert.deepEqual([knexOn.inTransaction, knexOn.framework], [true, 'knex']);

  const sequelize = migrationContextFor('/r/migrations/6.js', "module.exports = { up: async (queryInterface) => { await queryInterface.sequelize.query('create index concurrently i on t (a)'); } };");
  assert.deepEqual([sequelize.inTransaction, sequelize.framework], [false, 'sequelize']);

  const config = migrationContextFor('/r/migrations/7.sql', 'alter table t add column a int;', { transactional: false });
  assert.equal(config.inTransaction, false);
  // The file's own marker wins over the config.
  assert.equal(migrationContextFor('/r/migrations/8.sql', '-- pglens: no-transaction', { transactional: true }).inTransaction, false);
  // A plain folder: the runner is unknown, so it is not known to run in a transaction.
  const plain = migrationContextFor('/r/migrations/9.sql', 'alter table t add column a int;');
  assert.deepEqual([plain.inTransaction, plain.transaction], [false, 'unknown']);
});

test('files that are not migrations', () => {
  assert.deepEqual(migrationContextFor('/r/src/queries.sql', 'select 1;'), { isMigration: false, inTransaction: false });
});

test('target server version: the connected server, else the configured major version', () => {
  assert.equal(targetServerVersion({ serverVersionNum: 150018, postgresVersion: 12 }), 150018);
  assert.equal(targetServerVersion({ postgresVersion: 12 }), 120000);
  assert.equal(targetServerVersion({}), undefined);
});
