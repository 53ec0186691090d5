// Issue 10, "Done when", fault tests: a database that stops in the middle of a check, a table held under ACCESS
// EXCLUSIVE by someone else, connections exhausted, and a pglens.json that is a FIFO or /dev/zero. These stop the
// server and hold locks, so they run on a cluster of their own (startEphemeralPostgres), not the shared one.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { withClient } from '../harness/fingerprint';
import { APP_ROLE, startEphemeralPostgres, type EphemeralPostgres } from '../harness/postgres';
import { CLI_PATH, cleanEnv, ensureCliBuilt, runCli, stderrLines, type CliResult } from '../cli/cliHarness';
import { ensureServerBuilt, LspTestClient, pathToUri } from '../lsp/lspTestClient';
import { stackTraceIn, writeRepository, type Repository } from './hostileHarness';

const DATABASE = 'pglens_faults';
const LOCK_HOLDER = 'faults-lock-holder';
/** pglens's defaults (docs/configuration.md): statement_timeout 2 s, lock_timeout 100 ms. */
const STATEMENT_TIMEOUT_MS = 2000;
/** "Within a few seconds of its timeouts": node's start, the connection, one statement timeout, and slack for 2 busy cores. */
const TIMEOUT_BOUND_MS = STATEMENT_TIMEOUT_MS + 8000;

let cluster: EphemeralPostgres;

const SCHEMA = `
CREATE TABLE big (id int PRIMARY KEY, v text NOT NULL);
INSERT INTO big SELECT g, 'v' || g FROM generate_series(1, 100000) g;
CREATE TABLE unrelated (id int PRIMARY KEY);
`;

/** A file the run plans: a sequential scan of `big` (a finding), and never a word about `unrelated`. */
const QUERY_SQL = `SELECT * FROM big WHERE v = 'a';\nSELECT id FROM big WHERE id = 1;\n`;

before(async () => {
  ensureCliBuilt();
  ensureServerBuilt();
  cluster = await startEphemeralPostgres({ database: DATABASE, extraConfig: ['max_connections = 20', 'superuser_reserved_connections = 3'] });
  await withClient(cluster.superuserUrl, async (db) => {
    await db.query(`SET ROLE ${APP_ROLE}`);
    await db.query(SCHEMA);
    await db.query('RESET ROLE');
    await db.query('VACUUM ANALYZE');
  });
});

after(async () => {
  await cluster?.stop();
});

function repo(files: Record<string, string>, config: Record<string, unknown> = {}): Repository {
  return writeRepository('faults', { 'pglens.json': JSON.stringify({ database: { url: cluster.url }, ...config }), ...files });
}

function describeRun(result: CliResult, ms?: number): string {
  return `exit ${result.code}${result.timedOut ? ' (killed: hung)' : ''}${ms !== undefined ? ` after ${ms} ms` : ''}\nstderr:\n${result.stderr.slice(0, 2000)}\nstdout:\n${result.stdout.slice(0, 2000)}`;
}

async function timedCli(args: string[], cwd: string, timeoutMs = 60_000): Promise<{ result: CliResult; ms: number }> {
  const started = Date.now();
  const result = await runCli(args, { cwd, timeoutMs });
  return { result, ms: Date.now() - started };
}

/** pg_ctl as the server's OS user (the harness runs the server as `postgres` when the tests run as root). */
function pgCtl(args: string[]): void {
  const bin = join(cluster.bindir, 'pg_ctl');
  const [cmd, argv] = process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
  const result = spawnSync(cmd, argv, { encoding: 'utf8', env: { PATH: process.env.PATH, LANG: 'C', LC_ALL: 'C' } });
  if (result.status !== 0) throw new Error(`pg_ctl ${args.join(' ')} failed: ${result.stdout}${result.stderr}`);
}
const stopServer = () => pgCtl(['stop', '-D', cluster.dataDir, '-m', 'immediate', '-w', '-t', '30']);
const startServer = () => pgCtl(['start', '-D', cluster.dataDir, '-l', cluster.logFile, '-w', '-t', '60']);

describe('a table held under ACCESS EXCLUSIVE that the checked code never names', () => {
  let holder: Client;
  let repository: Repository;
  before(async () => {
    repository = repo({ 'sql/query.sql': QUERY_SQL, 'migrations/001_add.sql': 'ALTER TABLE big ADD COLUMN note text;\n' });
    holder = new Client({ connectionString: cluster.superuserUrl, application_name: LOCK_HOLDER });
    holder.on('error', () => {});
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query('LOCK TABLE unrelated IN ACCESS EXCLUSIVE MODE');
  });
  after(async () => {
    await holder?.query('ROLLBACK').catch(() => {});
    await holder?.end().catch(() => {});
    repository?.remove();
  });

  test('pglens check finishes within a few seconds of its timeouts and still plans the query', async () => {
    const { result, ms } = await timedCli(['check', '.', '--format', 'json'], repository.dir);
    assert.ok(ms < TIMEOUT_BOUND_MS, `finished in ${ms} ms (bound ${TIMEOUT_BOUND_MS})\n${describeRun(result, ms)}`);
    assert.equal(stackTraceIn(result.stderr + result.stdout), undefined, describeRun(result, ms));
    assert.ok(result.stdout.includes('seq-scan-large-table'), `the query of big was planned\n${describeRun(result, ms)}`);
  });

  test('pglens locks --db finishes within a few seconds of its timeouts', async () => {
    const { result, ms } = await timedCli(['locks', 'migrations/001_add.sql', '--db', cluster.url], repository.dir);
    assert.ok(ms < TIMEOUT_BOUND_MS, `finished in ${ms} ms (bound ${TIMEOUT_BOUND_MS})\n${describeRun(result, ms)}`);
    assert.equal(stackTraceIn(result.stderr + result.stdout), undefined, describeRun(result, ms));
    assert.match(result.stdout, /ACCESS EXCLUSIVE/i, describeRun(result, ms));
  });

  test("the language server's first analysis finishes within a few seconds of its timeouts", async () => {
    const client = await LspTestClient.start({ rootDir: repository.dir, settings: {}, env: { DATABASE_URL: '', PGOPTIONS: '' } });
    try {
      const uri = pathToUri(join(repository.dir, 'sql/query.sql'));
      const started = Date.now();
      await client.open(uri, 'sql', QUERY_SQL);
      const published = await client.waitForDiagnostics(uri, { version: 1, timeoutMs: 60_000 });
      const ms = Date.now() - started;
      assert.ok(ms < TIMEOUT_BOUND_MS, `first diagnostics after ${ms} ms (bound ${TIMEOUT_BOUND_MS})`);
      assert.ok(published.diagnostics.some((d) => d.code === 'seq-scan-large-table'), JSON.stringify(published.diagnostics.map((d) => [d.code, d.message])));
    } finally {
      await client.stop();
    }
  });
});

describe('connections exhausted', () => {
  let repository: Repository;
  before(() => {
    // Several files, so that pglens wants more than one session at once.
    const files: Record<string, string> = {};
    for (let i = 0; i < 12; i++) files[`sql/q${i}.sql`] = `SELECT * FROM big WHERE v = 'a${i}';\nSELECT * FROM big WHERE v LIKE 'b${i}%' ORDER BY v;\n`;
    repository = repo(files);
  });
  after(async () => {
    await withClient(cluster.superuserUrl, (db) => db.query(`ALTER ROLE ${APP_ROLE} CONNECTION LIMIT -1`));
    repository?.remove();
  });

  test('a role limited to one connection: the statements that could not be planned are counted, exit 2', async () => {
    await withClient(cluster.superuserUrl, (db) => db.query(`ALTER ROLE ${APP_ROLE} CONNECTION LIMIT 1`));
    try {
      const { result, ms } = await timedCli(['check', '.'], repository.dir);
      assert.equal(stackTraceIn(result.stderr + result.stdout), undefined, describeRun(result, ms));
      assert.equal(result.code, 2, `a run that could not plan everything does not pass\n${describeRun(result, ms)}`);
      const unplanned = /(\d+) statements? (was|were) not planned/.exec(result.stdout + result.stderr);
      if (unplanned) assert.ok(Number(unplanned[1]) > 0);
      else {
        // Everything planned on the one connection pglens got is also acceptable, as long as the summary says so.
        assert.match(result.stdout, /24 statements \(24 planned\)/, `"not planned" in the summary\n${describeRun(result, ms)}`);
      }
    } finally {
      await withClient(cluster.superuserUrl, (db) => db.query(`ALTER ROLE ${APP_ROLE} CONNECTION LIMIT -1`));
    }
  });

  test('max_connections reached by held clients: one clear line, exit 2, in a few seconds', async () => {
    const held: Client[] = [];
    try {
      // 20 connections, 3 reserved for superusers: 17 for everyone else.
      for (let i = 0; i < 17; i++) {
        const c = new Client({ connectionString: cluster.url, application_name: 'faults-hog' });
        c.on('error', () => {});
        await c.connect();
        held.push(c);
      }
      const { result, ms } = await timedCli(['check', '.'], repository.dir);
      assert.equal(result.code, 2, describeRun(result, ms));
      assert.equal(stackTraceIn(result.stderr + result.stdout), undefined, describeRun(result, ms));
      const lines = stderrLines(result);
      assert.equal(lines.length, 1, `one line\n${describeRun(result, ms)}`);
      assert.match(lines[0], /^pglens: /);
      assert.match(lines[0], /too many|connection|not planned/i);
      assert.ok(!lines[0].includes('app-secret'), 'no password');
      assert.ok(ms < TIMEOUT_BOUND_MS, `in ${ms} ms`);
    } finally {
      await Promise.all(held.map((c) => c.end().catch(() => {})));
    }
  });
});

describe('pglens.json that is not a regular file', () => {
  let repository: Repository;
  before(() => {
    repository = repo({ 'sql/query.sql': QUERY_SQL });
  });
  after(() => repository?.remove());

  for (const kind of ['a FIFO', 'a symlink to /dev/zero'] as const) {
    test(`${kind}: pglens check stops with one clear line within a second`, async () => {
      const dir = writeRepository('faults-config', { 'sql/query.sql': QUERY_SQL }).dir;
      const config = join(dir, 'pglens.json');
      if (kind === 'a FIFO') assert.equal(spawnSync('mkfifo', [config]).status, 0, 'mkfifo');
      else symlinkSync('/dev/zero', config);
      try {
        // The node start-up is not pglens's: measured against `pglens --version`.
        const baseline = await timedCli(['--version'], dir, 30_000);
        const { result, ms } = await timedCli(['check', '.', '--db', cluster.url], dir, 30_000);
        assert.equal(result.timedOut, false, `hung\n${describeRun(result, ms)}`);
        assert.ok(ms - baseline.ms < 1000, `took ${ms} ms (${baseline.ms} ms for --version)\n${describeRun(result, ms)}`);
        assert.equal(result.code, 2, describeRun(result, ms));
        assert.equal(stackTraceIn(result.stderr + result.stdout), undefined, describeRun(result, ms));
        const lines = stderrLines(result);
        assert.equal(lines.length, 1, describeRun(result, ms));
        assert.match(lines[0], /pglens\.json/);
      } finally {
        spawnSync('rm', ['-rf', dir]);
      }
    });

    test(`${kind}: the language server says so and keeps answering`, async () => {
      const dir = writeRepository('faults-config', { 'sql/query.sql': QUERY_SQL }).dir;
      const config = join(dir, 'pglens.json');
      if (kind === 'a FIFO') assert.equal(spawnSync('mkfifo', [config]).status, 0, 'mkfifo');
      else symlinkSync('/dev/zero', config);
      const client = await LspTestClient.start({ rootDir: dir, settings: {}, env: { DATABASE_URL: '', PGOPTIONS: '' } });
      try {
        // The folder's status names the file at once (whatever pglens then falls back to: defaults, the embedded database).
        const status = await client.waitForStatus((s) => {
          const folder = (s.folders as { configError?: string }[])[0];
          return folder?.configError !== undefined;
        }, 10_000);
        const folder = (status.folders as { configError?: string }[])[0];
        assert.match(String(folder.configError), /pglens\.json/, JSON.stringify(folder));
        const uri = pathToUri(join(dir, 'sql/query.sql'));
        await client.open(uri, 'sql', QUERY_SQL);
        // Still answering requests (a hover needs no database to be answered, even with nothing to show).
        const answered = await Promise.race([
          client.request('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 15 } }).then(() => true, () => true),
          new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000)),
        ]);
        assert.ok(answered, 'the server answered a hover');
        assert.equal(client.child.exitCode, null);
      } finally {
        await client.stop();
        spawnSync('rm', ['-rf', dir]);
      }
    });
  }
});

describe('the database stops in the middle of a run', () => {
  let repository: Repository;
  before(() => {
    // Enough distinct statements that the run is still planning when the server goes away.
    const files: Record<string, string> = { 'sql/first.sql': QUERY_SQL };
    for (let i = 0; i < 300; i++) {
      files[`sql/many${i}.sql`] = Array.from({ length: 10 }, (_, j) => `SELECT v, count(*) FROM big WHERE v > 'k${i}_${j}' GROUP BY v ORDER BY 2 DESC LIMIT ${j + 1};`).join('\n') + '\n';
    }
    repository = repo(files);
  });
  after(() => repository?.remove());

  test('pglens check: exit 2, the report of what was done, one clear line, no stack trace', async () => {
    const child = spawn(process.execPath, [CLI_PATH, 'check', '.'], { cwd: repository.dir, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // Stop the server once pglens has sessions on it: the run is under way.
      await withClient(cluster.superuserUrl, async (db) => {
        for (let i = 0; i < 300; i++) {
          const { rows } = await db.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'pglens%'`);
          if (rows[0].n > 0) break;
          await new Promise((r) => setTimeout(r, 20));
        }
      });
      await new Promise((r) => setTimeout(r, 300));
      stopServer();
      const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(killer);
      const run = `exit ${code}\nstderr:\n${stderr.slice(0, 2000)}\nstdout (end):\n${stdout.slice(-2000)}`;
      assert.equal(stackTraceIn(stderr + stdout), undefined, run);
      assert.equal(code, 2, run);
      assert.match(stdout, /\d+ statements? \(\d+ planned\)/, `a report of what was done\n${run}`);
      const lines = stderr.split('\n').filter((l) => l.trim());
      assert.equal(lines.length, 1, `one line on stderr\n${run}`);
      assert.match(lines[0], /^pglens: /, run);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      startServer();
    }
  });

  test('the language server: "disconnected" while the database is down, connected again once it is back, never exits', async () => {
    const client = await LspTestClient.start({ rootDir: repository.dir, settings: {}, env: { DATABASE_URL: '', PGOPTIONS: '' } });
    const folderState = () => (client.statuses.at(-1)?.folders as { state: string }[] | undefined)?.[0]?.state;
    try {
      const uri = pathToUri(join(repository.dir, 'sql/first.sql'));
      await client.open(uri, 'sql', QUERY_SQL);
      await client.waitForStatus((s) => (s.folders as { state: string }[])[0]?.state === 'connected', 30_000);
      await client.analysisComplete(uri);
      stopServer();
      try {
        // An edit needs the database: the server notices it is gone.
        const version = await client.change(uri, [{ text: `${QUERY_SQL}SELECT * FROM big WHERE v = 'z';\n` }]);
        await client.waitForDiagnostics(uri, { version, timeoutMs: 20_000 }).catch(() => undefined);
        await client.waitFor('status "disconnected"', () => (folderState() === 'disconnected' ? true : undefined), 20_000);
        assert.equal(client.child.exitCode, null, `the server is still running\n${client.stderr.join('')}`);
      } finally {
        startServer();
      }
      await client.waitFor('status "connected" again', () => (folderState() === 'connected' ? true : undefined), 40_000);
      const version = await client.change(uri, [{ text: QUERY_SQL }]);
      const published = await client.waitForDiagnostics(uri, { version, timeoutMs: 20_000 });
      assert.ok(published.diagnostics.some((d) => d.code === 'seq-scan-large-table'), 'planning again after the reconnection');
      assert.equal(client.child.exitCode, null);
      assert.equal(stackTraceIn(client.stderr.join('')), undefined, client.stderr.join(''));
    } finally {
      await client.stop();
    }
  });
});
