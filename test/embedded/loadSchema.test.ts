import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { makeCacheDir, makeWorkspace, removeTemporary } from './helpers';

// Line numbers matter: the problems below name them.
const INIT = `-- Kundendaten (Zeilen mit Umlauten: äöü, 😀) vor den Anweisungen, damit Byte- und Zeichen-Offsets auseinanderlaufen.
BEGIN;
SET statement_timeout = 0;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE TABLE customers (
  id bigserial PRIMARY KEY,
  name text NOT NULL -- 'Müller'
);
CREATE TABLE places (id int PRIMARY KEY, location geometry(Point, 4326));
CREATE INDEX customers_name_trgm ON customers USING gin (name gin_trgm_ops);
GRANT SELECT ON customers TO analyst;
ALTER TABLE customers OWNER TO app_owner;
COPY customers (id, name) FROM stdin;
COMMIT;
CREATE TABLE orders (id bigserial PRIMARY KEY, customer_id bigint REFERENCES customers (id), note text DEFAULT 'für später');
`;

// psql meta-commands make the real parser reject the file: it is split lexically instead.
const PSQL_DUMP = `\\set ON_ERROR_STOP on
SELECT pg_catalog.set_config('search_path', '', false);
CREATE TABLE public.invoices (
  id integer NOT NULL,
  body text DEFAULT 'a;b' NOT NULL,
  fn text DEFAULT $$x;y$$
);
\\connect other
CREATE FUNCTION public.touch() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN NEW.body := 'x;'; RETURN NEW; END $fn$;
CREATE TABLE public.broken (id integer NOT NULL REFERENCES public.missing_table (id));
`;

let db: EmbeddedDatabase;
let root: string;
let cacheDir: string;

before(async () => {
  cacheDir = await makeCacheDir();
  root = makeWorkspace({ 'migrations/0001_init.sql': INIT, 'migrations/0002_dump.sql': PSQL_DUMP });
  // PGlite must not download anything (WASM, data files, the pg_trgm extension): any fetch fails this test.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: unknown) => {
    throw new Error(`the embedded database tried to fetch ${String(input)}`);
  };
  try {
    db = await openEmbeddedDatabase({ workspaceRoot: root, cacheDir, volumes: { '*': 100 } });
  } finally {
    globalThis.fetch = realFetch;
  }
});

after(async () => {
  await db?.close();
  removeTemporary(root, cacheDir);
});

test('each statement that cannot be applied is reported once with its file and line, and skipped', () => {
  const problems = db.schemaProblems.map((problem) => `${problem.file}:${problem.line}: ${problem.reason}`);
  assert.deepEqual(problems, [
    'migrations/0001_init.sql:5: extension "postgis" is not available in the embedded database (PGlite ships only PostgreSQL\'s contrib modules)',
    'migrations/0001_init.sql:10: type "geometry" does not exist',
    'migrations/0001_init.sql:14: COPY FROM STDIN needs psql; its rows were not loaded',
    'migrations/0002_dump.sql:1: psql meta-command skipped: \\set ON_ERROR_STOP on',
    'migrations/0002_dump.sql:8: psql meta-command skipped: \\connect other',
    'migrations/0002_dump.sql:10: relation "public.missing_table" does not exist',
  ]);
});

test('a failed CREATE TABLE is known as one, parsed or split lexically: the schema is then not whole', () => {
  const tableFailures = db.schemaProblems.filter((problem) => problem.kind === 'CreateStmt' || problem.kind === 'CREATE TABLE');
  assert.deepEqual(
    tableFailures.map((problem) => `${problem.file}:${problem.line} ${problem.kind}`),
    ['migrations/0001_init.sql:10 CreateStmt', 'migrations/0002_dump.sql:10 CREATE TABLE'],
  );
});

test('everything else is applied: tables after a failed statement, pg_trgm from PGlite contrib, GRANT/OWNER to roles created on demand', async () => {
  const rows = await db.withSession(async (session) => {
    const tables = await session.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`);
    const index = await session.query<{ def: string }>(`SELECT pg_get_indexdef('customers_name_trgm'::regclass) AS def`);
    const owner = await session.query<{ owner: string }>(`SELECT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE relname = 'customers'`);
    const grants = await session.query<{ ok: boolean }>(`SELECT has_table_privilege('analyst', 'customers', 'SELECT') AS ok`);
    const defaults = await session.query<{ d: string }>(`SELECT pg_get_expr(adbin, adrelid) AS d FROM pg_attrdef WHERE adrelid = 'invoices'::regclass ORDER BY adnum`);
    return { tables: tables.rows.map((row) => row.name), index: index.rows[0].def, owner: owner.rows[0].owner, grant: grants.rows[0].ok, defaults: defaults.rows.map((row) => row.d) };
  });
  assert.deepEqual(rows.tables, ['customers', 'invoices', 'orders']);
  assert.match(rows.index, /USING gin \(name gin_trgm_ops\)/);
  assert.equal(rows.owner, 'app_owner');
  assert.equal(rows.grant, true);
  assert.deepEqual(rows.defaults, ["'a;b'::text", "'x;y'::text"]);
});

test('settings made by a schema file (search_path of a pg_dump) do not leak into sessions', async () => {
  const searchPath = await db.withSession((session) => session.query<{ search_path: string }>('SHOW search_path'));
  assert.equal(searchPath.rows[0].search_path, 'public');
});
