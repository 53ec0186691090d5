// Credentials never reach the output: with a password in --db, in pglens.json through ${env:VAR}, in a URL that
// cannot connect or that the server refuses, no format (stylish, json, sarif, --verbose) prints it.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { APP_PASSWORD, getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, runCli, scratchWorkspace } from './cliHarness';

before(() => ensureCliBuilt());

// Findings of every kind, so every message path runs: a plan finding, a plan error (missing table), a syntax error.
const workspace = scratchWorkspace({
  'queries.sql': [
    "SELECT id FROM orders WHERE customer_email = 'ann@example.com';",
    'SELECT * FROM no_such_table WHERE id = 1;',
    'SELECT FROM WHERE;',
    '',
  ].join('\n'),
  'src/app.ts': "import { pool } from './db';\nexport const q = (t: string) => pool.query(`SELECT * FROM ${t}`);\n",
});
after(() => workspace.remove());

function assertNoSecret(output: string, secrets: string[]): void {
  for (const secret of secrets) assert.ok(!output.includes(secret), `"${secret}" appears in the output:\n${output}`);
}

function withPassword(url: string, password: string): string {
  const u = new URL(url);
  u.password = password;
  return u.toString();
}

describe('the password of the database URL is never printed', { concurrency: true }, () => {
  for (const format of ['stylish', 'json', 'sarif']) {
    test(`--db with a password, --format ${format} --verbose`, async () => {
      const { url } = await getSharedTestDatabase();
      assert.ok(url.includes(`:${APP_PASSWORD}@`), 'the fixture URL carries a password');
      const result = await runCli(['check', '.', '--db', url, '--format', format, '--verbose'], { cwd: workspace.dir });
      assert.equal(result.code, 1, result.stderr);
      assert.match(result.stdout, /app@127\.0\.0\.1:\d+\/pglens_test/, 'the database is named, without the password');
      assert.match(result.stdout, /no_such_table/, 'the plan error is reported');
      assertNoSecret(result.stdout + result.stderr, [APP_PASSWORD]);
    });
  }

  test('pglens.json with ${env:VAR}', async () => {
    const { url } = await getSharedTestDatabase();
    const configured = scratchWorkspace({
      'pglens.json': '{ "database": { "url": "${env:PGLENS_CLI_SECRET_URL}", "lockTimeoutMs": 5000 } }',
      'q.sql': "SELECT id FROM orders WHERE customer_email = 'x';\nSELECT * FROM no_such_table;\n",
    });
    try {
      for (const format of ['stylish', 'json', 'sarif']) {
        const result = await runCli(['check', '--format', format, '--verbose'], { cwd: configured.dir, env: { PGLENS_CLI_SECRET_URL: url } });
        assert.equal(result.code, 0, result.stderr);
        assertNoSecret(result.stdout + result.stderr, [APP_PASSWORD]);
      }
    } finally {
      configured.remove();
    }
  });

  test('a wrong password: the server refuses, and neither password is printed', async () => {
    const { url } = await getSharedTestDatabase();
    const wrong = withPassword(url, 'Wr0ng-Pa55word');
    const result = await runCli(['check', '.', '--db', wrong, '--format', 'json'], { cwd: workspace.dir });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: password authentication failed for user "app"\n$/);
    assertNoSecret(result.stderr, ['Wr0ng-Pa55word', APP_PASSWORD]);
  });

  test('an unreachable server, a password with characters that need escaping', async () => {
    // p@ss:w/rd%, percent-encoded in the URL: neither form may appear.
    const result = await runCli(['check', '.', '--db', 'postgres://app:p%40ss%3Aw%2Frd%25@127.0.0.1:1/x?sslmode=disable', '--verbose'], {
      cwd: workspace.dir,
    });
    assert.equal(result.code, 2);
    assert.equal(result.stderr, 'pglens: cannot connect to postgres://app@127.0.0.1:1/x?sslmode=disable: connection refused\n');
    assertNoSecret(result.stdout + result.stderr, ['p@ss:w/rd%', 'p%40ss%3Aw%2Frd%25', 'p%40ss']);
  });

  test('a password in the query string (?password=)', async () => {
    const result = await runCli(['check', '.', '--db', 'postgres://app@127.0.0.1:1/x?password=Qu3ry-S3cret'], { cwd: workspace.dir });
    assert.equal(result.code, 2);
    assertNoSecret(result.stdout + result.stderr, ['Qu3ry-S3cret']);
  });
});
