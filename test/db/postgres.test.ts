// connectPostgres against the real ephemeral cluster: what it reports about the server, how it fails (one line, never
// the password), and how sessions end (no open transaction, cancelled statements really stop on the server).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { Client } from 'pg';
import { DatabaseUnavailableError, type DatabaseClient } from '../../server/src/engine/db/client';
import { connectPostgres, redactUrl, resolveDatabaseUrl } from '../../server/src/engine/db/postgres';
import { APP_PASSWORD, getSharedTestDatabase, MISSING_HYPOPG_MESSAGE, type SharedTestDatabase } from '../harness/postgres';

let db: SharedTestDatabase;
let main: DatabaseClient;
let superuser: Client;

before(async () => {
  db = await getSharedTestDatabase();
  main = await connectPostgres(db.url);
  superuser = new Client({ connectionString: db.superuserUrl });
  await superuser.connect();
});
after(async () => {
  await main?.close();
  await superuser?.end();
});

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Rejects with the DatabaseUnavailableError of connecting to `url`, and how long that took. */
async function connectError(url: string, options?: Parameters<typeof connectPostgres>[1]): Promise<{ message: string; ms: number }> {
  const started = Date.now();
  try {
    const client = await connectPostgres(url, options);
    await client.close();
  } catch (error) {
    assert.ok(error instanceof DatabaseUnavailableError, `expected DatabaseUnavailableError, got ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/, 'one line');
    return { message: error.message, ms: Date.now() - started };
  }
  assert.fail(`connecting to ${redactUrl(url)} succeeded`);
}

describe('connecting', () => {
  test('reads the server version and builds a label without the password', async () => {
    const port = new URL(db.url).port;
    assert.equal(main.info.kind, 'postgres');
    assert.ok(main.info.serverVersionNum >= 150000, String(main.info.serverVersionNum));
    assert.match(main.info.serverVersion, /^\d+\.\d+/);
    assert.equal(main.info.label, `app@127.0.0.1:${port}/pglens_test`);
    assert.ok(!main.info.label.includes(APP_PASSWORD));
  });

  test('knows whether hypopg is installed in that database', async () => {
    assert.equal(main.info.hypopg, true, MISSING_HYPOPG_MESSAGE);
    const nohypo = await connectPostgres(db.nohypoUrl);
    try {
      assert.equal(nohypo.info.hypopg, false);
      assert.match(nohypo.info.label, /^app@127\.0\.0\.1:\d+\/pglens_nohypo$/);
    } finally {
      await nohypo.close();
    }
  });

  test('identifies itself as application_name pglens', async () => {
    const rows = await main.withSession((s) => s.query<{ name: string }>(`SELECT current_setting('application_name') AS name`));
    assert.deepEqual(rows.rows, [{ name: 'pglens' }]);
  });

  test('a wrong password: one line naming the user, without the password tried or the real one', async () => {
    const url = withPassword(db.url, 'wrong-Secret-123');
    const { message } = await connectError(url);
    const port = new URL(db.url).port;
    assert.equal(message, `cannot connect to postgres://app@127.0.0.1:${port}/pglens_test: password authentication failed for user "app"`);
    assert.ok(!message.includes('wrong-Secret-123') && !message.includes(APP_PASSWORD), message);
  });

  test('no password where one is required: says so', async () => {
    const { message } = await connectError(withPassword(db.url, ''), { connectTimeoutMs: 3000 });
    assert.match(message, /^cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: .*password/);
  });

  test('a database that does not exist', async () => {
    const u = new URL(db.url);
    u.pathname = '/no_such_db';
    const { message } = await connectError(u.toString());
    assert.match(message, /: database "no_such_db" does not exist$/);
    assert.ok(!message.includes(APP_PASSWORD));
  });

  test('a port nobody listens on fails fast with "connection refused"', async () => {
    const port = await freePort();
    const { message, ms } = await connectError(`postgres://app:${APP_PASSWORD}@127.0.0.1:${port}/pglens_test`);
    assert.equal(message, `cannot connect to postgres://app@127.0.0.1:${port}/pglens_test: connection refused`);
    assert.ok(ms < 3000, `took ${ms} ms`);
  });

  test('a host name that does not resolve', async () => {
    const { message, ms } = await connectError(`postgres://app:${APP_PASSWORD}@no-such-host.invalid:5432/dev`, { connectTimeoutMs: 3000 });
    // Without DNS at all, the lookup itself may be what times out.
    assert.match(message, /^cannot connect to postgres:\/\/app@no-such-host\.invalid:5432\/dev: (host "no-such-host\.invalid" not found|timeout after 3 s)$/);
    assert.ok(ms < 5000, `took ${ms} ms`);
  });

  test('a server that never answers times out after connectTimeoutMs', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    try {
      const { message, ms } = await connectError(`postgres://app:${APP_PASSWORD}@127.0.0.1:${port}/dev`, { connectTimeoutMs: 1000 });
      assert.equal(message, `cannot connect to postgres://app@127.0.0.1:${port}/dev: timeout after 1 s`);
      assert.ok(ms >= 900 && ms < 3000, `took ${ms} ms`);
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  test('an invalid URL is named, without its password', async () => {
    const notUrl = await connectError('not a url with:pass-word-1@');
    assert.match(notUrl.message, /^invalid database URL "not a url with@": expected postgres:\/\//);
    const mysql = await connectError('mysql://root:hunter2@db:3306/app');
    assert.equal(mysql.message, 'invalid database URL "mysql://root@db:3306/app": the scheme must be postgres:// or postgresql://, not mysql://');
    const badPort = await connectError('postgres://u:hunter2@db:99999/app');
    assert.match(badPort.message, /^invalid database URL "postgres:\/\/u@db:99999\/app": /);
    for (const m of [notUrl.message, mysql.message, badPort.message]) assert.ok(!/hunter2|pass-word-1/.test(m), m);
  });
});

describe('redactUrl', () => {
  test('removes the password and secret parameters, keeps the rest', () => {
    assert.equal(redactUrl('postgres://app:s3cr%40t@db:5432/dev'), 'postgres://app@db:5432/dev');
    assert.equal(redactUrl('postgresql://app@db/dev?sslmode=require&password=x1'), 'postgresql://app@db/dev?sslmode=require');
    assert.equal(redactUrl('postgres://db/dev'), 'postgres://db/dev');
    assert.equal(redactUrl('host=db password=topsecret'), 'host=db password=***');
    assert.equal(redactUrl('//u:topsecret@db x'), '//u@db x');
    assert.equal(redactUrl('postgres://u:top:secret@db:99999/x'), 'postgres://u@db:99999/x');
    assert.equal(redactUrl('see u:topsecret@db'), 'see u@db');
  });
});

describe('resolveDatabaseUrl', () => {
  const env = {
    DATABASE_URL: 'postgres://env@h/envdb',
    PGHOST: 'pghost',
    PGPORT: '6543',
    PGUSER: 'pguser',
    PGPASSWORD: 'p@ss',
    PGDATABASE: 'pgdb',
  };

  test('--db, then the config file, then DATABASE_URL, then PG* variables', () => {
    assert.deepEqual(resolveDatabaseUrl({ cliUrl: 'postgres://cli/db', configUrl: 'postgres://cfg/db', env }), {
      url: 'postgres://cli/db',
      source: 'cli',
    });
    assert.deepEqual(resolveDatabaseUrl({ configUrl: 'postgres://cfg/db', env }), { url: 'postgres://cfg/db', source: 'config' });
    assert.deepEqual(resolveDatabaseUrl({ env }), { url: 'postgres://env@h/envdb', source: 'DATABASE_URL' });
    assert.deepEqual(resolveDatabaseUrl({ env: { ...env, DATABASE_URL: '' } }), {
      url: 'postgres://pguser:p%40ss@pghost:6543/pgdb',
      source: 'PG* variables',
    });
    assert.deepEqual(resolveDatabaseUrl({ cliUrl: '  ', env: {} }), { source: 'none' });
  });

  test('PG* variables count only when PGHOST or PGDATABASE is set', () => {
    assert.deepEqual(resolveDatabaseUrl({ env: { PGUSER: 'me', PGPASSWORD: 'x' } }), { source: 'none' });
    assert.deepEqual(resolveDatabaseUrl({ env: { PGDATABASE: 'shop' } }), { url: 'postgres://localhost/shop', source: 'PG* variables' });
  });

  test('a socket directory in PGHOST becomes the host parameter, and connects', async () => {
    const r = resolveDatabaseUrl({ env: { PGHOST: '/var/run/postgresql', PGPORT: '5433', PGDATABASE: 'app', PGUSER: 'me' } });
    assert.deepEqual(r, { url: 'postgres://me@/app?host=%2Fvar%2Frun%2Fpostgresql&port=5433', source: 'PG* variables' });
    if (db.cluster) {
      // Only when this process started the cluster does it know the socket directory.
      const viaSocket = resolveDatabaseUrl({
        env: { PGHOST: db.cluster.host, PGPORT: String(db.cluster.port), PGDATABASE: 'pglens_test', PGUSER: 'postgres' },
      });
      const client = await connectPostgres(viaSocket.url!);
      try {
        assert.equal(client.info.label, `postgres@${db.cluster.host}:${db.cluster.port}/pglens_test`);
      } finally {
        await client.close();
      }
    }
  });
});

describe('sessions', () => {
  test('a session that BEGINs and throws is handed back with no open transaction', async () => {
    const client = await connectPostgres(db.url, { maxConnections: 1 });
    try {
      let firstPid = 0;
      await assert.rejects(
        client.withSession(async (s) => {
          firstPid = (await s.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
          await s.query('BEGIN READ ONLY');
          await s.query(`SET LOCAL statement_timeout = '1234ms'`);
          throw new Error('the work failed');
        }),
        /the work failed/,
      );
      await client.withSession(async (s) => {
        const { rows } = await s.query<{ pid: number; timeout: string }>(
          `SELECT pg_backend_pid() AS pid, current_setting('statement_timeout') AS timeout`,
        );
        assert.equal(rows[0].pid, firstPid, 'the same pooled connection');
        assert.equal(rows[0].timeout, '2s', "SET LOCAL was rolled back: the session's default (the config's timeout) again");
        await assert.rejects(s.exec('SAVEPOINT probe'), /transaction blocks/, 'not inside an earlier transaction');
      });
    } finally {
      await client.close();
    }
  });

  test('a transaction left open without an error, or failed, is rolled back too', async () => {
    const client = await connectPostgres(db.url, { maxConnections: 1 });
    try {
      await client.withSession(async (s) => {
        await s.query('BEGIN');
        await s.query(`SET LOCAL work_mem = '77MB'`);
      });
      await client.withSession(async (s) => {
        await s.query('BEGIN');
        await s.query('SELECT 1/0').catch(() => {});
      });
      const { rows } = await client.withSession(async (s) => {
        await assert.rejects(s.exec('SAVEPOINT probe'), /transaction blocks/, 'not inside an earlier transaction');
        return s.query<{ wm: string }>(`SELECT current_setting('work_mem') AS wm`);
      });
      assert.notEqual(rows[0].wm, '77MB');
    } finally {
      await client.close();
    }
  });

  test('abort cancels a running statement on the server within a second', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const session = main.withSession((s) => s.query('SELECT pg_sleep(10) /* pglens-abort-test */'), controller.signal);
    await new Promise((r) => setTimeout(r, 300));
    controller.abort();
    await assert.rejects(session, (e: Error) => e.name === 'AbortError');
    const ms = Date.now() - started;
    assert.ok(ms < 1500, `rejected after ${ms} ms`);
    // And the statement is gone from the server, not only from our side.
    let running = 1;
    for (let i = 0; i < 20 && running > 0; i++) {
      const { rows } = await superuser.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%pglens-abort-test%' AND pid <> pg_backend_pid()`,
      );
      running = rows[0].n;
      if (running) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(running, 0, 'pg_sleep still running on the server');
    assert.ok(Date.now() - started < 5000, 'statement stopped on the server within seconds');
  });

  test('an already aborted signal rejects without touching the database', async () => {
    let ran = false;
    await assert.rejects(
      main.withSession(async () => {
        ran = true;
      }, AbortSignal.abort()),
      (e: Error) => e.name === 'AbortError',
    );
    assert.equal(ran, false);
  });

  test('a connect whose timer fired only because this process was busy past the deadline is tried again, not a failure', async () => {
    const client = await connectPostgres(db.url, { maxConnections: 2, connectTimeoutMs: 300 });
    let release: (() => void) | undefined;
    const held = client.withSession(() => new Promise<void>((resolve) => (release = resolve)));
    try {
      await new Promise((resolve) => setTimeout(resolve, 100));
      // A second session needs a new connection: let it start, then keep the event loop busy past its deadline, as
      // a synchronous TypeScript Program build for another file does in a CLI run.
      const second = client.withSession((session) => session.query('SELECT 1 AS one'));
      await new Promise((resolve) => setImmediate(resolve));
      const busyUntil = Date.now() + 1000;
      while (Date.now() < busyUntil) {
        // busy
      }
      const result = await second;
      assert.equal((result.rows[0] as { one: number }).one, 1);
    } finally {
      release?.();
      await held;
      await client.close();
    }
  });

  test('at most maxConnections sessions at once; the others wait longer than the connect timeout without failing', async () => {
    const client = await connectPostgres(db.url, { maxConnections: 2, connectTimeoutMs: 500 });
    try {
      let active = 0;
      let peak = 0;
      await Promise.all(
        Array.from({ length: 6 }, () =>
          client.withSession(async (s) => {
            peak = Math.max(peak, ++active);
            await s.query('SELECT pg_sleep(0.3)');
            active--;
          }),
        ),
      );
      assert.equal(peak, 2);
    } finally {
      await client.close();
    }
  });

  test('query() sends one statement only: a text with two is refused by the server and runs neither', async () => {
    await main.withSession(async (s) => {
      await s.exec('CREATE TEMP TABLE pglens_two_statements (n int)');
      await assert.rejects(
        s.query("INSERT INTO pglens_two_statements VALUES (1); INSERT INTO pglens_two_statements VALUES (2)"),
        /cannot insert multiple commands into a prepared statement/,
      );
      // The classic: text a server with standard_conforming_strings off would split in three; pinned on, it is one
      // SELECT of two strings, and in any case one Parse message.
      await s.query("SELECT 'x\\' , '; INSERT INTO pglens_two_statements VALUES (3); --'");
      const { rows } = await s.query<{ n: string }>('SELECT count(*)::text AS n FROM pglens_two_statements');
      assert.equal(rows[0].n, '0');
      await s.exec('DROP TABLE pglens_two_statements');
    });
  });

  test('exec() runs pglens\'s own multi-statement text in one round trip', async () => {
    await main.withSession(async (s) => {
      await s.exec("BEGIN READ ONLY; SET LOCAL statement_timeout = 1234");
      const { rows } = await s.query<{ t: string; ro: string }>("SELECT current_setting('statement_timeout') AS t, current_setting('transaction_read_only') AS ro");
      assert.deepEqual(rows, [{ t: '1234ms', ro: 'on' }]);
      await s.exec('ROLLBACK');
    });
  });

  test('every connection has the configured statement and lock timeouts as its defaults, and ends abandoned transactions', async () => {
    const client = await connectPostgres(db.url, { maxConnections: 1, sessionLimits: { statementTimeoutMs: 1234, lockTimeoutMs: 56 } });
    try {
      const { rows } = await client.withSession((s) =>
        s.query<{ st: string; lt: string; it: string }>(
          "SELECT current_setting('statement_timeout') AS st, current_setting('lock_timeout') AS lt, current_setting('idle_in_transaction_session_timeout') AS it",
        ),
      );
      assert.deepEqual(rows[0], { st: '1234ms', lt: '56ms', it: '10min' });
    } finally {
      await client.close();
    }
  });

  test('standard_conforming_strings is pinned on, whatever the URL options say', async () => {
    const url = new URL(db.url);
    url.searchParams.set('options', '-c standard_conforming_strings=off');
    const client = await connectPostgres(url.toString(), { maxConnections: 1 });
    try {
      const { rows } = await client.withSession((s) => s.query<{ scs: string }>("SELECT current_setting('standard_conforming_strings') AS scs"));
      assert.equal(rows[0].scs, 'on');
      const dedicated = await client.withDedicatedSession((s) => s.query<{ scs: string }>("SELECT current_setting('standard_conforming_strings') AS scs"));
      assert.equal(dedicated.rows[0].scs, 'on');
    } finally {
      await client.close();
    }
  });

  test('a NUL byte in a statement is refused before anything is sent', async () => {
    await assert.rejects(main.withSession((s) => s.query('SELECT 1\u0000; DROP TABLE nothing')), /NUL byte/);
  });

  test('after close() no session starts', async () => {
    const client = await connectPostgres(db.url);
    await client.close();
    await assert.rejects(client.withSession((s) => s.query('SELECT 1')), /closed/);
  });
});
