// Function and cast volatility: the table generated from PostgreSQL 15's pg_catalog (volatilityTable.ts) against the
// test cluster's pg_proc and pg_cast, and the connected database's answer (loadCatalogVolatility, read with the
// schema facts) for functions the table cannot know: the application's own and those of extensions.
//
// Runs in its own database (pglens_volatility_test) so the shared fixture is never touched.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { connectPostgres } from '../../server/src/engine/db/postgres';
import { withReadOnlyTransaction, type DatabaseClient } from '../../server/src/engine/db/client';
import { loadSchemaFacts } from '../../server/src/engine/db/schemaFacts';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { addColumnRewrite, locksForStatement } from '../../server/src/engine/locks/lockModel';
import { castVolatility, expressionVolatility, functionVolatility, loadCatalogVolatility, type CatalogVolatility } from '../../server/src/engine/locks/volatility';
import { PG_CATALOG_CAST_VOLATILITY, PG_CATALOG_FUNCTION_VOLATILITY } from '../../server/src/engine/locks/volatilityTable';
import type { SqlSite } from '../../server/src/engine/types';

const DATABASE = 'pglens_volatility_test';
const LIMITS = { statementTimeoutMs: 10_000, lockTimeoutMs: 1_000 };

let scratch: TestFileDatabase | undefined;
let client: Client;
let database: DatabaseClient;

before(async () => {
  await loadParser();
  scratch = await openTestFileDatabase(DATABASE);
  client = scratch.client;
  await client.query(`
    create schema app;
    create function public.make_code() returns text language sql volatile as $$ select md5(random()::text) $$;
    create function public.tenant_default() returns int language sql immutable as $$ select 1 $$;
    create function app.today_label() returns text language sql stable as $$ select current_date::text $$;
    create extension if not exists "uuid-ossp";
    create table accounts (id int primary key, created_at timestamptz);
  `);
  database = await connectPostgres(scratch.url);
});

after(async () => {
  await database?.close();
  await scratch?.drop();
});

function siteOf(text: string): SqlSite {
  return { file: 'case.sql', origin: 'sql-file', text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length };
}

/** The column definition of `alter table accounts add column ...`. */
function addedColumn(sql: string) {
  const parsed = parseSite(siteOf(sql));
  assert.equal(parsed.error, undefined);
  return parsed.statements[0].node.AlterTableStmt.cmds[0].AlterTableCmd.def.ColumnDef;
}

test('the generated table matches pg_proc of the test cluster for every pg_catalog function name (all overloads)', async () => {
  const { rows } = await client.query<{ name: string; letters: string }>(
    `select p.proname as name, string_agg(distinct p.provolatile::text, '' order by p.provolatile::text) as letters
       from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'pg_catalog' and p.prokind in ('f', 'w', 'a') group by p.proname`,
  );
  const server = new Map(rows.map((r) => [r.name, r.letters]));
  const differences: string[] = [];
  for (const [name, letters] of Object.entries(PG_CATALOG_FUNCTION_VOLATILITY)) {
    if (server.get(name) !== letters) differences.push(`${name}: table ${letters}, server ${server.get(name)}`);
  }
  for (const name of server.keys()) if (!(name in PG_CATALOG_FUNCTION_VOLATILITY)) differences.push(`${name}: missing from the table`);
  assert.deepEqual(differences, []);
  assert.ok(server.size > 2000, `only ${server.size} function names`);
});

test('the generated cast table matches pg_cast: exactly the casts whose function is not immutable', async () => {
  const { rows } = await client.query<{ key: string; letter: string }>(
    `select format_type(c.castsource, null) || '->' || format_type(c.casttarget, null) as key, p.provolatile::text as letter
       from pg_cast c join pg_proc p on p.oid = c.castfunc where p.provolatile <> 'i'`,
  );
  const letter = { stable: 's', volatile: 'v' } as const;
  assert.deepEqual(
    Object.fromEntries(Object.entries(PG_CATALOG_CAST_VOLATILITY).map(([k, v]) => [k, letter[v]])),
    Object.fromEntries(rows.map((r) => [r.key, r.letter])),
  );
});

test('offline answers: repeat is immutable, now stable, random / nextval / gen_random_uuid volatile, date_part its worst overload', () => {
  assert.equal(functionVolatility('repeat'), 'immutable');
  assert.equal(functionVolatility('now'), 'stable');
  assert.equal(functionVolatility('random'), 'volatile');
  assert.equal(functionVolatility('nextval', 'pg_catalog'), 'volatile');
  assert.equal(functionVolatility('gen_random_uuid'), 'volatile');
  assert.equal(functionVolatility('date_part'), 'stable');
  assert.equal(functionVolatility('uuid_generate_v4'), 'volatile');
  assert.equal(functionVolatility('make_code'), undefined);
  assert.equal(castVolatility('timestamp with time zone', 'date'), 'stable');
  assert.equal(castVolatility('integer', 'bigint'), 'immutable');
});

test("ADD COLUMN ... DEFAULT repeat('*', 64) is no rewrite; gen_random_uuid() is", () => {
  assert.equal(addColumnRewrite(addedColumn("alter table accounts add column mask text default repeat('*', 64)"), 150000).rewrite, false);
  assert.equal(addColumnRewrite(addedColumn("alter table accounts add column n text default lpad(to_hex(42), 8, '0')"), 150000).rewrite, false);
  assert.equal(addColumnRewrite(addedColumn('alter table accounts add column t uuid default gen_random_uuid()'), 150000).rewrite, true);
});

test('a cast of a column of known type takes its volatility from pg_cast (timestamptz to date is stable)', () => {
  const parsed = parseSite(siteOf('create index on accounts ((created_at::date))'));
  const expr = parsed.statements[0].node.IndexStmt.indexParams[0].IndexElem.expr;
  const v = expressionVolatility(expr, { columnType: (c) => (c === 'created_at' ? 'timestamp with time zone' : undefined) });
  assert.equal(v.volatility, 'stable');
  assert.deepEqual(v.stableCalls.map((c) => c.name), ['timestamp with time zone::date']);
});

test("with a database, the application's and extensions' functions are asked of pg_proc, in a read-only transaction", async () => {
  const catalog: CatalogVolatility = await withReadOnlyTransaction(database, LIMITS, (session) => loadCatalogVolatility(session));
  assert.equal(catalog.functions.get('public.make_code'), 'volatile');
  assert.equal(catalog.functions.get('make_code'), 'volatile');
  assert.equal(catalog.functions.get('tenant_default'), 'immutable');
  assert.equal(catalog.functions.get('app.today_label'), 'stable');
  assert.equal(catalog.functions.get('uuid_generate_v4'), 'volatile');
  // pg_catalog names the generated table knows are not read again.
  assert.equal(catalog.functions.has('pg_catalog.repeat'), false);
  assert.equal(catalog.casts.get('timestamp with time zone->date'), 'stable');

  // The rule's question, answered by the catalogue: an immutable user function as a default is no rewrite.
  assert.equal(addColumnRewrite(addedColumn('alter table accounts add column tenant int default tenant_default()'), 150000, catalog).rewrite, false);
  assert.equal(addColumnRewrite(addedColumn('alter table accounts add column tenant int default tenant_default()'), 150000).rewrite, true);
  const volatileCall = addColumnRewrite(addedColumn('alter table accounts add column code text default make_code()'), 150000, catalog);
  assert.equal(volatileCall.rewrite, true);
  assert.match(volatileCall.why ?? '', /make_code\(\) is volatile/);
  assert.equal(functionVolatility('today_label', 'app', catalog), 'stable');
});

test('the schema facts carry the catalogue volatility', async () => {
  const facts = await withReadOnlyTransaction(database, LIMITS, (session) => loadSchemaFacts(session));
  assert.equal(facts.volatility?.functions.get('make_code'), 'volatile');
});

test('an index expression that is not IMMUTABLE: the server refuses it, and the lock model says CREATE INDEX fails', async () => {
  const cases = [
    { sql: 'create index on accounts ((created_at::date))', culprit: /timestamp with time zone::date is STABLE/ },
    { sql: "create index on accounts ((date_trunc('day', created_at)))", culprit: /date_trunc\(\) is STABLE/ },
    { sql: 'create index on accounts ((app.today_label()))', culprit: /app\.today_label\(\) is STABLE/ },
    { sql: 'create index on accounts (id) where created_at > now()', culprit: /now\(\) is STABLE/ },
  ];
  const catalog = await withReadOnlyTransaction(database, LIMITS, (session) => loadCatalogVolatility(session));
  const columnType = (table: string, column: string) => (table === 'accounts' && column === 'created_at' ? 'timestamp with time zone' : table === 'accounts' && column === 'id' ? 'integer' : undefined);
  for (const c of cases) {
    await client.query('begin');
    await assert.rejects(client.query(c.sql), (error: { code?: string }) => error.code === '42P17', c.sql);
    await client.query('rollback');
    const statement = parseSite(siteOf(c.sql)).statements[0];
    const model = locksForStatement(statement, { catalogVolatility: catalog, columnType });
    assert.ok(model.notes.some((n) => /^CREATE INDEX fails: /.test(n) && c.culprit.test(n)), `${c.sql}: ${model.notes.join(' ')}`);
  }
  // Immutable expressions build, and get no such note.
  for (const sql of ['create index on accounts ((lower(id::text)))', "create index on accounts ((repeat('x', id)))"]) {
    await client.query('begin');
    await client.query(sql);
    await client.query('rollback');
    const model = locksForStatement(parseSite(siteOf(sql)).statements[0], { catalogVolatility: catalog, columnType });
    assert.ok(!model.notes.some((n) => /CREATE INDEX fails|pglens does not know/.test(n)), `${sql}: ${model.notes.join(' ')}`);
  }
});
