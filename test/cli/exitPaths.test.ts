// Every way a run can fail ends the process as soon as the failure is reported: nothing (a pool, a socket, a timer,
// an embedded database) keeps it alive afterwards. Each case runs the real CLI with a bound (EXIT_BOUND_MS) that
// only a process that hangs reaches: this is not a speed assertion; it asserts the process ends by itself, with the
// right line and exit code.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const EXIT_BOUND_MS = 30_000;

const workspace = scratchWorkspace({ 'q.sql': 'SELECT id FROM users WHERE email = $1;\n' });
const badConfig = scratchWorkspace({ 'pglens.json': '{ "rules": { "seq-scan-large-table": "loud" } }', 'q.sql': 'select 1;\n' });
after(() => {
  workspace.remove();
  badConfig.remove();
});

/** The fixture URL without its password: the server asks for one (scram-sha-256) and the client has none. */
async function urlWithoutPassword(): Promise<string> {
  const url = new URL((await getSharedTestDatabase()).url);
  url.password = '';
  return url.toString();
}

const cases: { name: string; args: () => Promise<string[]>; cwd?: string; line: RegExp }[] = [
  {
    name: 'a URL without a password for a server that wants one',
    args: async () => ['check', '.', '--db', await urlWithoutPassword()],
    line: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: .*password/,
  },
  {
    name: 'the same, with --format json and several files',
    args: async () => ['check', '.', 'q.sql', '--db', await urlWithoutPassword(), '--format', 'json'],
    line: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: .*password/,
  },
  {
    name: 'locks with a URL without a password',
    args: async () => ['locks', 'q.sql', '--db', await urlWithoutPassword()],
    line: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:\d+\/pglens_test: .*password/,
  },
  {
    name: 'a refused connection',
    args: async () => ['check', '.', '--db', 'postgres://app@127.0.0.1:1/x'],
    line: /^pglens: cannot connect to postgres:\/\/app@127\.0\.0\.1:1\/x: connection refused$/,
  },
  {
    name: 'a URL that is not a PostgreSQL one',
    args: async () => ['check', '.', '--db', 'mysql://app@db/x'],
    line: /^pglens: invalid database URL "mysql:\/\/app@db\/x": /,
  },
  {
    name: 'an invalid pglens.json',
    args: async () => ['check', '.'],
    cwd: badConfig.dir,
    line: /^pglens: invalid config: .*pglens\.json:\d+: rules\.seq-scan-large-table: /,
  },
  {
    name: 'a file that does not exist',
    args: async () => ['check', 'missing.sql', '--no-embedded'],
    line: /^pglens: no such file or directory: .*missing\.sql$/,
  },
];

// One at a time: on a loaded machine seven CLIs starting at once would each take the time of all.
describe('every error path ends the process', () => {
  for (const { name, args, cwd, line } of cases) {
    test(`${name}: exit 2 with one line, and the process ends`, async () => {
      const result = await runCli(await args(), { cwd: cwd ?? workspace.dir, timeoutMs: EXIT_BOUND_MS });
      assert.equal(result.timedOut, false, `still running after ${EXIT_BOUND_MS} ms; stderr so far:\n${result.stderr}`);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = stderrLines(result);
      assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
      assert.match(lines[0], line);
    });
  }
});
