import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { discoverSchemaFiles, naturalCompare } from '../../server/src/engine/db/embedded/schemaDiscovery';
import { readSchemaFiles } from '../../server/src/engine/db/embedded/loadSchema';
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

// Go services: sqlc names its schema in sqlc.yaml; golang-migrate's folder is often db/migration (singular) or
// sql/schema, which no fixed list holds. Without these the embedded database was built from nothing (exit 2).
test("sqlc.yaml's schema (a folder: its .sql files in order, down files left out) for the PostgreSQL entries only", async () => {
  const sqlcYaml = [
    'version: "2"',
    'sql:',
    '  - schema: "db/migration"',
    '    queries: "db/query"',
    '    engine: "postgresql"',
    '    gen:',
    '      go:',
    '        overrides:',
    '          - db_type: "uuid"',
    '            go_type: "github.com/google/uuid.UUID"',
    '  - engine: mysql',
    '    schema:',
    '      - legacy/schema.sql',
    '    queries: legacy/query',
  ].join('\n');
  assert.deepEqual(
    await discovered({
      'sqlc.yaml': sqlcYaml,
      'db/migration/000002_add_users.up.sql': sql,
      'db/migration/000002_add_users.down.sql': sql,
      'db/migration/000001_init_schema.up.sql': sql,
      'db/query/account.sql': sql,
      'legacy/schema.sql': sql,
    }),
    ['db/migration/000001_init_schema.up.sql', 'db/migration/000002_add_users.up.sql'],
  );
  assert.deepEqual(
    await discovered({ 'sqlc.json': JSON.stringify({ version: '1', packages: [{ name: 'db', schema: 'sql/schema.sql', queries: 'sql/queries', engine: 'postgresql' }] }), 'sql/schema.sql': sql }),
    ['sql/schema.sql'],
  );
});

test('without a known folder: folders whose files a migration tool names, not under tests or examples', async () => {
  assert.deepEqual(
    await discovered({
      'db/migration/000001_init.up.sql': sql,
      'db/migration/000001_init.down.sql': sql,
      'db/migration/000002_users.up.sql': sql,
      'internal/testdata/migrations_fixture/000001_x.up.sql': sql,
      'examples/V1__example.sql': sql,
      'README.md': '',
    }),
    ['db/migration/000001_init.up.sql', 'db/migration/000002_users.up.sql'],
  );
  assert.deepEqual(await discovered({ 'src/main/resources/db/migration/V2__orders.sql': sql, 'src/main/resources/db/migration/V1__init.sql': sql }), [
    'src/main/resources/db/migration/V1__init.sql',
    'src/main/resources/db/migration/V2__orders.sql',
  ]);
  assert.deepEqual(await discovered({ 'sql/schema/002_posts.sql': '-- +goose Up\nSELECT 1;\n', 'sql/schema/001_users.sql': '-- +goose Up\nSELECT 1;\n' }), [
    'sql/schema/001_users.sql',
    'sql/schema/002_posts.sql',
  ]);
  assert.deepEqual(await discovered({ 'scripts/001_cleanup.sql': sql }), []);
});

// dbmate and goose keep the rollback in the same file: applied as schema, `-- migrate:down`'s DROP TABLE undid the
// table just created and the embedded database came out empty.
test('schema files are read without their dbmate/goose down sections (same lines, so problems keep their place)', async () => {
  const dbmate = '-- migrate:up\nCREATE TABLE users (id bigint);\n\n-- migrate:down\nDROP TABLE users;\n';
  const goose = '-- +goose Up\nCREATE TABLE posts (id bigint);\n-- +goose StatementBegin\nSELECT 1;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP TABLE posts;\n';
  const root = makeWorkspace({ 'db/migrations/20240101000000_users.sql': dbmate, 'db/migrations/20240102000000_posts.sql': goose });
  const files = await readSchemaFiles(await discoverSchemaFiles(root));
  assert.equal(files.length, 2);
  for (const [file, original] of [[files[0], dbmate], [files[1], goose]] as const) {
    assert.doesNotMatch(file.text, /DROP TABLE/);
    assert.match(file.text, /CREATE TABLE/);
    assert.equal(file.text.length, original.length);
    assert.equal(file.text.split('\n').length, original.split('\n').length);
  }
});

test("a monorepo's Prisma migrations in a package (beside migration_lock.toml): PostgreSQL folders in path order, others left out", async () => {
  const lock = (provider: string) => `# Please do not edit this file manually\nprovider = "${provider}"\n`;
  assert.deepEqual(
    await discovered({
      'apps/web/src/page.ts': 'export {};',
      'packages/db/prisma/migrations/migration_lock.toml': lock('postgresql'),
      'packages/db/prisma/migrations/20240301000000_orders/migration.sql': sql,
      'packages/db/prisma/migrations/20231120000000_init/migration.sql': sql,
      // A second database of the same monorepo, also PostgreSQL: applied after the first.
      'packages/jobs-db/migrations/migration_lock.toml': lock('postgresql'),
      'packages/jobs-db/migrations/20250101000000_init/migration.sql': sql,
      // Another provider's, a test fixture's and a dependency's migrations are not this schema.
      'packages/analytics/prisma/migrations/migration_lock.toml': lock('mysql'),
      'packages/analytics/prisma/migrations/20240101000000_init/migration.sql': sql,
      'packages/db/test/fixtures/prisma/migrations/migration_lock.toml': lock('postgresql'),
      'packages/db/test/fixtures/prisma/migrations/20200101000000_x/migration.sql': sql,
      'node_modules/some-lib/prisma/migrations/migration_lock.toml': lock('postgresql'),
      'node_modules/some-lib/prisma/migrations/20200101000000_x/migration.sql': sql,
    }),
    [
      'packages/db/prisma/migrations/20231120000000_init/migration.sql',
      'packages/db/prisma/migrations/20240301000000_orders/migration.sql',
      'packages/jobs-db/migrations/20250101000000_init/migration.sql',
    ],
  );
  // A Prisma folder at the root is the schema; packages are not searched then.
  assert.deepEqual(
    await discovered({
      'prisma/migrations/migration_lock.toml': lock('postgresql'),
      'prisma/migrations/20240101000000_init/migration.sql': sql,
      'packages/db/prisma/migrations/migration_lock.toml': lock('postgresql'),
      'packages/db/prisma/migrations/20240301000000_other/migration.sql': sql,
    }),
    ['prisma/migrations/20240101000000_init/migration.sql'],
  );
});

// Sairyss/domain-driven-hexagon keeps its rollbacks in database/migrations/down/: applied as schema they dropped what
// the up migrations made (5 false "relation does not exist"). Flyway's undo migrations (U2__x.sql) are rollbacks too.
test('rollback folders (down/, rollback/, undo/) and Flyway undo files are never applied', async () => {
  assert.deepEqual(
    await discovered({
      'database/migrations/1700000000_users.sql': sql,
      'database/migrations/down/1700000000_users.sql': 'DROP TABLE users;',
      'database/migrations/rollback/1700000000_users.sql': 'DROP TABLE users;',
    }),
    ['database/migrations/1700000000_users.sql'],
  );
  assert.deepEqual(await discovered({ 'db/migration/V1__init.sql': sql, 'db/migration/U1__init.sql': 'DROP TABLE users;', 'db/migration/V2__orders.sql': sql }), [
    'db/migration/V1__init.sql',
    'db/migration/V2__orders.sql',
  ]);
  assert.deepEqual(await discovered({ 'schema/users.sql': sql, 'schema/down/users.sql': sql }, ['schema/**/*.sql']), ['schema/users.sql']);
});

// spring-petclinic keeps schema.sql per database under src/main/resources/db/{h2,mysql,postgres}: without migrations
// or a root schema.sql, the PostgreSQL one is the schema (the others are H2's and MySQL's, never read as PostgreSQL).
test("a schema.sql kept per database: the one in the folder named for PostgreSQL", async () => {
  assert.deepEqual(
    await discovered({
      'src/main/resources/db/h2/schema.sql': sql,
      'src/main/resources/db/mysql/schema.sql': sql,
      'src/main/resources/db/postgres/schema.sql': sql,
      'src/main/resources/db/postgres/data.sql': sql,
    }),
    ['src/main/resources/db/postgres/schema.sql'],
  );
});

// ory/kratos keeps one script per database for each migration: only PostgreSQL's (and the shared ones) are its schema.
test('migrations kept per database in the file name: the PostgreSQL and shared ones only', async () => {
  assert.deepEqual(
    await discovered({
      'migrations/20210410175418_network.cockroach.up.sql': sql,
      'migrations/20210410175418_network.mysql.up.sql': sql,
      'migrations/20210410175418_network.postgres.up.sql': sql,
      'migrations/20210410175418_network.sqlite3.up.sql': sql,
      'migrations/20210410175419_indexes.up.sql': sql,
    }),
    ['migrations/20210410175418_network.postgres.up.sql', 'migrations/20210410175419_indexes.up.sql'],
  );
});
