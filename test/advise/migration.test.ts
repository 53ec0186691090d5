// The "Add index" migration follows the project's layout and naming.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { detectMigrationTarget, MigrationRefused, writeIndexMigration } from '../../server/src/engine/advise/migration';
import { loadParser } from '../../server/src/engine/parse/parse';

// Every statement of a migration is parsed again before it is written.
before(() => loadParser());

const NOW = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
const INDEX = { indexes: [{ name: 'invoices_account_id_idx', definition: 'ON invoices (account_id)' }], comment: ['Suggested by pglens for src/billing.ts:12.', 'Estimated cost of the statement: 4,970 -> 83 (-98%), verified with hypopg.'], now: NOW };

function workspace(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-migrations-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

describe('migration layouts', () => {
  test('Prisma: prisma/migrations/<timestamp>_<name>/migration.sql', () => {
    const root = workspace({ 'prisma/schema.prisma': '', 'prisma/migrations/20250101000000_init/migration.sql': '' });
    const file = writeIndexMigration(detectMigrationTarget(root), INDEX);
    assert.equal(path.relative(root, file.path), 'prisma/migrations/20260102030405_add_invoices_account_id_idx/migration.sql');
    assert.match(file.content, /^-- Suggested by pglens for src\/billing.ts:12\.\n-- Estimated cost of the statement: 4,970 -> 83 \(-98%\), verified with hypopg\.\n/);
    assert.match(file.content, /\nCREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_account_id_idx ON invoices \(account_id\);\n$/);
  });

  test('Supabase: supabase/migrations/<timestamp>_<name>.sql', () => {
    const root = workspace({ 'supabase/config.toml': '' });
    assert.equal(path.relative(root, writeIndexMigration(detectMigrationTarget(root), INDEX).path), 'supabase/migrations/20260102030405_add_invoices_account_id_idx.sql');
  });

  test('drizzle: its migrator runs migrations in a transaction, so no CONCURRENTLY migration is written there, with the reason', () => {
    const root = workspace({ 'drizzle.config.ts': "export default { out: './db/drizzle', schema: './src/schema.ts' };", 'db/drizzle/0000_init.sql': '', 'db/drizzle/0001_users.sql': '' });
    const target = detectMigrationTarget(root);
    assert.equal(path.relative(root, target.dir), 'db/drizzle');
    assert.throws(() => writeIndexMigration(target, INDEX), (error: Error) => error instanceof MigrationRefused && /drizzle's migrator runs migrations inside a transaction/.test(error.message));
  });

  test('knex: a JS migration outside a transaction (CONCURRENTLY needs it)', () => {
    const root = workspace({ 'knexfile.js': "module.exports = { migrations: { directory: './db/migrations' } };", 'db/migrations/20240101120000_init.js': '' });
    const file = writeIndexMigration(detectMigrationTarget(root), INDEX);
    assert.equal(path.relative(root, file.path), 'db/migrations/20260102030405_add_invoices_account_id_idx.js');
    assert.match(file.content, /exports\.config = \{ transaction: false \};/);
    assert.match(file.content, /knex\.raw\("CREATE INDEX CONCURRENTLY IF NOT EXISTS invoices_account_id_idx ON invoices \(account_id\);"\)/);
    assert.match(file.content, /DROP INDEX CONCURRENTLY IF EXISTS invoices_account_id_idx;/);
  });

  test('plain SQL with sequence prefixes keeps their width; Flyway gets V<n>__; golang-migrate gets .up.sql', () => {
    const sequence = workspace({ 'migrations/001_init.sql': '', 'migrations/002_users.sql': '' });
    assert.equal(path.relative(sequence, writeIndexMigration(detectMigrationTarget(sequence), INDEX).path), 'migrations/003_add_invoices_account_id_idx.sql');
    const flyway = workspace({ 'db/migrations/V1__init.sql': '', 'db/migrations/V2__users.sql': '' });
    assert.equal(path.relative(flyway, writeIndexMigration(detectMigrationTarget(flyway), INDEX).path), 'db/migrations/V3__add_invoices_account_id_idx.sql');
    const golang = workspace({ 'migrations/000001_init.up.sql': '', 'migrations/000001_init.down.sql': '' });
    assert.equal(path.relative(golang, writeIndexMigration(detectMigrationTarget(golang), INDEX).path), 'migrations/000002_add_invoices_account_id_idx.up.sql');
  });

  test('no migrations anywhere: migrations/<timestamp>_<name>.sql; advisor.migrationsDir wins', () => {
    const empty = workspace({ 'src/index.ts': '' });
    assert.equal(path.relative(empty, writeIndexMigration(detectMigrationTarget(empty), INDEX).path), 'migrations/20260102030405_add_invoices_account_id_idx.sql');
    const configured = workspace({ 'supabase/config.toml': '', 'sql/changes/0007_x.sql': '' });
    assert.equal(path.relative(configured, writeIndexMigration(detectMigrationTarget(configured, 'sql/changes'), INDEX).path), 'sql/changes/0008_add_invoices_account_id_idx.sql');
  });

  test('an index that needs an extension says so first', () => {
    const root = workspace({});
    const file = writeIndexMigration(detectMigrationTarget(root), { ...INDEX, preamble: ['CREATE EXTENSION IF NOT EXISTS pg_trgm;'] });
    assert.match(file.content, /CREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE INDEX CONCURRENTLY/);
  });
});
