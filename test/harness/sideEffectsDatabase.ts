// A database of its own (in the shared test cluster) holding things whose execution leaves traces: a volatile
// function that writes, a sequence, a view over that function, a STABLE function that calls the volatile one, and
// dblink. Tests of EXPLAIN ANALYZE's confirmation count those traces; creating them in the fixture database would
// disturb other test files that fingerprint it.

import { Client } from 'pg';
import { getSharedTestDatabase } from './postgres';

export interface SideEffectsDatabase {
  /** App role (password auth), the database created here. */
  url: string;
  /** Superuser, the database created here. */
  superuserUrl: string;
  dblink: boolean;
  /** Row count of audit_log, sequence s, advisory locks held in the cluster: what an unconfirmed run must leave as is. */
  counters(): Promise<{ auditRows: number; sequenceValue: string; advisoryLocks: number }>;
  drop(): Promise<void>;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Each text in its own round trip: DROP/CREATE DATABASE cannot share an (implicit) transaction. */
async function run(url: string, ...texts: string[]): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of texts) await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createSideEffectsDatabase(): Promise<SideEffectsDatabase> {
  const shared = await getSharedTestDatabase();
  const name = `pglens_side_effects_${process.pid}`;
  const appUser = new URL(shared.url).username;
  await run(shared.superuserUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, `CREATE DATABASE ${name} OWNER ${appUser} TEMPLATE template0`);
  const url = withDatabase(shared.url, name);
  const superuserUrl = withDatabase(shared.superuserUrl, name);
  await run(
    url,
    `CREATE TABLE audit_log (id serial PRIMARY KEY, note text);
     INSERT INTO audit_log (note) SELECT 'row ' || g FROM generate_series(1, 20) g;
     CREATE SEQUENCE s;
     CREATE FUNCTION audit_fn() RETURNS int LANGUAGE sql VOLATILE AS $$ INSERT INTO audit_log (note) VALUES ('audit') RETURNING 1 $$;
     CREATE FUNCTION stable_wrapper() RETURNS int LANGUAGE plpgsql STABLE AS $$ BEGIN RETURN audit_fn(); END $$;
     CREATE FUNCTION double_it(int) RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT $1 * 2 $$;
     CREATE VIEW audit_view AS SELECT audit_fn() AS written;
     CREATE VIEW audit_view_outer AS SELECT * FROM audit_view;
     CREATE VIEW plain_view AS SELECT id, lower(note) AS note FROM audit_log;
     CREATE TABLE guarded (id int);
     ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;
     CREATE POLICY guarded_by_audit ON guarded USING (audit_fn() > 0);
     ANALYZE audit_log;`,
  );
  const available = new Client({ connectionString: superuserUrl });
  await available.connect();
  let dblink = false;
  try {
    dblink = (await available.query("SELECT 1 FROM pg_available_extensions WHERE name = 'dblink'")).rowCount === 1;
    if (dblink) await available.query('CREATE EXTENSION dblink');
  } finally {
    await available.end();
  }
  return {
    url,
    superuserUrl,
    dblink,
    async counters() {
      const client = new Client({ connectionString: superuserUrl });
      await client.connect();
      try {
        const { rows } = await client.query<{ audit_rows: string; sequence_value: string; advisory_locks: string }>(
          `SELECT (SELECT count(*) FROM audit_log)::text AS audit_rows,
                  (SELECT last_value::text || '/' || is_called::text FROM s) AS sequence_value,
                  (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory')::text AS advisory_locks`,
        );
        return { auditRows: Number(rows[0].audit_rows), sequenceValue: rows[0].sequence_value, advisoryLocks: Number(rows[0].advisory_locks) };
      } finally {
        await client.end();
      }
    },
    drop: () => run(shared.superuserUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}
