// Connection settings that behave: PGHOST naming a unix socket directory (with PGUSER, PGDATABASE, PGPORT,
// PGPASSWORD) builds a URL pglens accepts and that connects; sslmode=require against a server without SSL is one
// line, without pg's multi-line SECURITY WARNING; and the redaction every output path uses, on the URL forms that
// leaked before.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from 'pg';
import { APP_PASSWORD, getSharedTestDatabase } from '../harness/postgres';
import { connectPostgres, resolveDatabaseUrl } from '../../server/src/engine/db/postgres';
import { DatabaseUnavailableError } from '../../server/src/engine/db/client';
import { passwordsInUrl, redactSecrets, redactUrl, splitCredentials } from '../../server/src/engine/redact';

let socketDir: string;
let port: string;
let url: string;
const warnings: string[] = [];
const onWarning = (warning: Error) => warnings.push(warning.message);

before(async () => {
  const shared = await getSharedTestDatabase();
  url = shared.url;
  port = new URL(url).port;
  const admin = new Client({ connectionString: shared.superuserUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ dirs: string }>('SELECT current_setting($1) AS dirs', ['unix_socket_directories']);
    socketDir = rows[0].dirs.split(',')[0].trim();
  } finally {
    await admin.end();
  }
  process.on('warning', onWarning);
});

after(() => {
  process.off('warning', onWarning);
});

describe('PGHOST as a unix socket directory', () => {
  test('with PGUSER, PGDATABASE, PGPORT and PGPASSWORD: the URL connects (local socket auth)', async () => {
    const { url: built, source } = resolveDatabaseUrl({
      env: { PGHOST: socketDir, PGUSER: 'app', PGDATABASE: 'pglens_test', PGPORT: port, PGPASSWORD: 'p@ss/w:rd' },
    });
    assert.equal(source, 'PG* variables');
    assert.ok(built);
    const client = await connectPostgres(built!, { connectTimeoutMs: 5000 });
    try {
      assert.equal(client.info.label, `app@${socketDir}:${port}/pglens_test`);
      const rows = await client.withSession((session) => session.query<{ usr: string }>('SELECT current_user AS usr'));
      assert.equal(rows.rows[0].usr, 'app');
    } finally {
      await client.close();
    }
  });

  test('a socket directory with no server: one clear line', async () => {
    const { url: built } = resolveDatabaseUrl({ env: { PGHOST: '/nonexistent-pglens-socket-dir', PGUSER: 'app', PGDATABASE: 'x' } });
    await assert.rejects(connectPostgres(built!, { connectTimeoutMs: 2000 }), (error: Error) => {
      assert.ok(error instanceof DatabaseUnavailableError);
      assert.match(error.message, /^cannot connect to postgres:\/\/app@\/x\?host=%2Fnonexistent-pglens-socket-dir: no server on that unix socket/);
      return true;
    });
  });
});

describe('sslmode against a server without SSL', () => {
  for (const mode of ['require', 'prefer', 'verify-ca', 'verify-full']) {
    test(`sslmode=${mode}: one line, no Node warning`, async () => {
      const started = Date.now();
      await assert.rejects(connectPostgres(`${url}?sslmode=${mode}`, { connectTimeoutMs: 5000 }), (error: Error) => {
        assert.ok(error instanceof DatabaseUnavailableError);
        assert.equal(error.message.includes('\n'), false);
        assert.match(error.message, new RegExp(`^cannot connect to postgres://app@127\\.0\\.0\\.1:${port}/pglens_test\\?sslmode=${mode}: The server does not support SSL connections$`));
        assert.ok(!error.message.includes(APP_PASSWORD));
        return true;
      });
      assert.ok(Date.now() - started < 5000);
      assert.deepEqual(warnings.filter((w) => /SECURITY WARNING|sslmode/i.test(w)), []);
    });
  }
});

test('a scram password that is missing fails at once and leaves no socket open', async () => {
  const noPassword = new URL(url);
  noPassword.password = '';
  const started = Date.now();
  await assert.rejects(connectPostgres(noPassword.toString(), { connectTimeoutMs: 5000 }), /the server asks for a password and none was given/);
  assert.ok(Date.now() - started < 5000);
  // The socket pg left open kept the event loop busy until the server's authentication_timeout: no handle of a
  // socket to the test server may remain.
  await new Promise((resolve) => setTimeout(resolve, 200));
  const sockets = (process as unknown as { _getActiveHandles(): unknown[] })
    ._getActiveHandles()
    .filter((h) => (h as { remotePort?: number }).remotePort === Number(port));
  assert.equal(sockets.length, 0);
});

describe('redaction', () => {
  const urls: Array<[string, string, string[]]> = [
    ['postgres:app:Pw1x@127.0.0.1:5/db', 'postgres:app@127.0.0.1:5/db', ['Pw1x']],
    ['postgres:/app:Pw1x@h/db', 'postgres:/app@h/db', ['Pw1x']],
    ['app:Pw1x@::x', 'app@::x', ['Pw1x']],
    ['postgres://u:p@ss:w/rd%?#Q1@h:5/x', 'postgres://u@h:5/x', ['p@ss:w/rd%?#Q1']],
    ['postgres://u:p%40ss@[::1]:5432/db?sslmode=require&password=q2&application_name=a', 'postgres://u@[::1]:5432/db?sslmode=require&application_name=a', ['p%40ss', 'p@ss', 'q2']],
    ['postgresql://db/dev', 'postgresql://db/dev', []],
    ['host=db password=topsecret', 'host=db password=***', []],
  ];
  for (const [input, redacted, passwords] of urls) {
    test(`redactUrl(${input})`, () => {
      assert.equal(redactUrl(input), redacted);
      assert.deepEqual(passwordsInUrl(input), passwords);
    });
  }

  test('redactSecrets: known passwords in every form, URL credentials in free text, SQL left alone', () => {
    const text = [
      'connect "postgres://u:p@ss:w/rd@h/x" failed;',
      'raw s3cr@t/pw encoded s3cr%40t%2Fpw json "s3cr@t\\/pw"',
      "select x::jsonb@>'{}' from t; mail ann@example.com; u:pw@host",
    ].join(' ');
    assert.equal(
      redactSecrets(text, ['s3cr@t/pw']),
      'connect "postgres://u@h/x" failed; raw *** encoded *** json "s3cr@t\\/pw" ' + "select x::jsonb@>'{}' from t; mail ann@example.com; u@host",
    );
  });

  test('splitCredentials reads malformed URLs for the editor\'s "select database"', () => {
    assert.deepEqual(splitCredentials('postgres://u:p@ss/w@h/x'), { user: 'u', password: 'p@ss/w', withoutPassword: 'postgres://u@h/x' });
    assert.deepEqual(splitCredentials('postgres://u@h/x'), { user: 'u', withoutPassword: 'postgres://u@h/x' });
    assert.equal(splitCredentials('postgres://h/x'), undefined);
  });
});
