// Prisma's database is its schema's: `@prisma/client` serves PostgreSQL, MySQL, SQLite and SQL Server, and the
// `datasource` provider of the project's Prisma schema (or a migrations folder's migration_lock.toml) says which.
// And a client reached through a tsconfig `paths` alias (`@/lib/db`) is followed like a relative import.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, parseConfigText } from '../../server/src/engine/config';
import { databaseSettingsOf } from '../../server/src/engine/find/databaseOf';
import { withProject as withProjectIn } from '../harness/throwawayProject';
import { findSqlInFile, resolveFindOptions, type FindOptions } from '../../server/src/engine/find/index';
import { datasourceProviders } from '../../server/src/engine/find/prismaDatabase';

const FIXTURE = resolve(dirname(__filename), '..', 'fixtures', 'realworld', 'dialects-prisma-planetscale');

function optionsFor(root: string, configText?: string): FindOptions {
  const config = configText === undefined ? loadConfig(join(root, 'pglens.json'), root) : parseConfigText(configText, join(root, 'pglens.json'));
  return resolveFindOptions({ databases: databaseSettingsOf(config) });
}

function findIn(root: string, file: string, options = optionsFor(root, '{}')): { sql: string[]; skipped: string[] } {
  const full = join(root, file);
  const found = findSqlInFile(full, readFileSync(full, 'utf8'), options);
  return { sql: found.sites.map((site) => site.text.replace(/\s+/g, ' ').trim()), skipped: found.skipped.map((skip) => skip.reason) };
}

const withProject = (files: Record<string, string>, run: (root: string) => void) => withProjectIn(files, run, 'pglens-prisma-');

const schema = (provider: string) => `datasource db {\n  provider = "${provider}"\n  url      = env("DATABASE_URL")\n}\n\ngenerator client {\n  provider = "prisma-client-js"\n}\n`;
const CLIENT = "import { PrismaClient } from '@prisma/client';\nexport const prisma = new PrismaClient();\n";
const QUERY = "import { prisma } from '../lib/prisma';\nexport const byShop = (id: string) => prisma.$queryRaw`SELECT id FROM orders WHERE shop_id = ${id}`;\n";
const TX = "import { prisma } from '@/lib/prisma';\nexport const lock = (id: string) => prisma.$transaction((tx) => tx.$queryRaw`SELECT id FROM shops WHERE id = ${id} FOR UPDATE`);\n";

describe('a Prisma schema for MySQL: none of its SQL is PostgreSQL', () => {
  const options = optionsFor(FIXTURE);

  test('$queryRaw on a client from a path alias, Prisma.sql branches and $executeRawUnsafe', () => {
    assert.deepEqual(findIn(FIXTURE, 'app/orders/route.ts', options), {
      sql: [],
      skipped: [
        'MySQL SQL (tag `prisma.$queryRaw`: `prisma` from @/lib/prisma, which imports @prisma/client, whose schema prisma/schema.prisma says provider = "mysql"): not checked (3 sites)',
      ],
    });
  });

  test('tx.$queryRaw / tx.$executeRaw inside $transaction, where nothing visible decides `tx`', () => {
    assert.deepEqual(findIn(FIXTURE, 'app/orders/reserve.ts', options), {
      sql: [],
      skipped: ['MySQL SQL (`tx.$queryRaw` of Prisma, whose schema prisma/schema.prisma says provider = "mysql"): not checked (2 sites)'],
    });
  });

  test('a PlanetScale connection imported through `@/lib/edge` is followed into the module', () => {
    assert.deepEqual(findIn(FIXTURE, 'app/orders/edge.ts', options), {
      sql: [],
      skipped: ['MySQL SQL (`conn.execute`: `conn` from @/lib/edge, which imports @planetscale/database): not checked'],
    });
  });

  test('a migration with no MySQL marker of its own (migration_lock.toml) and a TypedSQL query (the schema beside it)', () => {
    assert.deepEqual(findIn(FIXTURE, 'prisma/migrations/20240301120000_order_email/migration.sql', options), {
      sql: [],
      skipped: ['MySQL SQL (lock file prisma/migrations/migration_lock.toml says provider = "mysql"): not checked'],
    });
    assert.deepEqual(findIn(FIXTURE, 'prisma/sql/ordersByEmail.sql', options), {
      sql: [],
      skipped: ['MySQL SQL (schema prisma/schema.prisma says provider = "mysql"): not checked'],
    });
  });
});

describe('which schema decides', () => {
  test('a PostgreSQL schema, lock file and TypedSQL folder leave everything checked', () => {
    withProject(
      {
        'prisma/schema.prisma': schema('postgresql'),
        'prisma/migrations/migration_lock.toml': 'provider = "postgresql"\n',
        'prisma/migrations/1_idx/migration.sql': 'CREATE INDEX orders_shop_idx ON orders (shop_id);\n',
        'prisma/sql/byShop.sql': '-- @param {String} $1:shopId\nSELECT id FROM orders WHERE shop_id = $1\n',
        'lib/prisma.ts': CLIENT,
        'app/orders.ts': QUERY,
      },
      (root) => {
        assert.deepEqual(findIn(root, 'app/orders.ts'), { sql: ['SELECT id FROM orders WHERE shop_id = $1'], skipped: [] });
        assert.deepEqual(findIn(root, 'prisma/migrations/1_idx/migration.sql'), { sql: ['CREATE INDEX orders_shop_idx ON orders (shop_id)'], skipped: [] });
        assert.deepEqual(findIn(root, 'prisma/sql/byShop.sql'), { sql: ['SELECT id FROM orders WHERE shop_id = $1'], skipped: [] });
      },
    );
  });

  test('a CockroachDB schema: its raw SQL and migrations are CockroachDB\'s, not judged by PostgreSQL\'s locks and plans', () => {
    withProject(
      {
        'prisma/schema.prisma': schema('cockroachdb'),
        'prisma/migrations/migration_lock.toml': 'provider = "cockroachdb"\n',
        'prisma/migrations/1_idx/migration.sql': 'CREATE INDEX orders_shop_idx ON orders (shop_id);\n',
        'lib/prisma.ts': CLIENT,
        'app/orders.ts': QUERY,
      },
      (root) => {
        assert.deepEqual(findIn(root, 'prisma/migrations/1_idx/migration.sql'), {
          sql: [],
          skipped: ['CockroachDB SQL (lock file prisma/migrations/migration_lock.toml says provider = "cockroachdb"): not checked'],
        });
        const code = findIn(root, 'app/orders.ts');
        assert.deepEqual(code.sql, []);
        assert.match(code.skipped[0], /^CockroachDB SQL \(.*provider = "cockroachdb"\): not checked$/);
      },
    );
  });

  test('in a monorepo the nearest schema upwards decides; a file below none takes the one provider all schemas agree on', () => {
    withProject(
      {
        'apps/shop/prisma/schema.prisma': schema('postgresql'),
        'apps/shop/lib/prisma.ts': CLIENT,
        'apps/shop/app/orders.ts': QUERY,
        'apps/legacy/schema/main.prisma': schema('sqlite'),
        'apps/legacy/lib/prisma.ts': CLIENT,
        'apps/legacy/app/orders.ts': QUERY,
      },
      (root) => {
        assert.deepEqual(findIn(root, 'apps/shop/app/orders.ts'), { sql: ['SELECT id FROM orders WHERE shop_id = $1'], skipped: [] });
        assert.deepEqual(findIn(root, 'apps/legacy/app/orders.ts'), {
          sql: [],
          skipped: [
            "SQLite SQL (tag `prisma.$queryRaw`: `prisma` from ../lib/prisma, which imports @prisma/client, whose schema apps/legacy/schema/main.prisma says provider = \"sqlite\"): not checked",
          ],
        });
      },
    );
    withProject(
      {
        'packages/db/prisma/schema.prisma': schema('sqlserver'),
        'services/api/lib/prisma.ts': CLIENT,
        'services/api/app/orders.ts': QUERY,
      },
      (root) => {
        assert.deepEqual(findIn(root, 'services/api/app/orders.ts').skipped, [
          'SQL Server (T-SQL) SQL (tag `prisma.$queryRaw`: `prisma` from ../lib/prisma, which imports @prisma/client, whose schema packages/db/prisma/schema.prisma says provider = "sqlserver"): not checked',
        ]);
      },
    );
  });

  test('schemas that disagree, a provider from env() and no schema at all decide nothing: PostgreSQL, as before', () => {
    const files = { 'services/api/lib/prisma.ts': CLIENT, 'services/api/app/orders.ts': QUERY };
    const kept = { sql: ['SELECT id FROM orders WHERE shop_id = $1'], skipped: [] };
    withProject({ ...files, 'packages/a/prisma/schema.prisma': schema('mysql'), 'packages/b/prisma/schema.prisma': schema('postgresql') }, (root) => {
      assert.deepEqual(findIn(root, 'services/api/app/orders.ts'), kept);
    });
    withProject({ ...files, 'prisma/schema.prisma': 'datasource db {\n  provider = env("DB_PROVIDER")\n}\n' }, (root) => {
      assert.deepEqual(findIn(root, 'services/api/app/orders.ts'), kept);
    });
    withProject(files, (root) => assert.deepEqual(findIn(root, 'services/api/app/orders.ts'), kept));
  });

  test("Prisma's raw methods are Prisma's whatever the file is named: a ClickHouse job deleting PostgreSQL rows", () => {
    const job = "import { Prisma, prisma } from '@acme/shared/db';\nexport const orphans = (id: string) => prisma.$queryRaw`SELECT id FROM media WHERE trace_id = ${id}`;\n";
    withProject({ 'prisma/schema.prisma': schema('postgresql'), 'worker/processClickhouseTraceDelete.ts': job }, (root) => {
      assert.deepEqual(findIn(root, 'worker/processClickhouseTraceDelete.ts'), { sql: ['SELECT id FROM media WHERE trace_id = $1'], skipped: [] });
    });
  });

  test('datasource providers are read from datasource blocks only, comments left out', () => {
    assert.deepEqual(datasourceProviders('// provider = "sqlite"\ngenerator client {\n  provider = "prisma-client-js"\n}\ndatasource db {\n  // provider = "postgresql"\n  provider = "mysql"\n}\n'), ['mysql']);
    assert.deepEqual(datasourceProviders('datasource db {\n  provider = env("X")\n}\n'), []);
  });
});

describe('tsconfig `paths` aliases are followed like relative imports', () => {
  const clickhouse = "import { createClient } from '@clickhouse/client';\nconst client = createClient();\nexport const sql = (parts: TemplateStringsArray, ...values: unknown[]) => client.query({ query: parts.join('?') });\n";
  const usage = (specifier: string) => `import { sql } from '${specifier}';\nexport const count = (id: string) => sql\`SELECT count() FROM events WHERE id = \${id}\`;\n`;

  test('`@/*` from baseUrl, a `paths` of an extended config, the longest prefix; an alias to nothing decides nothing', () => {
    withProject(
      {
        'tsconfig.base.json': '{ "compilerOptions": { "paths": { "@/*": ["./src/*"], "@/analytics/*": ["./src/clickhouse/*"] } } }',
        'tsconfig.json': '// comments and trailing commas are fine\n{ "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true, }, }',
        'src/clickhouse/events.ts': clickhouse,
        'src/lib/ch.ts': clickhouse,
        'src/a.ts': usage('@/lib/ch'),
        'src/b.ts': usage('@/analytics/events'),
        'src/c.ts': usage('@/lib/missing'),
      },
      (root) => {
        assert.deepEqual(findIn(root, 'src/a.ts').skipped, ['ClickHouse SQL (tag `sql` from @/lib/ch, which imports @clickhouse/client): not checked']);
        assert.deepEqual(findIn(root, 'src/b.ts').skipped, ['ClickHouse SQL (tag `sql` from @/analytics/events, which imports @clickhouse/client): not checked']);
        assert.deepEqual(findIn(root, 'src/c.ts'), { sql: ['SELECT count() FROM events WHERE id = $1'], skipped: [] });
      },
    );
  });

  test('an alias into node_modules is not followed: packages are decided by their names', () => {
    withProject(
      {
        'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "*": ["node_modules/*"] } } }',
        'node_modules/acme-ch/index.ts': clickhouse,
        'src/a.ts': usage('acme-ch'),
      },
      (root) => assert.deepEqual(findIn(root, 'src/a.ts'), { sql: ['SELECT count() FROM events WHERE id = $1'], skipped: [] }),
    );
  });

  test('an alias pointing outside the workspace is not read', () => {
    withProject({ 'app/tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@ch/*": ["../../*"] } } }', 'app/a.ts': usage('@ch/x') }, (root) => {
      assert.deepEqual(findIn(join(root, 'app'), 'a.ts'), { sql: ['SELECT count() FROM events WHERE id = $1'], skipped: [] });
    });
  });

  test('the PostgreSQL client behind an alias stays checked', () => {
    withProject(
      {
        'tsconfig.json': '{ "compilerOptions": { "baseUrl": ".", "paths": { "@/lib/*": ["lib/*"] } } }',
        'prisma/schema.prisma': schema('postgresql'),
        'lib/prisma.ts': CLIENT,
        'app/lock.ts': TX,
      },
      (root) => assert.deepEqual(findIn(root, 'app/lock.ts'), { sql: ['SELECT id FROM shops WHERE id = $1 FOR UPDATE'], skipped: [] }),
    );
  });
});
