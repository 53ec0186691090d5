// Secrets never leak, whatever fails: every error path the CLI and the language server can be driven into (malformed
// URLs, unencoded password characters, an unreachable or unknown host, a wrong or missing password, a database that
// does not exist, sslmode against a server without SSL, PostgreSQL error text that carries the password) runs in each
// output format, and every byte printed is searched for the password, its encoded forms and any 4-character piece of
// them. Each error exit is timed: none may wait much beyond the connect timeout (a missing scram password used to
// keep the CLI alive until the server's 60 s authentication_timeout).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_PASSWORD, getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, runCli, scratchWorkspace } from './cliHarness';
import { LspTestClient } from '../lsp/lspTestClient';
import { createWorkspace } from '../lsp/fixtureWorkspace';

/** pglens's default connect timeout is 5 s; an error exit may take a few seconds more (process start, a slow CI). */
const MAX_ERROR_EXIT_MS = 5_000 + 5_000;

let port: number;
let appUrl: string;

before(async () => {
  ensureCliBuilt();
  appUrl = (await getSharedTestDatabase()).url;
  port = Number(new URL(appUrl).port);
});

// Findings of every kind, so every message path runs, and a plan error whose PostgreSQL text carries the password.
const workspace = scratchWorkspace({
  'queries.sql': [
    "SELECT id FROM orders WHERE customer_email = 'ann@example.com';",
    `SELECT * FROM "t ${APP_PASSWORD} u";`,
    'SELECT FROM WHERE;',
    '',
  ].join('\n'),
});
after(() => workspace.remove());

/** Every form of a secret that must not be printed: as written, percent-encoded, and every 4-character piece. */
function forbiddenForms(secret: string): string[] {
  const forms = new Set<string>();
  for (const whole of [secret, encodeURIComponent(secret)]) {
    forms.add(whole);
    for (let i = 0; i + 4 <= whole.length; i++) forms.add(whole.slice(i, i + 4));
  }
  return [...forms];
}

function assertNoSecret(output: string, secret: string, what: string): void {
  for (const form of forbiddenForms(secret)) {
    assert.ok(!output.includes(form), `${what}: "${form}" (from the password "${secret}") appears in the output:\n${output}`);
  }
}

interface ErrorCase {
  name: string;
  url: () => string;
  /** The password the URL carries (checked in every output). */
  secret: string;
  /** What the one stderr line must say. */
  message: RegExp;
}

// Passwords made of letters that no message contains, so a 4-character piece of one is a leak and nothing else.
const cases: ErrorCase[] = [
  {
    name: 'scheme without slashes (postgres:user:pw@host)',
    url: () => `postgres:app:Qz7xKv9wJm@127.0.0.1:${port}/pglens_test`,
    secret: 'Qz7xKv9wJm',
    message: /^pglens: invalid database URL "postgres:app@127\.0\.0\.1:\d+\/pglens_test": expected postgres:\/\/ \(two slashes\)/,
  },
  {
    name: 'scheme with one slash (postgres:/user:pw@host)',
    url: () => `postgres:/app:Hy4Wq8ZkVx@127.0.0.1:${port}/pglens_test`,
    secret: 'Hy4Wq8ZkVx',
    message: /^pglens: invalid database URL "postgres:\/app@127\.0\.0\.1:\d+\/pglens_test": expected postgres:\/\//,
  },
  {
    name: 'no scheme, IPv6-looking host (user:pw@::x)',
    url: () => 'app:Jx6Vb2QwZy@::x',
    secret: 'Jx6Vb2QwZy',
    message: /^pglens: invalid database URL "app@::x": the scheme must be postgres:\/\/ or postgresql:\/\//,
  },
  {
    name: 'unencoded @ : / % ? # in the password',
    url: () => `postgres://app:Vq@7Jx:W/Zr%?#K9@127.0.0.1:${port}/pglens_test`,
    secret: 'Vq@7Jx:W/Zr%?#K9',
    message: /^pglens: invalid database URL "postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test": the user or password has characters that must be percent-encoded/,
  },
  {
    name: 'a bad %-escape in the password',
    url: () => `postgres://app:Wk%zzQ8vYt@127.0.0.1:${port}/pglens_test`,
    secret: 'Wk%zzQ8vYt',
    message: /^pglens: invalid database URL "postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test": bad %-escape/,
  },
  {
    name: 'unreachable port',
    url: () => 'postgres://app:Zm3Kq7XwVj@127.0.0.1:1/pglens_test',
    secret: 'Zm3Kq7XwVj',
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:1\/pglens_test: connection refused$/,
  },
  {
    name: 'unknown host',
    url: () => 'postgres://app:Bv8Jq2WzXk@pglens-no-such-host.invalid/pglens_test',
    secret: 'Bv8Jq2WzXk',
    message: /^pglens: cannot connect to postgres:\/\/app@pglens-no-such-host\.invalid\/pglens_test: (host "pglens-no-such-host\.invalid" not found|timeout after 5 s)$/,
  },
  {
    name: 'wrong password (scram)',
    url: () => `postgres://app:Xq5Zw9KjVy@127.0.0.1:${port}/pglens_test`,
    secret: 'Xq5Zw9KjVy',
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: password authentication failed for user "app"$/,
  },
  {
    name: 'wrong password with encoded special characters',
    url: () => `postgres://app:${encodeURIComponent('Kw@9:Zx/Qv%Jy')}@127.0.0.1:${port}/pglens_test`,
    secret: 'Kw@9:Zx/Qv%Jy',
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: password authentication failed for user "app"$/,
  },
  {
    name: 'no password where scram asks for one',
    url: () => `postgres://app@127.0.0.1:${port}/pglens_test`,
    secret: APP_PASSWORD,
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: the server asks for a password and none was given/,
  },
  {
    name: 'a database that does not exist',
    url: () => `postgres://app:${APP_PASSWORD}@127.0.0.1:${port}/pglens_no_such_db`,
    secret: APP_PASSWORD,
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_no_such_db: database "pglens_no_such_db" does not exist$/,
  },
  {
    name: 'sslmode=require against a server without SSL',
    url: () => `postgres://app:${APP_PASSWORD}@127.0.0.1:${port}/pglens_test?sslmode=require`,
    secret: APP_PASSWORD,
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test\?sslmode=require: The server does not support SSL connections$/,
  },
  {
    name: '?password= in the query string',
    url: () => `postgres://app@127.0.0.1:1/pglens_test?password=Yj4Qx8WvKz&sslmode=disable`,
    secret: 'Yj4Qx8WvKz',
    message: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:1\/pglens_test\?sslmode=disable: connection refused$/,
  },
];

describe('CLI error paths: one line, no password, in seconds', { concurrency: 4 }, () => {
  for (const c of cases) {
    for (const args of [['--format', 'stylish', '--verbose'], ['--format', 'json'], ['--format', 'sarif'], ['locks']]) {
      const label = args[0] === 'locks' ? 'locks --db' : `check ${args.join(' ')}`;
      test(`${c.name}: ${label}`, async () => {
        const argv = args[0] === 'locks' ? ['locks', 'queries.sql', '--db', c.url()] : ['check', '.', '--db', c.url(), ...args];
        const started = Date.now();
        const result = await runCli(argv, { cwd: workspace.dir });
        const elapsed = Date.now() - started;
        assert.equal(result.timedOut, false, 'the CLI hung');
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, '');
        const lines = result.stderr.split('\n').filter((line) => line !== '');
        assert.equal(lines.length, 1, `one line on stderr (no Node warning, no stack):\n${result.stderr}`);
        assert.match(lines[0], c.message);
        assertNoSecret(result.stdout + result.stderr, c.secret, c.name);
        assert.ok(elapsed < MAX_ERROR_EXIT_MS, `exited after ${elapsed} ms`);
      });
    }
  }
});

describe('CLI success paths with a password: reports in every format carry none', { concurrency: true }, () => {
  for (const format of ['stylish', 'json', 'sarif']) {
    test(`--db, --format ${format}: a PostgreSQL error that quotes the password is redacted`, async () => {
      const result = await runCli(['check', '.', '--db', appUrl, '--format', format, '--verbose'], { cwd: workspace.dir });
      assert.equal(result.code, 1, result.stderr);
      // The plan error of the table named after the password is reported, with the password taken out.
      assert.match(result.stdout, /relation \\?"t \*\*\* u\\?" does not exist/);
      assertNoSecret(result.stdout + result.stderr, APP_PASSWORD, format);
    });
  }

  test('PGPASSWORD and a pglens.json URL: not printed in the report or the error', async () => {
    const configured = scratchWorkspace({
      'pglens.json': JSON.stringify({ database: { url: `postgres://app@127.0.0.1:${port}/pglens_no_such_db` } }),
      'q.sql': 'SELECT 1;\n',
    });
    try {
      const result = await runCli(['check', '--format', 'json'], { cwd: configured.dir, env: { PGPASSWORD: APP_PASSWORD } });
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_no_such_db: database "pglens_no_such_db" does not exist\n$/);
      assertNoSecret(result.stdout + result.stderr, APP_PASSWORD, 'PGPASSWORD');
    } finally {
      configured.remove();
    }
  });
});

describe('language server error paths: no password in any log, status or message', { concurrency: 4 }, () => {
  for (const c of cases.filter((c) => !c.name.startsWith('no scheme'))) {
    test(`${c.name}: pglens.json database.url`, async () => {
      const folder = createWorkspace({ database: { url: c.url() } });
      const client = await LspTestClient.start({ rootDir: folder.dir, settings: {} });
      try {
        const started = Date.now();
        const status = await client.waitForStatus((s) => (s.folders as { state: string }[])[0]?.state === 'disconnected', 30_000);
        const elapsed = Date.now() - started;
        const reason = (status.folders as { reason: string }[])[0].reason;
        assert.match(`pglens: ${reason}`, new RegExp(c.message.source.replace(/\$$/, '')));
        assert.ok(elapsed < MAX_ERROR_EXIT_MS, `disconnected after ${elapsed} ms`);
        // A document analysed with the static rules, so its log lines are in too.
        const uri = folder.write('q.sql', 'create index i on orders (note);\n');
        await client.open(uri, 'sql', 'create index i on orders (note);\n');
        await client.waitForDiagnostics(uri);
        const everything = [JSON.stringify(client.statuses), ...client.logs, ...client.stderr, JSON.stringify(client.published)].join('\n');
        assertNoSecret(everything, c.secret, c.name);
        assert.doesNotMatch(everything, /SECURITY WARNING/);
      } finally {
        await client.stop();
        folder.remove();
      }
    });
  }

  test('the editor password (secret storage) with a URL the server refuses: never logged', async () => {
    const folder = createWorkspace({ database: { url: `postgres://app@127.0.0.1:${port}/pglens_test` } });
    const client = await LspTestClient.start({ rootDir: folder.dir, settings: {}, initializationOptions: { password: 'Wz9Kx4QvJy' } });
    try {
      const status = await client.waitForStatus((s) => (s.folders as { state: string }[])[0]?.state === 'disconnected', 30_000);
      assert.match((status.folders as { reason: string }[])[0].reason, /password authentication failed/);
      assertNoSecret([JSON.stringify(client.statuses), ...client.logs, ...client.stderr].join('\n'), 'Wz9Kx4QvJy', 'secret storage');
    } finally {
      await client.stop();
      folder.remove();
    }
  });
});
