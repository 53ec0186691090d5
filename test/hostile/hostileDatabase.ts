// The databases the hostile corpus plans against: a schema of its own (a `victim` table, a sequence, a volatile
// function, and large tables whose names and columns are SQL, paths and quotes), built once as a template and cloned
// per purpose, so that a case that breaks one database can be undone by cloning it again.
//
//   <base>         hypopg installed (what-if planning with hypothetical indexes)
//   <base>_nohypo  no hypopg: the advisor's index trials (a real CREATE INDEX in a rolled-back transaction)
//   <base>_scsoff  `ALTER ROLE app IN DATABASE ... SET standard_conforming_strings = off` (+ backslash_quote = on,
//                  escape_string_warning = off): the server's own setting, scoped to this database so the other
//                  test files sharing the cluster are not affected.

import { withClient } from '../harness/fingerprint';
import { APP_ROLE } from '../harness/postgres';

export const VICTIM = 'public.victim';
/** Rows in each large table: enough for seq-scan-large-table (10,000 rows, scan cost 1,000) and the advisor. */
export const LARGE_ROWS = 100_000;

/** Names of tables, columns and schemas that are SQL, paths or quotes. */
export const HOSTILE_TABLE = 'x; DROP TABLE victim; --';
export const HOSTILE_COLUMN = 'email */ ; DROP TABLE victim; --';
export const TRAVERSAL_TABLE = '../../../../tmp/x';
export const QUOTED_TABLE = `we"ird.na'me`;
export const QUOTED_COLUMN = `co.l"umn`;
export const UNICODE_TABLE = 'tâblé_😀';
export const HOSTILE_SCHEMA = 'evil; DROP TABLE victim; --';

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

const SCHEMA_SQL = `
CREATE TABLE victim (id int PRIMARY KEY, note text NOT NULL);
INSERT INTO victim VALUES (1, 'a'), (2, 'b'), (3, 'c');
CREATE SEQUENCE s;
CREATE FUNCTION audit_fn() RETURNS int LANGUAGE sql VOLATILE AS $$ INSERT INTO victim SELECT max(id) + 1, 'audit' FROM victim RETURNING id $$;
CREATE TABLE people (id int PRIMARY KEY, email text NOT NULL, name text NOT NULL);
INSERT INTO people SELECT g, 'user' || g || '@example.com', 'name ' || g FROM generate_series(1, ${LARGE_ROWS}) g;
CREATE TABLE ${quoteIdent(HOSTILE_TABLE)} (id int PRIMARY KEY, ${quoteIdent(HOSTILE_COLUMN)} text NOT NULL);
INSERT INTO ${quoteIdent(HOSTILE_TABLE)} SELECT g, 'v' || g FROM generate_series(1, ${LARGE_ROWS}) g;
CREATE TABLE ${quoteIdent(TRAVERSAL_TABLE)} (id int PRIMARY KEY, email text NOT NULL);
INSERT INTO ${quoteIdent(TRAVERSAL_TABLE)} SELECT g, 'v' || g FROM generate_series(1, ${LARGE_ROWS}) g;
CREATE TABLE ${quoteIdent(QUOTED_TABLE)} (id int PRIMARY KEY, ${quoteIdent(QUOTED_COLUMN)} text NOT NULL);
INSERT INTO ${quoteIdent(QUOTED_TABLE)} SELECT g, 'v' || g FROM generate_series(1, ${LARGE_ROWS}) g;
CREATE TABLE ${quoteIdent(UNICODE_TABLE)} (id int PRIMARY KEY, "émail" text NOT NULL);
INSERT INTO ${quoteIdent(UNICODE_TABLE)} SELECT g, 'v' || g FROM generate_series(1, ${LARGE_ROWS}) g;
CREATE SCHEMA ${quoteIdent(HOSTILE_SCHEMA)};
CREATE TABLE ${quoteIdent(HOSTILE_SCHEMA)}.t (id int PRIMARY KEY, v text NOT NULL);
INSERT INTO ${quoteIdent(HOSTILE_SCHEMA)}.t SELECT g, 'v' || g FROM generate_series(1, ${LARGE_ROWS}) g;
`;

export interface HostileDatabases {
  /** Superuser URL of the cluster's maintenance database. */
  adminUrl: string;
  names: { main: string; nohypo: string; scsoff: string };
  appUrl(database: string): string;
  superuserUrl(database: string): string;
  /** Clones the template into `database` again (after a case damaged it). */
  reset(database: string): Promise<void>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Builds the template and its three clones in the cluster of `shared` (superuser and app URLs). */
export async function createHostileDatabases(shared: { url: string; superuserUrl: string; hypopg: boolean }, base: string): Promise<HostileDatabases> {
  const adminUrl = withDatabase(shared.superuserUrl, 'postgres');
  const template = `${base}_tpl`;
  const names = { main: base, nohypo: `${base}_nohypo`, scsoff: `${base}_scsoff` };
  const superuserUrl = (db: string) => withDatabase(shared.superuserUrl, db);
  const appUrl = (db: string) => withDatabase(shared.url, db);

  const clone = async (name: string) => {
    await withClient(adminUrl, async (admin) => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} OWNER ${APP_ROLE} STRATEGY FILE_COPY`);
      if (name === names.scsoff) {
        for (const setting of ['standard_conforming_strings = off', 'backslash_quote = on', 'escape_string_warning = off']) {
          await admin.query(`ALTER ROLE ${APP_ROLE} IN DATABASE ${name} SET ${setting}`);
        }
      }
    });
    if (shared.hypopg && name !== names.nohypo) await withClient(superuserUrl(name), (db) => db.query('CREATE EXTENSION IF NOT EXISTS hypopg'));
  };

  await withClient(adminUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${template} OWNER ${APP_ROLE}`);
  });
  await withClient(superuserUrl(template), async (db) => {
    await db.query('BEGIN');
    await db.query(`SET LOCAL ROLE ${APP_ROLE}`);
    await db.query(SCHEMA_SQL);
    await db.query('COMMIT');
    await db.query('VACUUM ANALYZE');
  });
  for (const name of Object.values(names)) await clone(name);

  return {
    adminUrl,
    names,
    appUrl,
    superuserUrl,
    reset: clone,
    drop: async () => {
      await withClient(adminUrl, async (admin) => {
        for (const name of [...Object.values(names), template]) {
          await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
          // ALTER ROLE ... IN DATABASE settings live in pg_db_role_setting, keyed by the database's oid: gone with it.
        }
      });
    },
  };
}
