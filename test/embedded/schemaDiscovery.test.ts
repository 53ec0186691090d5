import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { discoverSchemaFiles, naturalCompare } from '../../server/src/engine/db/embedded/schemaDiscovery';
import { makeWorkspace } from './helpers';

const sql = 'SELECT 1;';

async function discovered(files: Record<string, string>, globs?: string[]): Promise<string[]> {
  const root = makeWorkspace(files);
  return (await discoverSchemaFiles(root, globs)).map((file) => path.relative(root, file).split(path.sep).join('/'));
}

test('plain migrations/ folder: sequence numbers in natural order, not string order', async () => {
  assert.deepEqual(await discovered({ 'migrations/10_add_index.sql': sql, 'migrations/2_users.sql': sql, 'migrations/1_init.sql': sql, 'migrations/README.md': '' }), [
    'migrations/1_init.sql',
    'migrations/2_users.sql',
    'migrations/10_add_index.sql',
  ]);
});

test('db/migrations with timestamps; *.down.sql never applied, *.up.sql applied', async () => {
  assert.deepEqual(
    await discovered({
      'db/migrations/20240102090000_add_orders.up.sql': sql,
      'db/migrations/20240102090000_add_orders.down.sql': sql,
      'db/migrations/20231231235959_init.up.sql': sql,
      'db/migrations/20231231235959_init.down.sql': sql,
    }),
    ['db/migrations/20231231235959_init.up.sql', 'db/migrations/20240102090000_add_orders.up.sql'],
  );
});

test('supabase/migrations', async () => {
  assert.deepEqual(await discovered({ 'supabase/migrations/20240301000000_b.sql': sql, 'supabase/migrations/20240101000000_a.sql': sql, 'supabase/config.toml': '' }), [
    'supabase/migrations/20240101000000_a.sql',
    'supabase/migrations/20240301000000_b.sql',
  ]);
});

test('prisma/migrations/<stamp>_<name>/migration.sql in folder order; migration_lock.toml ignored', async () => {
  assert.deepEqual(
    await discovered({
      'prisma/schema.prisma': '',
      'prisma/migrations/migration_lock.toml': '',
      'prisma/migrations/20240201000000_add_orders/migration.sql': sql,
      'prisma/migrations/20240101000000_init/migration.sql': sql,
    }),
    ['prisma/migrations/20240101000000_init/migration.sql', 'prisma/migrations/20240201000000_add_orders/migration.sql'],
  );
});

test("drizzle's SQL output (drizzle/0000_x.sql), its meta/ folder ignored", async () => {
  assert.deepEqual(
    await discovered({ 'drizzle/0001_tense_thor.sql': sql, 'drizzle/0000_cool_hulk.sql': sql, 'drizzle/meta/_journal.json': '{}', 'drizzle/meta/0000_snapshot.json': '{}' }),
    ['drizzle/0000_cool_hulk.sql', 'drizzle/0001_tense_thor.sql'],
  );
});

test('one folder per migration (golang-migrate / sqlx style up.sql + down.sql)', async () => {
  assert.deepEqual(
    await discovered({ 'migrations/002_orders/up.sql': sql, 'migrations/002_orders/down.sql': sql, 'migrations/001_init/up.sql': sql, 'migrations/001_init/down.sql': sql }),
    ['migrations/001_init/up.sql', 'migrations/002_orders/up.sql'],
  );
});

test('schema dumps: schema.sql, db/structure.sql; only when there are no migrations', async () => {
  assert.deepEqual(await discovered({ 'schema.sql': sql }), ['schema.sql']);
  assert.deepEqual(await discovered({ 'db/structure.sql': sql }), ['db/structure.sql']);
  assert.deepEqual(await discovered({ 'db/schema.sql': sql, 'migrations/1_init.sql': sql }), ['migrations/1_init.sql']);
  assert.deepEqual(await discovered({ 'README.md': '' }), []);
});

test('schema globs from pglens.json decide alone; node_modules and .git are never searched', async () => {
  assert.deepEqual(
    await discovered(
      {
        'sql/tables/2_orders.sql': sql,
        'sql/tables/10_items.sql': sql,
        'sql/tables/1_customers.sql': sql,
        'sql/views/1_report.sql': sql,
        'sql/tables/1_customers.down.sql': sql,
        'node_modules/pkg/sql/tables/1_x.sql': sql,
        '.git/sql/tables/1_y.sql': sql,
        'migrations/1_ignored_because_globs_given.sql': sql,
      },
      ['**/sql/tables/*.sql', 'sql/views/*.sql', '!sql/views/1_report.sql'],
    ),
    ['sql/tables/1_customers.sql', 'sql/tables/2_orders.sql', 'sql/tables/10_items.sql'],
  );
});

test('natural order compares digit runs as numbers', () => {
  const names = ['V10__x.sql', 'V2__x.sql', 'V1__x.sql', 'V9__x.sql'];
  assert.deepEqual([...names].sort(naturalCompare), ['V1__x.sql', 'V2__x.sql', 'V9__x.sql', 'V10__x.sql']);
});
