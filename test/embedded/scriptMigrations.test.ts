// Migrations written as scripts are the schema too (db/embedded/scriptMigrations.ts): a migrations/ folder of ley or
// knex files, Kysely's sql`...`.execute(db), node-pg-migrate's pgm.sql. Their SQL for the way up is applied; `down`,
// seed rows with `${}` values and SQL pglens assembled are not.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { openEmbeddedDatabase, type EmbeddedDatabase } from '../../server/src/engine/db/embedded/embedded';
import { discoverSchemaFiles } from '../../server/src/engine/db/embedded/schemaDiscovery';
import { scriptMigrationSql } from '../../server/src/engine/db/embedded/scriptMigrations';
import { makeCacheDir, makeWorkspace, removeTemporary } from './helpers';

// ley + postgres.js: the table in `up`, its DROP in `down`
const LEY_CREATE = `import type { Sql } from 'postgres';

export type Note = { id: number; title: string };

export async function up(sql: Sql) {
  await sql\`
    CREATE TABLE notes (
      id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
      title varchar(80) NOT NULL,
      owner_id integer NOT NULL
    )
  \`;
}

export async function down(sql: Sql) {
  await sql\`DROP TABLE notes\`;
}
`;

// seed rows: values only known when the migration runs
const LEY_SEED = `import type { Sql } from 'postgres';

const notes = [{ id: 1, title: 'first' }];

export async function up(sql: Sql) {
  for (const note of notes) {
    await sql\`INSERT INTO notes (title, owner_id) VALUES (\${note.title}, 1)\`;
  }
}

export async function down(sql: Sql) {
  for (const note of notes) await sql\`DELETE FROM notes WHERE id = \${note.id}\`;
}
`;

// knex, CommonJS
const KNEX_INDEX = `exports.up = async (knex) => {
  await knex.raw('CREATE INDEX notes_owner_idx ON notes (owner_id)');
};

exports.down = async (knex) => {
  await knex.raw('DROP INDEX notes_owner_idx');
};
`;

// Kysely and an object of migrations
const KYSELY_TAGS = `import { type Kysely, sql } from 'kysely';

export default {
  async up(db: Kysely<unknown>) {
    await sql\`CREATE TABLE note_tags (note_id integer NOT NULL REFERENCES notes (id), tag text NOT NULL)\`.execute(db);
  },
  async down(db: Kysely<unknown>) {
    await sql\`DROP TABLE note_tags\`.execute(db);
  },
};
`;

test('a migrations/ folder of scripts and no SQL files: the scripts are its schema files, in natural order', async () => {
  const root = makeWorkspace({
    'migrations/00010-indexNotes.js': KNEX_INDEX,
    'migrations/00002-seedNotes.ts': LEY_SEED,
    'migrations/00001-createNotes.ts': LEY_CREATE,
    'migrations/00011-tags.ts': KYSELY_TAGS,
    'migrations/types.d.ts': 'export type X = 1;',
    'migrations/notes.test.ts': 'test()',
  });
  try {
    const files = (await discoverSchemaFiles(root)).map((file) => path.relative(root, file).split(path.sep).join('/'));
    assert.deepEqual(files, ['migrations/00001-createNotes.ts', 'migrations/00002-seedNotes.ts', 'migrations/00010-indexNotes.js', 'migrations/00011-tags.ts']);
  } finally {
    removeTemporary(root);
  }
  // A folder that has SQL files keeps to them.
  const mixed = makeWorkspace({ 'migrations/0001_init.sql': 'CREATE TABLE a (id int);', 'migrations/0002_seed.ts': LEY_SEED });
  try {
    assert.deepEqual((await discoverSchemaFiles(mixed)).map((file) => path.basename(file)), ['0001_init.sql']);
  } finally {
    removeTemporary(mixed);
  }
});

test("a monorepo app's drizzle-kit output (meta/_journal.json of dialect pg or postgresql) is found below the root; a SQLite one is not", async () => {
  const root = makeWorkspace({
    'apps/web/drizzle/0001_users.sql': 'CREATE TABLE users (id integer PRIMARY KEY);',
    'apps/web/drizzle/0000_init.sql': 'CREATE TABLE teams (id integer PRIMARY KEY);',
    'apps/web/drizzle/meta/_journal.json': '{ "version": "7", "dialect": "postgresql", "entries": [] }',
    'apps/web/drizzle/meta/0000_snapshot.json': '{}',
    'apps/edge/drizzle/0000_init.sql': 'CREATE TABLE kv (k text PRIMARY KEY);',
    'apps/edge/drizzle/meta/_journal.json': '{ "version": "7", "dialect": "sqlite", "entries": [] }',
    'examples/demo/drizzle/0000_init.sql': 'CREATE TABLE demo (id int);',
    'examples/demo/drizzle/meta/_journal.json': '{ "dialect": "pg" }',
  });
  try {
    const files = (await discoverSchemaFiles(root)).map((file) => path.relative(root, file).split(path.sep).join('/'));
    assert.deepEqual(files, ['apps/web/drizzle/0000_init.sql', 'apps/web/drizzle/0001_users.sql']);
  } finally {
    removeTemporary(root);
  }
});

test("the SQL of the way up only: not `down`, not a statement with a value, whatever the file's style", () => {
  const sqlOf = (file: string, text: string) => scriptMigrationSql(file, text).map((piece) => piece.text.replace(/\s+/g, ' ').trim());
  assert.deepEqual(sqlOf('/w/migrations/1.ts', LEY_CREATE), ['CREATE TABLE notes ( id integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY, title varchar(80) NOT NULL, owner_id integer NOT NULL )']);
  assert.deepEqual(sqlOf('/w/migrations/2.ts', LEY_SEED), []);
  assert.deepEqual(sqlOf('/w/migrations/3.js', KNEX_INDEX), ['CREATE INDEX notes_owner_idx ON notes (owner_id)']);
  assert.deepEqual(sqlOf('/w/migrations/4.ts', KYSELY_TAGS), ['CREATE TABLE note_tags (note_id integer NOT NULL REFERENCES notes (id), tag text NOT NULL)']);
  assert.deepEqual(sqlOf('/w/migrations/5.js', "exports.up = (pgm) => { pgm.sql('ALTER TABLE notes ADD COLUMN body text') }\nexports.down = (pgm) => { pgm.sql('ALTER TABLE notes DROP COLUMN body') }"), [
    'ALTER TABLE notes ADD COLUMN body text',
  ]);
});

let db: EmbeddedDatabase;
let root: string;
let cacheDir: string;

before(async () => {
  cacheDir = await makeCacheDir();
  root = makeWorkspace({
    'migrations/00001-createNotes.ts': LEY_CREATE,
    'migrations/00002-seedNotes.ts': LEY_SEED,
    'migrations/00010-indexNotes.js': KNEX_INDEX,
    'migrations/00011-tags.ts': KYSELY_TAGS,
  });
  db = await openEmbeddedDatabase({ workspaceRoot: root, cacheDir, volumes: { '*': 100 } });
});

after(async () => {
  await db?.close();
  removeTemporary(root, cacheDir);
});

test('the embedded database is built from them: tables and index, nothing dropped, no problem', async () => {
  const found = await db.withSession(async (session) => {
    const tables = await session.query<{ name: string }>(`SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace ORDER BY 1`);
    const indexes = await session.query<{ name: string }>(`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'notes' ORDER BY 1`);
    return { tables: tables.rows.map((row) => row.name), indexes: indexes.rows.map((row) => row.name) };
  });
  assert.deepEqual(found, { tables: ['note_tags', 'notes'], indexes: ['notes_owner_idx', 'notes_pkey'] });
  assert.deepEqual(db.schemaProblems, []);
});
