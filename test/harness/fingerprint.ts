// A database fingerprint: everything a statement pglens did not mean to send could change, read through a superuser
// connection, so that a test can take one before and one after a run and show what differs, line by line.
//
// What it holds, per section (each a flat map of name -> value, so the diff names the exact thing that changed):
//  - rows:        the row count of every table in user schemas (a table that disappears shows as "(missing)");
//  - writes:      pg_stat_user_tables n_tup_ins / upd / del per table and in total (a rolled-back write counts too);
//  - relations:   every relation in user schemas with its kind and relfilenode (a TRUNCATE or rewrite changes it);
//  - catalog:     row counts of pg_class, pg_proc, pg_index, pg_namespace, pg_type, pg_trigger, pg_constraint,
//                 pg_attribute, pg_extension (whole catalog: a temp table, a function or a schema anywhere shows);
//  - sequences:   last_value of every sequence (nextval() is not rolled back);
//  - locks:       advisory locks held by anyone in this database (pg_locks locktype = 'advisory': they outlive a rollback);
//  - sessions:    pglens sessions of this database (application_name LIKE 'pglens%') left 'idle in transaction', and prepared
//                 (two-phase) transactions: both are leaks.
//
// Statistics are flushed by each backend on its own schedule (PostgreSQL 15: at most once a second while it is idle,
// up to ~10 s later when it flushed recently, and when it exits), not when another session reads them. So write
// counters are only exact once the sessions that could have written have left: `waitForSessionsToEnd` waits for
// that, plus a second for the exit flush. A fingerprint of a database a live pglens process (a language server) is
// still connected to is taken with `writes: false` and the counters are compared once the process has stopped.

import { Client } from 'pg';

export const FINGERPRINT_APPLICATION = 'test-fingerprint';

export type Section = Record<string, string>;

export interface Fingerprint {
  rows: Section;
  writes: Section;
  relations: Section;
  catalog: Section;
  sequences: Section;
  locks: Section;
  sessions: Section;
}

export interface FingerprintOptions {
  /** Read the write counters (default true). Off while a live pglens process may still hold unflushed statistics. */
  writes?: boolean;
}

export async function withClient<T>(url: string, work: (client: Client) => Promise<T>, applicationName = FINGERPRINT_APPLICATION): Promise<T> {
  const client = new Client({ connectionString: url, application_name: applicationName });
  // A server that goes away under a test must fail the test, not crash the process.
  client.on('error', () => {});
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Waits until no session whose application_name is LIKE `applicationPattern` is connected to the database of
 * `superuserUrl` (at most `timeoutMs`), then one more second for their exit flush of statistics.
 */
export async function waitForSessionsToEnd(superuserUrl: string, applicationPattern: string, timeoutMs = 20_000): Promise<void> {
  await withClient(superuserUrl, async (client) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { rows } = await client.query(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1 AND pid <> pg_backend_pid()',
        [applicationPattern],
      );
      if (rows[0].n === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
}

const USER_NAMESPACES = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%'`;
const CATALOGS = ['pg_class', 'pg_proc', 'pg_index', 'pg_namespace', 'pg_type', 'pg_trigger', 'pg_constraint', 'pg_attribute', 'pg_extension'];

/** Takes the fingerprint of the database `superuserUrl` names. */
export async function takeFingerprint(superuserUrl: string, options: FingerprintOptions = {}): Promise<Fingerprint> {
  return withClient(superuserUrl, async (client) => {
    // Our own backend's statistics snapshot is per transaction; a fresh one reads what the others flushed.
    await client.query('SELECT pg_stat_clear_snapshot()');
    const tables = await client.query<{ schema: string; name: string; qualified: string }>(
      `SELECT n.nspname AS schema, c.relname AS name, format('%I.%I', n.nspname, c.relname) AS qualified
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND ${USER_NAMESPACES} ORDER BY 1, 2`,
    );
    const rows: Section = {};
    for (const t of tables.rows) {
      // Identifiers come from the catalog and are quoted by format('%I'): hostile names included.
      const { rows: r } = await client.query(`SELECT count(*)::bigint AS n FROM ${t.qualified}`);
      rows[label(t.schema, t.name)] = String(r[0].n);
    }

    const writes: Section = {};
    if (options.writes !== false) {
      const stats = await client.query(
        `SELECT schemaname, relname, n_tup_ins, n_tup_upd, n_tup_del FROM pg_stat_user_tables ORDER BY schemaname, relname`,
      );
      let ins = 0n;
      let upd = 0n;
      let del = 0n;
      for (const s of stats.rows) {
        writes[label(s.schemaname, s.relname)] = `ins ${s.n_tup_ins} upd ${s.n_tup_upd} del ${s.n_tup_del}`;
        ins += BigInt(s.n_tup_ins);
        upd += BigInt(s.n_tup_upd);
        del += BigInt(s.n_tup_del);
      }
      writes['(all tables)'] = `ins ${ins} upd ${upd} del ${del}`;
    }

    const relations: Section = {};
    for (const r of (
      await client.query(
        `SELECT n.nspname, c.relname, c.relkind, c.relfilenode, c.relpersistence FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE ${USER_NAMESPACES} ORDER BY 1, 2`,
      )
    ).rows) {
      relations[label(r.nspname, r.relname)] = `kind ${r.relkind} filenode ${r.relfilenode} persistence ${r.relpersistence}`;
    }

    const catalog: Section = {};
    for (const name of CATALOGS) catalog[name] = String((await client.query(`SELECT count(*)::bigint AS n FROM pg_catalog.${name}`)).rows[0].n);

    const sequences: Section = {};
    for (const s of (await client.query(`SELECT schemaname, sequencename, last_value FROM pg_sequences ORDER BY 1, 2`)).rows) {
      sequences[label(s.schemaname, s.sequencename)] = String(s.last_value);
    }

    const locks: Section = {};
    for (const l of (
      await client.query(
        `SELECT l.pid, coalesce(a.application_name, '?') AS app, l.classid, l.objid, l.objsubid, l.mode, l.granted
           FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid
          WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY 2, 3, 4, 5`,
      )
    ).rows) {
      locks[`advisory ${l.classid}/${l.objid}/${l.objsubid} (${l.app})`] = `${l.mode}${l.granted ? '' : ' waiting'}`;
    }

    const sessions: Section = {};
    const idle = await client.query(
      `SELECT pid, application_name, state, left(query, 200) AS query FROM pg_stat_activity
        WHERE datname = current_database() AND application_name LIKE 'pglens%' AND application_name <> $1 AND state LIKE 'idle in transaction%' ORDER BY pid`,
      [FINGERPRINT_APPLICATION],
    );
    for (const s of idle.rows) sessions[`${s.application_name} pid ${s.pid}`] = `${s.state}: ${s.query}`;
    sessions['prepared transactions'] = String((await client.query('SELECT count(*)::int AS n FROM pg_prepared_xacts')).rows[0].n);

    return { rows, writes, relations, catalog, sequences, locks, sessions };
  });
}

function label(schema: string, name: string): string {
  return schema === 'public' ? JSON.stringify(name) : `${JSON.stringify(schema)}.${JSON.stringify(name)}`;
}

/**
 * What changed from `before` to `after`, one line per difference (`rows "victim": 3 -> (missing)`); empty when
 * nothing did. A section empty on either side (writes not taken) is not compared.
 */
export function diffFingerprints(before: Fingerprint, after: Fingerprint): string[] {
  const lines: string[] = [];
  for (const section of Object.keys(before) as (keyof Fingerprint)[]) {
    const a = before[section];
    const b = after[section];
    if (section === 'writes' && (Object.keys(a).length === 0 || Object.keys(b).length === 0)) continue;
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
      if (a[key] !== b[key]) lines.push(`${section} ${key}: ${a[key] ?? '(missing)'} -> ${b[key] ?? '(missing)'}`);
    }
  }
  return lines;
}

/** Whether a table exists (read through `superuserUrl`'s database). */
export async function tableExists(superuserUrl: string, qualifiedName: string): Promise<boolean> {
  return withClient(superuserUrl, async (client) => (await client.query('SELECT to_regclass($1) IS NOT NULL AS present', [qualifiedName])).rows[0].present);
}
