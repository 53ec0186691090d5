// Which database a site's SQL is for: decided by where its tag or client comes from (packages, project modules,
// pglens.json `databases`), and for .sql files by another dialect's markers. SQL of another database is never handed
// to the checks: it becomes one skip per file and database, with the reason.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ConfigError, loadConfig, parseConfigText } from '../../server/src/engine/config';
import { databaseSettingsOf } from '../../server/src/engine/find/databaseOf';
import { withProject as withProjectIn } from '../harness/throwawayProject';
import { findSqlInFile, resolveFindOptions, type FindOptions } from '../../server/src/engine/find/index';
import { foreignDialectOf } from '../../server/src/engine/find/sqlDialect';

const REPO_ROOT = resolve(dirname(__filename), '..', '..');
const REALWORLD = join(REPO_ROOT, 'test', 'fixtures', 'realworld');

/** Find options for a folder with its pglens.json (or none). */
function optionsFor(root: string, configText?: string): FindOptions {
  const config = configText === undefined ? loadConfig(join(root, 'pglens.json'), root) : parseConfigText(configText, join(root, 'pglens.json'));
  return resolveFindOptions({ databases: databaseSettingsOf(config) });
}

/** The SQL kept and the skip reasons of a file of a fixture folder. */
function readFixture(folder: string, file: string, options = optionsFor(join(REALWORLD, folder))): { sql: string[]; skipped: string[] } {
  const full = join(REALWORLD, folder, file);
  const found = findSqlInFile(full, readFileSync(full, 'utf8'), options);
  return { sql: found.sites.map((site) => site.text.replace(/\s+/g, ' ').trim()), skipped: found.skipped.map((skip) => skip.reason) };
}

const withProject = (files: Record<string, string>, run: (root: string) => void) => withProjectIn(files, run, 'pglens-databaseOf-');

function findIn(root: string, file: string, options = optionsFor(root, '{}')): { sql: string[]; skipped: string[] } {
  const full = join(root, file);
  const found = findSqlInFile(full, readFileSync(full, 'utf8'), options);
  return { sql: found.sites.map((site) => site.text), skipped: found.skipped.map((skip) => skip.reason) };
}

describe('fixtures: only PostgreSQL SQL is kept', () => {
  test('slonik beside a ClickHouse wrapper with a tag also called `sql`', () => {
    assert.deepEqual(readFixture('dialects-slonik-clickhouse', 'src/analytics/events.ts'), {
      sql: [],
      skipped: ['ClickHouse SQL (tag `sql` from ../clickhouse, which imports @clickhouse/client): not checked (2 sites)'],
    });
    assert.deepEqual(readFixture('dialects-slonik-clickhouse', 'src/orders.ts'), {
      sql: ['SELECT id, status FROM orders WHERE customer_email = $1'],
      skipped: [],
    });
    // One file with both: the namespace import's `ch.sql` is ClickHouse's, slonik's `sql.unsafe` is checked.
    assert.deepEqual(readFixture('dialects-slonik-clickhouse', 'src/mixed.ts'), {
      sql: ['SELECT id FROM orders WHERE customer_email = $1'],
      skipped: ['ClickHouse SQL (tag `ch.sql`: `ch` from ./clickhouse, which imports @clickhouse/client): not checked'],
    });
  });

  test('a mysql2 pool beside a pg pool in one module: each export by its own initializer', () => {
    assert.deepEqual(readFixture('dialects-mysql-beside-pg', 'src/customers.ts'), {
      sql: ['SELECT id FROM orders WHERE customer_email = $1'],
      skipped: ['MySQL SQL (`legacy.query`: `legacy` from ./pools, which imports mysql2/promise): not checked (2 sites)'],
    });
  });

  test('knex configured for mysql2 is MySQL; knex configured for pg through a config object is checked', () => {
    assert.deepEqual(readFixture('dialects-knex-mysql', 'src/orders.ts'), {
      sql: [],
      skipped: ["MySQL SQL (`db.raw`: `db` from ./db, which imports knex (client 'mysql2')): not checked"],
    });
    assert.deepEqual(readFixture('dialects-knex-mysql', 'src/reporting.ts'), { sql: ['SELECT id FROM orders WHERE customer_email = $1'], skipped: [] });
  });

  test('Prisma with a ClickHouse migrations folder: markers find two files (the ENGINE first), their folder the third, pglens.json `paths` all', () => {
    const withoutConfig = optionsFor(join(REALWORLD, 'dialects-prisma-clickhouse'), '{}');
    assert.deepEqual(readFixture('dialects-prisma-clickhouse', 'clickhouse/migrations/0001_traces.up.sql', withoutConfig), {
      sql: [],
      skipped: ['ClickHouse SQL (ENGINE = ReplicatedReplacingMergeTree at line 9): not checked'],
    });
    assert.deepEqual(readFixture('dialects-prisma-clickhouse', 'clickhouse/migrations/0002_scores.up.sql', withoutConfig).skipped, [
      'ClickHouse SQL (ENGINE = MergeTree at line 8): not checked',
    ]);
    // No marker: ClickHouse's by the other two scripts of its folder...
    assert.deepEqual(readFixture('dialects-prisma-clickhouse', 'clickhouse/migrations/0003_scores_source.up.sql', withoutConfig).skipped, [
      "ClickHouse SQL (2 of the 2 other .sql files in this folder are ClickHouse's, e.g. 0001_traces.up.sql with ENGINE = ReplicatedReplacingMergeTree at line 9): not checked",
    ]);
    // ...and by the config's path with it.
    for (const file of ['0001_traces.up.sql', '0002_scores.up.sql', '0003_scores_source.up.sql']) {
      assert.deepEqual(readFixture('dialects-prisma-clickhouse', `clickhouse/migrations/${file}`), {
        sql: [],
        skipped: ['ClickHouse SQL (path matches pglens.json databases.clickhouse.paths "clickhouse/**"): not checked'],
      });
    }
    assert.equal(readFixture('dialects-prisma-clickhouse', 'prisma/migrations/20240105093000_init/migration.sql').sql.length, 1);
    assert.deepEqual(readFixture('dialects-prisma-clickhouse', 'src/orders.ts'), { sql: ['SELECT id, status FROM orders WHERE customer_email = $1'], skipped: [] });
  });
});

describe('a migration folder decides the scripts that carry no marker', () => {
  const folder = 'dialects-clickhouse-folders';
  const options = optionsFor(join(REALWORLD, folder), '{}');
  const clickhouse = (because: string) => [`ClickHouse SQL (${because}): not checked`];

  test("plain DROP TABLE, DROP VIEW and ALTER TABLE ... DELETE among ClickHouse migrations are ClickHouse's", () => {
    const because = "5 of the 8 other .sql files in this folder are ClickHouse's, e.g. 0001_traces.up.sql with ENGINE = ReplacingMergeTree at line 9";
    for (const file of ['0001_traces.down.sql', '0002_scores.down.sql', '0003_drop_scores_daily.up.sql', '0004_delete_negative_scores.up.sql']) {
      assert.deepEqual(readFixture(folder, `clickhouse/migrations/unclustered/${file}`, options), { sql: [], skipped: clickhouse(because) }, file);
    }
    // A file with a marker of its own is decided by it, as before.
    assert.deepEqual(readFixture(folder, 'clickhouse/migrations/unclustered/0007_materialize_environment_index.up.sql', options).skipped, [
      'ClickHouse SQL (MATERIALIZE INDEX at line 1): not checked',
    ]);
  });

  test('a folder per migration: the sibling folders decide', () => {
    assert.deepEqual(readFixture(folder, 'clickhouse/schema/20240303000000_drop_legacy/migration.sql', options), {
      sql: [],
      skipped: clickhouse("2 of the 2 other .sql files in the sibling folders are ClickHouse's, e.g. 20240301000000_events/migration.sql with ENGINE = MergeTree at line 8"),
    });
  });

  test("PostgreSQL migrations stay PostgreSQL's: Prisma's folders, and a folder with one stray ClickHouse script", () => {
    assert.deepEqual(readFixture(folder, 'prisma/migrations/20240102000000_drop_sessions/migration.sql', options), { sql: ['DROP TABLE "Session"'], skipped: [] });
    assert.equal(readFixture(folder, 'prisma/migrations/20240101000000_init/migration.sql', options).sql.length, 1);
    for (const file of ['001_orders.sql', '003_orders_note.sql', '004_drop_old_orders.sql']) {
      assert.deepEqual(readFixture(folder, `db/migrations/${file}`, options).skipped, [], file);
    }
    assert.deepEqual(readFixture(folder, 'db/migrations/002_audit_clickhouse.sql', options).skipped, ['ClickHouse SQL (ENGINE = MergeTree at line 1): not checked']);
  });

  test('pglens.json decides before the folder: a path named PostgreSQL is read as PostgreSQL', () => {
    const configured = optionsFor(join(REALWORLD, folder), '{ "databases": { "postgresql": { "paths": ["clickhouse/migrations/unclustered/0003_*"] } } }');
    assert.deepEqual(readFixture(folder, 'clickhouse/migrations/unclustered/0003_drop_scores_daily.up.sql', configured), { sql: ['DROP VIEW IF EXISTS scores_daily'], skipped: [] });
  });

  test('two databases among the other scripts decide nothing', () => {
    withProject(
      {
        'm/001.sql': 'CREATE TABLE a (id UInt64) ENGINE = MergeTree ORDER BY id;',
        'm/002.sql': 'CREATE TABLE b (id int AUTO_INCREMENT PRIMARY KEY);',
        'm/003.sql': 'CREATE TABLE c (id UInt32) ENGINE = MergeTree ORDER BY id;',
        'm/004.sql': 'DROP TABLE d;',
      },
      (root) => assert.deepEqual(findIn(root, 'm/004.sql'), { sql: ['DROP TABLE d'], skipped: [] }),
    );
  });
});

describe('packages and bindings', () => {
  test("each package's SQL goes to its database, by import, require and subpath", () => {
    const cases: [string, string | undefined][] = [
      ["import { createPool } from 'slonik';\nconst db = createPool('');\ndb.query('SELECT 1');", undefined],
      ["import { Pool } from 'pg';\nconst db = new Pool();\ndb.query('SELECT 1');", undefined],
      ["import postgres from 'postgres';\nconst sql = postgres();\nsql`SELECT 1`;", undefined],
      ["import mysql from 'mysql2/promise';\nconst db = mysql.createPool({});\ndb.query('SELECT 1');", 'MySQL'],
      ["const mysql = require('mysql');\nconst db = mysql.createConnection({});\ndb.query('SELECT 1');", 'MySQL'],
      ["const { Database } = require('bun:sqlite');\nconst db = new Database('x.db');\ndb.query('SELECT 1');", 'SQLite'],
      ["import Database from 'better-sqlite3';\nconst db = new Database('x.db');\ndb.raw('SELECT 1');", 'SQLite'],
      ["import { BigQuery } from '@google-cloud/bigquery';\nconst bq = new BigQuery();\nbq.query('SELECT 1');", 'BigQuery'],
      ["import sql from 'mssql';\nconst pool = new sql.ConnectionPool('');\npool.request().query('SELECT 1');", 'SQL Server (T-SQL)'],
      ["import { DBSQLClient } from '@databricks/sql';\nconst c = new DBSQLClient();\nc.execute('SELECT 1');", 'Databricks'],
      ["import { drizzle } from 'drizzle-orm/mysql2';\nimport { sql } from 'drizzle-orm';\nconst db = drizzle({});\ndb.execute(sql`SELECT 1`);", 'MySQL'],
      ["import { drizzle } from 'drizzle-orm/node-postgres';\nimport { sql } from 'drizzle-orm';\nconst db = drizzle({});\ndb.execute(sql`SELECT 1`);", undefined],
      ["import { Kysely, MysqlDialect } from 'kysely';\nconst db = new Kysely({ dialect: new MysqlDialect({}) });\ndb.executeQuery('x');\ndb.query('SELECT 1');", 'MySQL'],
      ["import { Kysely, PostgresDialect } from 'kysely';\nconst db = new Kysely({ dialect: new PostgresDialect({}) });\ndb.query('SELECT 1');", undefined],
      // An ORM's adapter pglens does not know by name: its name says the database (a CMS's SQLite and Postgres adapters
      // each re-export drizzle's `sql`); a name naming two databases decides nothing.
      ["import { sql } from '@cms-kit/db-d1-sqlite';\nexport const up = ({ db }) => db.run(sql`CREATE TABLE \\`posts\\` (\\`id\\` integer)`);", 'SQLite'],
      ["import { sql } from '@cms-kit/db-postgres';\nexport const up = ({ db }) => db.execute(sql`CREATE TABLE posts (id integer)`);", undefined],
      ["import { query } from 'orm-mysql-to-pg';\nquery('SELECT 1');", undefined],
      // Undecided stays PostgreSQL: a global, an unknown package.
      ["db.query('SELECT 1');", undefined],
      ["import { thing } from 'some-orm';\nthing.query('SELECT 1');", undefined],
    ];
    for (const [source, database] of cases) {
      const found = findSqlInFile('app.ts', source, resolveFindOptions());
      if (database === undefined) assert.deepEqual([found.sites.length, found.skipped], [1, []], source);
      else {
        assert.equal(found.sites.length, 0, source);
        assert.match(found.skipped[0]?.reason ?? '', new RegExp(`^${database.replace(/[()]/g, '\\$&')} SQL \\(.+\\): not checked$`), source);
      }
    }
  });

  test('parameters and class members are decided by their type annotations and initializers', () => {
    const source = [
      "import type { DatabasePool } from 'slonik';",
      "import type { Connection } from 'mysql2/promise';",
      "import { createClient, type ClickHouseClient } from '@clickhouse/client';",
      "export async function a(db: DatabasePool) { return db.query('SELECT 1 AS a'); }",
      "export async function b(conn: Connection) { return conn.query('SELECT 2 AS b'); }",
      'export class Store {',
      '  private readonly ch = createClient({});',
      '  private other: ClickHouseClient;',
      '  constructor(private readonly pool: DatabasePool, private readonly legacy: Promise<Connection>, given: ClickHouseClient) { this.other = given; }',
      "  c() { return this.pool.query('SELECT 3 AS c'); }",
      "  async d() { return (await this.legacy).query('SELECT 4 AS d'); }",
      "  e() { return this.ch.query('SELECT 5 AS e'); }",
      "  f() { return this.other.query('SELECT 6 AS f'); }",
      '}',
    ].join('\n');
    const found = findSqlInFile('store.ts', source, resolveFindOptions());
    assert.deepEqual(
      found.sites.map((site) => site.text),
      ['SELECT 1 AS a', 'SELECT 3 AS c'],
    );
    assert.deepEqual(
      found.skipped.map((skip) => skip.reason),
      [
        'MySQL SQL (`conn.query`: `conn` from mysql2/promise): not checked (2 sites)',
        'ClickHouse SQL (`this.ch.query`: `this.ch` from @clickhouse/client): not checked (2 sites)',
      ],
    );
  });

  test('the nearest declaration wins: a slonik parameter shadows a ClickHouse import of the same name', () => {
    const source = [
      "import { sql } from '@clickhouse/client';",
      "import type { SqlTag } from 'slonik';",
      'export const outer = sql`SELECT 1 AS outer`;',
      'export function inner(sql: SqlTag) { return sql`SELECT 2 AS inner`; }',
    ].join('\n');
    const found = findSqlInFile('shadow.ts', source, resolveFindOptions());
    assert.deepEqual(
      found.sites.map((site) => site.text),
      ['SELECT 2 AS inner'],
    );
    assert.deepEqual(
      found.skipped.map((skip) => skip.reason),
      ['ClickHouse SQL (tag `sql` from @clickhouse/client): not checked'],
    );
  });

  test('a module importing both kinds is decided by the binding, and undecided (PostgreSQL) when that is opaque', () => {
    withProject(
      {
        'src/db.ts': [
          "import { Pool } from 'pg';",
          "import { createClient } from '@clickhouse/client';",
          'function makeTag() { return (strings: TemplateStringsArray) => strings.join(""); }',
          'export const sql = makeTag();',
          'export const ch = createClient({});',
        ].join('\n'),
        'src/use.ts': "import { ch, sql } from './db';\nsql`SELECT 1 AS opaque`;\nch.query('SELECT 2 AS ch');",
      },
      (root) => {
        assert.deepEqual(findIn(root, 'src/use.ts'), {
          sql: ['SELECT 1 AS opaque'],
          skipped: ['ClickHouse SQL (`ch.query`: `ch` from ./db, which imports @clickhouse/client): not checked'],
        });
      },
    );
  });

  test('relative imports: index files, .js specifiers of .ts files, re-exports, CommonJS; bounded hops; cycles end', () => {
    withProject(
      {
        'src/ch/index.ts': "export { sql } from './tag.js';",
        'src/ch/tag.ts': "import { createClient } from '@clickhouse/client';\nconst client = createClient({});\nexport const sql = client.sql;",
        'src/legacy.cjs': "const mysql = require('mysql2');\nmodule.exports = { pool: mysql.createPool({}) };",
        'src/a.ts': "export { sql } from './b';",
        'src/b.ts': "export { sql } from './c';",
        'src/c.ts': "export { sql } from './d';",
        'src/d.ts': "export { sql } from './e';",
        'src/e.ts': "import { createClient } from '@clickhouse/client';\nexport const sql = createClient({}).sql;",
        'src/loop1.ts': "export { sql } from './loop2';",
        'src/loop2.ts': "export { sql } from './loop1';",
        'src/use.ts': [
          "import { sql } from './ch';",
          "import { pool } from './legacy.cjs';",
          "import { sql as far } from './a';",
          "import { sql as loop } from './loop1';",
          'sql`SELECT 1 AS via_index`;',
          "pool.query('SELECT 2 AS commonjs');",
          // `far` is not a default tag name: found through the marker, decided through five hops (over the bound).
          'far(/* sql */ `SELECT 3 AS far`);',
          'loop(/* sql */ `SELECT 4 AS loop`);',
        ].join('\n'),
      },
      (root) => {
        assert.deepEqual(findIn(root, 'src/use.ts'), {
          sql: ['SELECT 3 AS far', 'SELECT 4 AS loop'],
          skipped: [
            'ClickHouse SQL (tag `sql` from ./ch, which imports @clickhouse/client): not checked',
            'MySQL SQL (`pool.query`: `pool` from ./legacy.cjs, which imports mysql2): not checked',
          ],
        });
      },
    );
  });

  test('no module outside the workspace root is read', () => {
    withProject(
      {
        'outside/ch.ts': "import { createClient } from '@clickhouse/client';\nexport const sql = createClient({}).sql;",
        'app/src/use.ts': "import { sql } from '../../outside/ch';\nsql`SELECT 1`;",
      },
      (root) => {
        // The config lives in app/: ../outside is beyond it, so the import decides nothing.
        const options = optionsFor(join(root, 'app'), '{}');
        assert.deepEqual(findIn(root, 'app/src/use.ts', options), { sql: ['SELECT 1'], skipped: [] });
      },
    );
  });
});

describe('pglens.json `databases`', () => {
  test('imports name a project wrapper (as written, as a resolved path or a glob) or a package; paths name files', () => {
    withProject(
      {
        'src/warehouse/index.ts': 'export function sql(strings: TemplateStringsArray) { return strings.join(""); }',
        'src/a.ts': "import { sql } from './warehouse';\nsql`SELECT 1 AS a`;",
        'src/deep/b.ts': "import { sql } from '../warehouse/index';\nsql`SELECT 2 AS b`;",
        'src/c.ts': "import { sql } from '@acme/ch/sql';\nsql`SELECT 3 AS c`;",
        'jobs/clickhouse/d.ts': "import { sql } from 'slonik';\nsql`SELECT 4 AS d`;",
        'jobs/clickhouse/e.sql': 'SELECT 5 AS e;',
        'db/pg/f.sql': 'SELECT `x` FROM t;',
      },
      (root) => {
        const options = optionsFor(
          root,
          JSON.stringify({
            databases: {
              ClickHouse: { imports: ['./src/warehouse', '@acme/ch'], paths: ['jobs/clickhouse/**'] },
              postgres: { paths: ['db/pg/**'] },
            },
          }),
        );
        const note = 'pglens.json databases.ClickHouse.imports';
        assert.deepEqual(findIn(root, 'src/a.ts', options).skipped, [`ClickHouse SQL (tag \`sql\` from ./warehouse (${note})): not checked`]);
        assert.deepEqual(findIn(root, 'src/deep/b.ts', options).skipped, [`ClickHouse SQL (tag \`sql\` from ../warehouse/index (${note})): not checked`]);
        assert.deepEqual(findIn(root, 'src/c.ts', options).skipped, [`ClickHouse SQL (tag \`sql\` from @acme/ch/sql (${note})): not checked`]);
        const byPath = 'ClickHouse SQL (path matches pglens.json databases.ClickHouse.paths "jobs/clickhouse/**"): not checked';
        assert.deepEqual(findIn(root, 'jobs/clickhouse/d.ts', options), { sql: [], skipped: [byPath] });
        assert.deepEqual(findIn(root, 'jobs/clickhouse/e.sql', options), { sql: [], skipped: [byPath] });
        // A path named PostgreSQL's is read as PostgreSQL whatever markers it holds.
        assert.deepEqual(findIn(root, 'db/pg/f.sql', options), { sql: ['SELECT `x` FROM t'], skipped: [] });
        // A glob among the imports.
        const globbed = optionsFor(root, JSON.stringify({ databases: { clickhouse: { imports: ['src/**/warehouse'] } } }));
        assert.equal(findIn(root, 'src/deep/b.ts', globbed).sql.length, 0);
        // A project path written without `./` (it could be a package name too: both are tried).
        const bare = optionsFor(root, JSON.stringify({ databases: { clickhouse: { imports: ['src/warehouse'] } } }));
        assert.equal(findIn(root, 'src/deep/b.ts', bare).sql.length, 0);
        assert.equal(findIn(root, 'src/c.ts', bare).sql.length, 1);
      },
    );
  });

  test('is validated like the rest of the config', () => {
    const bad: [unknown, RegExp][] = [
      [{ databases: [] }, /databases: must be an object/],
      [{ databases: { clickhouse: { import: ['./ch'] } } }, /databases\.clickhouse\.import: unknown setting \(known: imports, paths\)/],
      [{ databases: { clickhouse: {} } }, /databases\.clickhouse: must name some imports or paths/],
      [{ databases: { clickhouse: { paths: ['ch/[oops'] } } }, /databases\.clickhouse\.paths\[0\]: "ch\/\[oops" is not a valid glob/],
      [{ databases: { clickhouse: { imports: ['src/{a,b'] } } }, /databases\.clickhouse\.imports\[0\]: "src\/\{a,b" is not a valid glob/],
      [{ databases: { clickhouse: { imports: [''] } } }, /databases\.clickhouse\.imports\[0\]: must not be empty/],
      [{ databases: { clickhouse: { imports: 'ch' } } }, /databases\.clickhouse\.imports: must be an array of strings/],
      [{ databases: { 'click house': { paths: ['x/**'] } } }, /databases\.click house: a database name is letters/],
    ];
    for (const [config, message] of bad) {
      assert.throws(() => parseConfigText(JSON.stringify(config), 'pglens.json'), (error: unknown) => error instanceof ConfigError && message.test(error.message), JSON.stringify(config));
    }
    const config = parseConfigText(JSON.stringify({ databases: { Postgres: { paths: ['a/**'] }, pg: { imports: ['./db'] }, MariaDB: { paths: ['m/**'] } } }), 'pglens.json');
    assert.deepEqual(config.databases, {
      postgresql: { imports: ['./db'], paths: ['a/**'], key: 'databases.Postgres' },
      mysql: { imports: [], paths: ['m/**'], key: 'databases.MariaDB' },
    });
  });
});

describe('.sql dialect markers', () => {
  test('each dialect is recognised by a marker PostgreSQL cannot hold, and the skip names it and its line', () => {
    const cases: [string, string][] = [
      ['CREATE TABLE e (id UInt64)\nENGINE = MergeTree\nORDER BY id;', 'ClickHouse SQL (ENGINE = MergeTree at line 2): not checked'],
      ['ALTER TABLE e ON CLUSTER main ADD COLUMN x String;', 'ClickHouse SQL (TABLE e ON CLUSTER at line 1): not checked'],
      ['ALTER TABLE t ADD INDEX i x TYPE bloom_filter() GRANULARITY 1;', 'ClickHouse SQL (GRANULARITY 1 at line 1): not checked'],
      ['ALTER TABLE t DROP COLUMN x SETTINGS mutations_sync = 2;', 'ClickHouse SQL (SETTINGS mutations_sync = at line 1): not checked'],
      ['ALTER TABLE t ADD COLUMN m Map(String, String);', 'ClickHouse SQL (Map(String at line 1): not checked'],
      ['create table t (\n  id int not null auto_increment,\n  primary key (id)\n) engine=InnoDB;', 'MySQL SQL (engine=InnoDB at line 4): not checked'],
      ['SELECT `id` FROM `users`;', 'MySQL SQL (`id` at line 1): not checked'],
      ['create table t (id integer primary key autoincrement);', 'SQLite SQL (autoincrement at line 1): not checked'],
      ['PRAGMA journal_mode = WAL;', 'SQLite SQL (PRAGMA journal_mode at line 1): not checked'],
      ['CREATE TABLE [dbo].[orders] (id INT)\nGO\n', 'SQL Server (T-SQL) SQL ([dbo]. at line 1): not checked'],
      ['CREATE TABLE orders (id INT)\nGO\nSELECT 1\nGO\n', 'SQL Server (T-SQL) SQL (GO at line 2): not checked'],
      ['SELECT * FROM `my-project.sales.orders`;', 'BigQuery SQL (`my-project.sales.orders` at line 1): not checked'],
      ["COPY INTO orders FROM @stage FILE_FORMAT = (TYPE = 'CSV');", 'Snowflake SQL (COPY INTO at line 1): not checked'],
      ['CREATE TABLE t (name VARCHAR2(40));', 'Oracle SQL (VARCHAR2( at line 1): not checked'],
      ['ALTER TABLE scores ADD COLUMN IF NOT EXISTS note String CODEC(ZSTD(3));', 'ClickHouse SQL (CODEC(ZSTD at line 1): not checked'],
      ['CREATE MATERIALIZED VIEW IF NOT EXISTS daily_mv TO daily AS\nSELECT day, count() FROM events GROUP BY day;', 'ClickHouse SQL (CREATE MATERIALIZED VIEW IF NOT EXISTS daily_... at line 1): not checked'],
      ['ALTER TABLE events DROP INDEX IF EXISTS idx_project;', 'ClickHouse SQL (ALTER TABLE events DROP INDEX IF EXISTS at line 1): not checked'],
      ['CREATE TABLE events (id BIGINT, user_id INT) DISTSTYLE KEY DISTKEY(user_id);', 'Redshift SQL (DISTSTYLE KEY at line 1): not checked'],
      ['CREATE TABLE events (id BIGINT ENCODE az64, at TIMESTAMP);', 'Redshift SQL (ENCODE az64 at line 1): not checked'],
      ['CREATE TABLE events (id BIGINT, at TIMESTAMP) COMPOUND SORTKEY(at);', 'Redshift SQL (COMPOUND SORTKEY( at line 1): not checked'],
      ['CREATE TABLE sales (id int, amount numeric) DISTRIBUTED BY (id);', 'Greenplum SQL (DISTRIBUTED BY ( at line 1): not checked'],
      ["SELECT 1;\nUPSERT INTO kv (k, v) VALUES ('a', 'b');", 'CockroachDB SQL (UPSERT INTO at line 2): not checked'],
      ['CREATE TABLE kv (k STRING PRIMARY KEY, v BYTES, FAMILY f1 (k, v));', 'CockroachDB SQL (FAMILY f1 ( at line 1): not checked'],
    ];
    for (const [script, reason] of cases) {
      const found = findSqlInFile('migration.sql', script, resolveFindOptions());
      assert.deepEqual([found.sites.length, found.skipped.map((skip) => skip.reason)], [0, [reason]], script);
    }
  });

  test('PostgreSQL that mentions other dialects in strings, comments, identifiers and COPY data stays PostgreSQL', () => {
    const scripts = [
      "SELECT 'ENGINE = MergeTree', 'Nullable(String)', $$`x` AUTO_INCREMENT$$ FROM t; -- `backticks` in a comment",
      '/* CREATE TABLE [dbo].[x] ... GO */ SELECT "AUTO_INCREMENT", "LowCardinality(x)" FROM t;',
      "UPDATE cars SET engine = 'InnoDB' WHERE id = 1;",
      'SELECT arr[1], ARRAY(SELECT 1), ARRAY[1, 2] FROM t;',
      'CREATE INDEX ON cluster (id);',
      'SELECT a,\n  go\nFROM t;',
      "UPDATE settings SET value = 'x' WHERE key = 'a'; SELECT settings FROM users WHERE id = 1; SELECT ARRAY(SELECT 1), array(SELECT 2);",
      "EXPLAIN (FORMAT JSON) SELECT 1;\nCOPY t FROM stdin;\n1\t`x` AUTO_INCREMENT\n\\.\nSELECT 2;",
      'CREATE TABLE t (id int8 GENERATED ALWAYS AS IDENTITY (START WITH 1), n numeric(10, 2));',
      'CREATE MATERIALIZED VIEW daily AS SELECT day, count(*) FROM events GROUP BY day WITH NO DATA;',
      'ALTER TABLE events DROP CONSTRAINT IF EXISTS events_codec_check; DROP INDEX IF EXISTS idx_project;',
      "SELECT encode(digest, 'hex'), encode (payload, 'base64') FROM files; CREATE OPERATOR FAMILY int_ops USING btree;",
      "SELECT * FROM upserts WHERE distributed = true AND family = 'x'; -- UPSERT INTO kv, DISTKEY(x)",
    ];
    for (const script of scripts) {
      assert.equal(foreignDialectOf(script), undefined, script);
      assert.equal(findSqlInFile('q.sql', script, resolveFindOptions()).skipped.length, 0, script);
    }
  });

  test("none of the repository's own PostgreSQL scripts is taken for another dialect", () => {
    const scripts: string[] = [];
    const visit = (folder: string) => {
      for (const entry of readdirSync(folder, { withFileTypes: true })) {
        const full = join(folder, entry.name);
        if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('dialects-')) visit(full);
        else if (entry.isFile() && entry.name.endsWith('.sql')) scripts.push(full);
      }
    };
    visit(join(REPO_ROOT, 'test', 'fixtures'));
    visit(join(REPO_ROOT, 'examples'));
    assert.ok(scripts.length >= 5, `${scripts.length} scripts`);
    for (const script of scripts) assert.equal(foreignDialectOf(readFileSync(script, 'utf8')), undefined, relative(REPO_ROOT, script));
  });

  test('SQL in code whose client nothing decided is still recognised by its markers', () => {
    const source = [
      "conn.query('INSERT INTO seen (id) VALUES (1) ON DUPLICATE KEY UPDATE id = id');",
      "conn.query('SELECT id FROM orders');",
      // A backtick in code is not enough: PostgreSQL code with one has a syntax error worth reporting.
      "conn.query('SELECT `id` FROM orders');",
    ].join('\n');
    const found = findSqlInFile('app.ts', source, resolveFindOptions());
    assert.deepEqual(
      found.sites.map((site) => site.text),
      ['SELECT id FROM orders', 'SELECT `id` FROM orders'],
    );
    assert.deepEqual(
      found.skipped.map((skip) => skip.reason),
      ['MySQL SQL (ON DUPLICATE KEY UPDATE in the SQL): not checked'],
    );
  });
});
