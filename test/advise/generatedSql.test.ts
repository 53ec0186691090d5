// Generated SQL against hostile names and hostile query text: anything pglens writes or sends (trial indexes, hypopg
// definitions, fixes, migration files) is re-checked here, must parse to exactly one CREATE INDEX on the table meant,
// and must run on PostgreSQL; a `victim` table survives every case, and migration files stay in the migrations folder.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { getSharedTestDatabase } from '../harness/postgres';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { readSchemaFacts, type SchemaFacts } from '../../server/src/engine/db/schemaFacts';
import { loadParser } from '../../server/src/engine/parse/parse';
import { parseToJson } from '../../server/src/engine/parse/libpgQuery';
import { adviseStatement, applyAdvice, type IndexSuggestion } from '../../server/src/engine/advise/index';
import { createIndexSql, readColumnUses, tableCandidates } from '../../server/src/engine/advise/candidates';
import { checkMigrationFile, detectMigrationTarget, MigrationRefused, writeIndexMigration } from '../../server/src/engine/advise/migration';
import { assertSingleStatement, GeneratedSqlError, quoteIdentifier, quoteLiteral, quoteQualifiedName, scanTokens } from '../../server/src/engine/sqlText';
import { workspaceEditFor } from '../../server/src/lsp/codeActions';
import type { Finding } from '../../server/src/engine/types';
import { parseOne, settings } from './advisorTestUtils';

const SCHEMA = 'pglens advise "hostile"; x';
const HOSTILE_TABLES = ['x; DROP TABLE victim; --', '../../../../tmp/x', 'a"b.c d', 'émail tablé'];
const HOSTILE_COLUMN = 'e; DROP TABLE victim; --';
const ROWS = 20_000;

/** Every statement of `sql` as [kind, body]. */
function statementsOf(sql: string): [string, Record<string, unknown>][] {
  return ((parseToJson(sql).stmts ?? []) as { stmt: Record<string, Record<string, unknown>> }[]).map((s) => {
    const kind = Object.keys(s.stmt)[0];
    return [kind, s.stmt[kind]];
  });
}

interface Database {
  which: 'hypopg' | 'index trials';
  url: string;
  client: DatabaseClient;
  schema: SchemaFacts;
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** The hostile tables in a scratch schema (owned by the app role, so index trials may build on them), and `victim`. */
async function createHostileTables(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(SCHEMA)} CASCADE`);
    await c.query(`CREATE SCHEMA ${quoteIdentifier(SCHEMA)}`);
    await c.query('CREATE TABLE IF NOT EXISTS public.victim (id int)');
    for (const table of HOSTILE_TABLES) {
      const name = quoteQualifiedName(SCHEMA, table);
      await c.query(`CREATE TABLE ${name} (id int PRIMARY KEY, email text NOT NULL, status text NOT NULL, ${quoteIdentifier(HOSTILE_COLUMN)} text NOT NULL)`);
      await c.query(
        `INSERT INTO ${name} SELECT g, 'user' || g || '@example.com', CASE WHEN g % 50 = 0 THEN 'pending' ELSE 'done' END, 'v' || g FROM generate_series(1, ${ROWS}) g`,
      );
      await c.query(`ANALYZE ${name}`);
    }
  });
}

async function dropHostileTables(url: string): Promise<void> {
  await withClient(url, async (c) => {
    await c.query(`DROP SCHEMA IF EXISTS ${quoteIdentifier(SCHEMA)} CASCADE`);
    await c.query('DROP TABLE IF EXISTS public.victim');
  });
}

async function victimExists(url: string): Promise<boolean> {
  return withClient(url, async (c) => (await c.query("SELECT to_regclass('public.victim') IS NOT NULL AS present")).rows[0].present === true);
}

/** Runs each CREATE INDEX inside BEGIN ... ROLLBACK and returns the tables the new indexes are on. */
async function indexTablesWhenRun(url: string, statements: string[]): Promise<string[]> {
  return withClient(url, async (c) => {
    const tables: string[] = [];
    await c.query('BEGIN');
    try {
      for (const sql of statements) {
        const before = new Set((await c.query<{ oid: string }>('SELECT indexrelid::text AS oid FROM pg_index')).rows.map((r) => r.oid));
        await c.query(sql);
        const created = (await c.query<{ oid: string; rel: string }>('SELECT indexrelid::text AS oid, indrelid::regclass::text AS rel FROM pg_index')).rows.filter((r) => !before.has(r.oid));
        assert.equal(created.length, 1, `one index from ${sql}`);
        tables.push(created[0].rel);
      }
    } finally {
      await c.query('ROLLBACK');
    }
    return tables;
  });
}

const databases: Database[] = [];

before(async () => {
  await loadParser();
  const shared = await getSharedTestDatabase();
  for (const [which, url] of [
    ['hypopg', shared.url],
    ['index trials', shared.nohypoUrl],
  ] as const) {
    await createHostileTables(url);
    const client = await connectPostgres(url, { maxConnections: 1 });
    const schema = await readSchemaFacts(client);
    databases.push({ which, url, client, schema });
  }
});

after(async () => {
  for (const db of databases) {
    await db.client.close();
    await dropHostileTables(db.url);
  }
});

describe('quoting and the gate for generated SQL', () => {
  test('identifiers: bare only when plain lower-case and not a keyword that needs quotes', () => {
    assert.equal(quoteIdentifier('email'), 'email');
    assert.equal(quoteIdentifier('name'), 'name', 'an unreserved keyword stays bare, as PostgreSQL writes it');
    assert.equal(quoteIdentifier('user'), '"user"');
    assert.equal(quoteIdentifier('select'), '"select"');
    assert.equal(quoteIdentifier('between'), '"between"', 'a column-name keyword is quoted');
    assert.equal(quoteIdentifier('Email'), '"Email"');
    assert.equal(quoteIdentifier('a"b'), '"a""b"');
    assert.equal(quoteIdentifier('x; DROP TABLE victim; --'), '"x; DROP TABLE victim; --"');
    assert.equal(quoteIdentifier('émail'), '"émail"');
    assert.equal(quoteQualifiedName('public', 'orders', 'public'), 'orders');
    assert.equal(quoteQualifiedName('a.b', 'c d'), '"a.b"."c d"');
    assert.equal(quoteLiteral("it's \\ fine"), "'it''s \\ fine'");
    assert.throws(() => quoteIdentifier('a\u0000b'), GeneratedSqlError);
    for (const name of ['x; DROP TABLE victim; --', 'a"b', '"', '""', 'select', 'a.b', '$1', 'é', '*/ --']) {
      const [[kind, body]] = statementsOf(`SELECT ${quoteIdentifier(name)} FROM ${quoteQualifiedName(name, name)} WHERE x = ${quoteLiteral(name)}`);
      assert.equal(kind, 'SelectStmt');
      const from = (body.fromClause as { RangeVar: { relname: string; schemaname: string } }[])[0].RangeVar;
      assert.deepEqual([from.schemaname, from.relname], [name, name]);
    }
  });

  test('assertSingleStatement refuses two statements, another kind, syntax errors and NUL bytes', () => {
    assert.throws(() => assertSingleStatement('CREATE INDEX ON t (a); DROP TABLE victim', 'IndexStmt'), /2 statements/);
    assert.throws(() => assertSingleStatement('DROP TABLE victim', 'IndexStmt'), /DropStmt/);
    assert.throws(() => assertSingleStatement('CREATE INDEX ON t ((lower(a)', 'IndexStmt'), /does not parse/);
    assert.throws(() => assertSingleStatement('CREATE INDEX ON t (a)\u0000; DROP TABLE victim', 'IndexStmt'), /NUL/);
    assert.equal(assertSingleStatement('CREATE INDEX ON t (a)', 'IndexStmt').relation.relname, 't');
  });
});

describe('expression keys and predicates come from the parse tree', () => {
  test('comments inside an expression (with */, ; and aliases) are left out; the key is the bare expression', async () => {
    const { schema } = databases[0];
    const table = quoteQualifiedName(SCHEMA, HOSTILE_TABLES[0]);
    const statement = await parseOne(`select * from ${table} t where lower(t.email /* *t./ ) ; COMMIT; DROP TABLE victim; -- */ ) = $1`);
    const uses = [...readColumnUses(statement, schema).values()][0];
    const composite = tableCandidates(uses).composite!;
    assert.deepEqual(composite.keys.map((k) => k.text), ['lower(email)']);
    assert.equal(createIndexSql(composite), `CREATE INDEX ON ${table} ((lower(email)))`);
  });

  test('a line comment and a dollar-quoted constant stay what they are', async () => {
    const { schema } = databases[0];
    const table = quoteQualifiedName(SCHEMA, HOSTILE_TABLES[1]);
    const statement = await parseOne(`select * from ${table} t where t.status = $q$a'; DROP TABLE victim; --$q$ and lower(t.email -- ); DROP TABLE victim;\n) = $1`);
    const uses = [...readColumnUses(statement, schema).values()][0];
    const candidates = tableCandidates(uses);
    for (const candidate of [candidates.composite, candidates.partial, ...candidates.prefixes].filter((c) => c !== undefined)) {
      const sql = createIndexSql(candidate);
      const parsed = statementsOf(sql);
      assert.equal(parsed.length, 1, sql);
      assert.equal(parsed[0][0], 'IndexStmt', sql);
      assert.ok(!scanTokens(sql)!.some((t) => t.comment), `no comment reaches generated SQL: ${sql}`);
    }
    const status = uses.uses.find((u) => u.column === 'status');
    assert.equal(status?.constantPredicate, "status = $q$a'; DROP TABLE victim; --$q$");
  });
});

describe('advice on hostile tables, with hypopg and with index trials', () => {
  const cases = (table: string) => {
    const name = quoteQualifiedName(SCHEMA, table);
    return [
      `select id from ${name} t where t.${quoteIdentifier(HOSTILE_COLUMN)} = $1`,
      `select id from ${name} t where lower(t.email /* *t./ ) ; COMMIT; DROP TABLE victim; -- */) = $1`,
      `select id from ${name} t where t.status = 'pending' and t.email = $1 -- ; DROP TABLE victim`,
    ];
  };

  for (const which of ['hypopg', 'index trials'] as const) {
    test(`${which}: every suggestion is one CREATE INDEX on the table meant, runs on PostgreSQL, and its migration stays in the folder`, async () => {
      const db = databases.find((d) => d.which === which)!;
      const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-generated-'));
      try {
        let suggested = 0;
        for (const table of HOSTILE_TABLES) {
          for (const sql of cases(table)) {
            const statement = await parseOne(sql);
            const advice = await adviseStatement({
              database: db.client,
              statement,
              schema: db.schema,
              settings: settings({ indexTrials: which === 'index trials', root }),
            });
            assert.equal(await victimExists(db.url), true, `victim survives ${which}: ${sql}`);
            const suggestion: IndexSuggestion | undefined = advice.suggestion;
            assert.ok(suggestion, `a suggestion for ${sql}`);
            assert.equal(suggestion.verifiedWith, which === 'hypopg' ? 'hypopg' : 'index trial', sql);
            suggested++;
            const creates = suggestion.indexes.map(createIndexSql);
            assert.deepEqual(
              statementsOf(suggestion.sql).map(([kind]) => kind),
              creates.map(() => 'IndexStmt'),
            );
            // The generated statements run on PostgreSQL (rolled back) and index exactly the hostile table.
            const tables = await indexTablesWhenRun(db.url, creates);
            for (const on of tables) assert.equal(on, quoteQualifiedName(SCHEMA, table), sql);

            const finding: Finding = {
              ruleId: 'seq-scan-large-table',
              severity: 'warning',
              category: 'performance',
              headline: 'Seq Scan',
              message: 'Seq Scan',
              file: path.join(root, 'src', 'q.sql'),
              fileStart: 0,
              fileEnd: sql.length,
              range: { start: { line: 0, character: 0 }, end: { line: 0, character: sql.length } },
              evidence: { table },
            };
            applyAdvice([finding], advice, { statement, settings: settings({ root }), databaseLabel: 'db\n; DROP TABLE victim; --' });
            const add = finding.fixes?.find((f) => f.title.startsWith('Add index'));
            const copy = finding.fixes?.find((f) => f.title.startsWith('Copy CREATE INDEX'));
            assert.ok(add?.newFile && copy, `both fixes for ${sql}`);
            const copied = statementsOf(copy.sql ?? '');
            assert.equal(copied.length, suggestion.indexes.length, copy.sql);
            for (const [kind, body] of copied) {
              assert.equal(kind, 'IndexStmt');
              assert.equal(body.concurrent, true);
            }
            const file = add.newFile;
            const migrations = path.join(root, 'migrations');
            assert.ok(!path.relative(migrations, file.path).startsWith('..') && path.dirname(file.path) === migrations, file.path);
            assert.match(path.basename(file.path), /^\d{14}_[a-z0-9_-]+\.sql$/);
            const inFile = statementsOf(file.content);
            assert.ok(inFile.length >= 1 && inFile.every(([kind, body]) => kind === 'IndexStmt' && body.concurrent === true), file.content);
            // The same index, run without CONCURRENTLY inside a rolled-back transaction.
            const plain = inFile.map(([, body]) => (body as { idxname: string }).idxname);
            const runnable = suggestion.indexes.map((c, i) => `CREATE INDEX ${quoteIdentifier(plain[i])} ${createIndexSql(c).slice('CREATE INDEX '.length)}`);
            assert.deepEqual(await indexTablesWhenRun(db.url, runnable), runnable.map(() => quoteQualifiedName(SCHEMA, table)));
            // What the editor would create passes the code action's own check.
            const edit = workspaceEditFor(add, { documentChanges: true, createFile: true }, () => undefined);
            assert.ok(edit?.documentChanges?.length, 'the editor gets the new file');
          }
        }
        assert.equal(suggested, HOSTILE_TABLES.length * 3);
        assert.equal(await victimExists(db.url), true);
      } finally {
        fs.rmSync(root, { recursive: true, force: true });
      }
    });
  }
});

describe('migration files', () => {
  const index = { name: 'x_email_idx', definition: 'ON x (email)' };

  test('a hostile index name is sanitised in the file name and quoted in the SQL; the file stays in the folder', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-migration-'));
    try {
      const name = '../../../../tmp/x; DROP TABLE victim; --';
      const file = writeIndexMigration(detectMigrationTarget(root), { indexes: [{ name, definition: 'ON x (email)' }], comment: ['line one\n; DROP TABLE victim; --'] });
      assert.equal(path.dirname(file.path), path.join(root, 'migrations'));
      assert.match(path.basename(file.path), /^\d{14}_add_tmp_x_drop_table_victim\.sql$/);
      const statements = statementsOf(file.content);
      assert.equal(statements.length, 1, file.content);
      assert.equal(statements[0][1].idxname, name);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('a migrations folder outside the workspace is refused with a clear message', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pglens-migration-'));
    try {
      assert.throws(() => writeIndexMigration(detectMigrationTarget(root, '../../outside'), { indexes: [index], comment: [] }), (error: Error) => {
        assert.ok(error instanceof MigrationRefused);
        assert.match(error.message, /outside the workspace/);
        return true;
      });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  test('the code action refuses a new file whose path leaves its folder or whose SQL is more than the index', () => {
    const support = { documentChanges: true, createFile: true };
    const statements = ['CREATE INDEX CONCURRENTLY IF NOT EXISTS x_email_idx ON x (email);'];
    // A workspace that need not exist: only the paths are judged.
    const migrations = path.join(os.tmpdir(), 'pglens-no-such-workspace', 'migrations');
    const good = { path: path.join(migrations, '20260101000000_add_x_email_idx.sql'), content: `-- ok\n${statements[0]}\n`, statements };
    assert.ok(workspaceEditFor({ title: 'Add index', newFile: good }, support, () => undefined));
    assert.throws(() => checkMigrationFile({ ...good, path: `${migrations}/../../../tmp/x.sql` }), MigrationRefused);
    assert.equal(workspaceEditFor({ title: 'Add index', newFile: { ...good, path: `${migrations}/../../../tmp/x.sql` } }, support, () => undefined), undefined);
    assert.equal(workspaceEditFor({ title: 'Add index', newFile: { ...good, content: `${good.content}DROP TABLE victim;\n` } }, support, () => undefined), undefined);
    assert.equal(workspaceEditFor({ title: 'Add index', newFile: { ...good, path: path.join(migrations, 'a b;.sql') } }, support, () => undefined), undefined);
  });
});
