// Which database a site's SQL is for by what surrounds it (find/databaseOfContext.ts): a branch on the database's
// name, a file or folder named for a database. One knex instance configured at run time serves every database of
// test/fixtures/realworld/dialects-knex-branches; only its PostgreSQL branches are kept.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts = require('typescript');
import { loadConfig } from '../../server/src/engine/config';
import { databaseSettingsOf } from '../../server/src/engine/find/databaseOf';
import { databaseOfBranch, databaseOfPathName } from '../../server/src/engine/find/databaseOfContext';
import { findSqlInFile, resolveFindOptions } from '../../server/src/engine/find/index';

const FIXTURE = join(__dirname, '..', 'fixtures', 'realworld', 'dialects-knex-branches');

function read(file: string): { sql: string[]; skipped: string[] } {
  const options = resolveFindOptions({ databases: databaseSettingsOf(loadConfig(join(FIXTURE, 'pglens.json'), FIXTURE)) });
  const full = join(FIXTURE, file);
  const found = findSqlInFile(full, readFileSync(full, 'utf8'), options);
  return { sql: found.sites.map((site) => site.text), skipped: found.skipped.map((skip) => skip.reason) };
}

describe('fixture: one knex client for every database, each dialect in its own branch, file or folder', () => {
  test('switch cases and if branches on the database type: only the PostgreSQL ones are kept', () => {
    assert.deepEqual(read('server/db.js'), {
      sql: [`set application_name = 'notes'`, 'ALTER SEQUENCE notes_id_seq RESTART WITH 1', 'SELECT count(*) FROM notes'],
      skipped: [
        "MySQL SQL (in `case 'mariadb': case 'mysql':`): not checked (2 sites)",
        "SQL Server (T-SQL) SQL (in `case 'mssql':`): not checked",
        "SQLite SQL (in the branch where `APP.config.db.type === 'sqlite'`): not checked",
        'SQL built at run time from `dictionary`, pasted inside a SQL string: cannot be known statically',
        'SQL built at run time from `days`, pasted inside a SQL string: cannot be known statically',
        'SQL built at run time from `author`, pasted inside a SQL string: cannot be known statically',
      ],
    });
  });

  test('a predicate named for a database (`isSQLite(knex)`) decides its branch; the code after it stays PostgreSQL', () => {
    assert.deepEqual(read('server/db/migrations/2.1.0.js'), {
      sql: ['UPDATE notes SET body = btrim(body) WHERE body <> btrim(body)'],
      skipped: ['SQLite SQL (in the branch where `APP.isSQLite(knex)`): not checked'],
    });
  });

  test('a folder or a file named for another database is that database; one named for PostgreSQL is checked', () => {
    assert.deepEqual(read('server/db/migrations-sqlite/2.1.0.js'), {
      sql: [],
      skipped: ['SQLite SQL (folder server/db/migrations-sqlite/ is named for it): not checked'],
    });
    assert.deepEqual(read('server/dialects/mysql.js'), { sql: [], skipped: ['MySQL SQL (file server/dialects/mysql.js is named for it): not checked'] });
    assert.deepEqual(read('server/dialects/postgres.js'), {
      sql: ['SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = $1'],
      skipped: [],
    });
  });
});

test('each branch of a conditional query argument is decided by its own side of the condition', () => {
  const text = "const isMySQL = config.client === 'mysql2';\nawait db.raw(isMySQL ? 'UPDATE notes SET views = 0 ORDER BY id LIMIT 10' : 'UPDATE notes SET views = 0 WHERE views > 0');\n";
  const found = findSqlInFile('/w/reset.js', text, resolveFindOptions());
  assert.deepEqual(found.sites.map((site) => site.text), ['UPDATE notes SET views = 0 WHERE views > 0']);
  assert.deepEqual(found.skipped.map((skip) => skip.reason), ['MySQL SQL (in the branch where `isMySQL`): not checked']);
});

describe('branches', () => {
  // The decision for the site marked with a here-comment in `code`.
  function branchOf(code: string): string | undefined {
    const sourceFile = ts.createSourceFile('x.ts', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
    const position = code.indexOf('/*here*/');
    const chain: ts.Node[] = [sourceFile];
    for (let node: ts.Node = sourceFile; ; ) {
      const next: ts.Node | undefined = ts.forEachChild(node, (child) => (child.pos <= position && position < child.end ? child : undefined));
      if (!next) break;
      chain.push(next);
      node = next;
    }
    const decision = databaseOfBranch(chain, sourceFile);
    return decision && `${decision.database}: ${decision.because}`;
  }

  test('what decides', () => {
    assert.equal(branchOf(`switch (t) { case 'sqlite3': run(/*here*/'x'); }`), "sqlite: in `case 'sqlite3':`");
    assert.equal(branchOf(`if (client !== 'pg') { } else { run(/*here*/'x') }`), "postgresql: in the branch where `client !== 'pg'` is false");
    assert.equal(branchOf(`const q = dbType === 'postgresdb' ? 'a' : /*here*/'b'`), undefined); // not PostgreSQL: which one is unknown
    assert.equal(branchOf(`const q = dbType === 'mysql' ? /*here*/'a' : 'b'`), "mysql: in the branch where `dbType === 'mysql'`");
    assert.equal(branchOf(`if (!this.isMariaDB) { } else { run(/*here*/'x') }`), 'mysql: in the branch where `!this.isMariaDB` is false');
    assert.equal(branchOf(`if (isMySQL && big) { run(/*here*/'x') }`), 'mysql: in the branch where `isMySQL && big`');
  });

  test('what does not: other switches, default, several databases, an unrelated condition', () => {
    assert.equal(branchOf(`switch (format) { case 'csv': run(/*here*/'x'); }`), undefined);
    assert.equal(branchOf(`switch (t) { default: case 'mysql': run(/*here*/'x'); }`), undefined);
    assert.equal(branchOf(`switch (t) { case 'mysql': case 'postgres': run(/*here*/'x'); }`), undefined);
    assert.equal(branchOf(`if (t === 'mysql' || t === 'sqlite') { run(/*here*/'x') }`), undefined);
    assert.equal(branchOf(`if (user.isAdmin) { run(/*here*/'x') }`), undefined);
    // the innermost branch decides: a PostgreSQL case inside an `if` on something else
    assert.equal(branchOf(`if (x) { switch (t) { case 'postgres': run(/*here*/'x'); } }`), "postgresql: in `case 'postgres':`");
  });
});

describe('names of files and folders', () => {
  test('the segment nearest the file that names a database decides, when it names one other than PostgreSQL', () => {
    assert.equal(databaseOfPathName('server/db/migrations-sqlite/2.0.js')?.database, 'sqlite');
    assert.equal(databaseOfPathName('src/helpers/schema/dialects/mysql.ts')?.database, 'mysql');
    assert.equal(databaseOfPathName('src/MySQLDialect.ts')?.database, 'mysql');
    assert.equal(databaseOfPathName('src/adapters/sqliteAdapter.ts')?.database, 'sqlite');
    assert.equal(databaseOfPathName('packages/clickhouse/src/queries.ts')?.database, 'clickhouse');
    // Spring's schema scripts per database (spring-petclinic: H2's `DROP TABLE vets IF EXISTS` were 7 false syntax errors)
    assert.equal(databaseOfPathName('src/main/resources/db/h2/schema.sql')?.database, 'h2');
    assert.equal(databaseOfPathName('src/main/resources/db/hsqldb/data.sql')?.database, 'hsqldb');
    // one script per database, named in the extensions (ory/kratos): the file's own word decides, PostgreSQL's too
    assert.equal(databaseOfPathName('persistence/sql/migrations/sql/20210410175418_network.sqlite3.up.sql')?.database, 'sqlite');
    assert.equal(databaseOfPathName('persistence/sql/migrations/sql/20210410175418_network.cockroach.up.sql')?.database, 'cockroachdb');
    assert.equal(databaseOfPathName('sqlite/migrations/20210410175418_network.postgres.up.sql'), undefined);
    // CockroachDB is decided the same way whether a folder, an extension or Prisma's provider names it
    assert.equal(databaseOfPathName('db/cockroachdb/001_init.sql')?.database, 'cockroachdb');
    // PostgreSQL nearer the file, two databases, or words that are not database names decide nothing
    assert.equal(databaseOfPathName('packages/mysql/src/postgres/queries.ts'), undefined);
    assert.equal(databaseOfPathName('tools/mysql-to-postgres/copy.ts'), undefined);
    assert.equal(databaseOfPathName('src/price-oracle/snowflake.ts'), undefined);
    assert.equal(databaseOfPathName('src/orders/queries.ts'), undefined);
    // in a file's own name only the first word: a job about ClickHouse data may well talk to PostgreSQL
    assert.equal(databaseOfPathName('worker/src/features/processClickhouseTraceDelete.ts'), undefined);
    assert.equal(databaseOfPathName('src/db/createMysqlPool.ts'), undefined);
    assert.equal(databaseOfPathName('src/mysqlish/queries.ts'), undefined);
  });
});
