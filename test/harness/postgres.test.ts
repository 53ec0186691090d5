// The harness itself: a cluster with the promised authentication, settings and clean-up, including when the
// process that started it dies.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { APP_PASSWORD, findPostgresBindir, MISSING_BINARIES_MESSAGE, startEphemeralPostgres, startFixtureCluster } from './postgres';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitFor(condition: () => Promise<boolean>, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await condition()) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return condition();
}

test('missing server binaries give a message that says how to install them', () => {
  assert.throws(() => findPostgresBindir(['/nonexistent/bin']), { message: MISSING_BINARIES_MESSAGE });
  assert.match(MISSING_BINARIES_MESSAGE, /bash scripts\/setup\.sh.*postgresql-15/);
});

test('a cluster: app needs its password over TCP, the superuser is trusted on the socket; stop() removes everything', async () => {
  const pg = await startEphemeralPostgres({ database: 'harness_check' });
  const root = dirname(pg.dataDir);
  try {
    assert.equal(pg.database, 'harness_check');
    assert.equal(pg.url, `postgres://app:${APP_PASSWORD}@127.0.0.1:${pg.port}/harness_check`);

    const app = new Client({ connectionString: pg.url });
    await app.connect();
    try {
      const { rows } = await app.query(
        `SELECT current_user AS usr, current_setting('fsync') AS fsync, current_setting('full_page_writes') AS fpw,
                current_setting('synchronous_commit') AS sc, (SELECT datdba::regrole::text FROM pg_database WHERE datname = current_database()) AS owner`,
      );
      assert.deepEqual(rows[0], { usr: 'app', fsync: 'off', fpw: 'off', sc: 'off', owner: 'app' });
    } finally {
      await app.end();
    }

    const noPassword = new Client({ connectionString: `postgres://app@127.0.0.1:${pg.port}/harness_check`, password: '' });
    await assert.rejects(noPassword.connect(), /password/);
    await noPassword.end().catch(() => {});
    const wrong = new Client({ connectionString: `postgres://app:nope@127.0.0.1:${pg.port}/harness_check` });
    await assert.rejects(wrong.connect(), /password authentication failed for user "app"/);
    await wrong.end().catch(() => {});

    const socket = new Client({ host: pg.host, port: pg.port, user: 'postgres', database: 'harness_check' });
    await socket.connect();
    try {
      assert.equal((await socket.query('SHOW is_superuser')).rows[0].is_superuser, 'on');
    } finally {
      await socket.end();
    }
    const su = new Client({ connectionString: pg.superuserUrl });
    await su.connect();
    await su.end();
    assert.ok(existsSync(join(pg.host, `.s.PGSQL.${pg.port}`)), 'unix socket in the socket dir');
  } finally {
    await pg.stop();
  }
  assert.equal(existsSync(root), false, 'temp dir removed');
  assert.equal(await portOpen(pg.port), false, 'server stopped');
  await pg.stop(); // twice is harmless
});

for (const how of ['SIGTERM', 'SIGKILL'] as const) {
  test(`a process that starts a cluster and dies by ${how} leaves no server behind`, async () => {
    // SIGTERM runs the harness's signal handler; SIGKILL runs nothing, so the watchdog must do it.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `require(${JSON.stringify(join(__dirname, 'postgres.ts'))}).startEphemeralPostgres({ database: 'orphan' })
           .then((pg) => { console.log(JSON.stringify({ port: pg.port, root: require('node:path').dirname(pg.dataDir) })); setInterval(() => {}, 1e6); });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const started = await new Promise<{ port: number; root: string }>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]));
      });
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before starting a cluster`)));
    });
    assert.equal(await portOpen(started.port), true);
    child.kill(how);
    assert.ok(await waitFor(async () => !(await portOpen(started.port)), 10_000), 'server still listening');
    assert.ok(await waitFor(async () => !existsSync(started.root), 10_000), `${started.root} still there`);
  });
}

test('the fixture cache: a second start copies the loaded cluster instead of loading it, with the same contents', async () => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'pglens-fixture-cache-'));
  const saved = { cache: process.env.PGLENS_FIXTURE_CACHE, dir: process.env.PGLENS_FIXTURE_CACHE_DIR };
  process.env.PGLENS_FIXTURE_CACHE = '1';
  process.env.PGLENS_FIXTURE_CACHE_DIR = cacheDir;
  try {
    const first = await startFixtureCluster();
    await first.cluster.stop();
    assert.equal(first.fixture.fromCache ?? false, false);
    const second = await startFixtureCluster();
    try {
      assert.equal(second.fixture.fromCache, true);
      assert.deepEqual(second.fixture.tables, first.fixture.tables);
      assert.notEqual(second.cluster.port, 0);
      const app = new Client({ connectionString: second.shared.url });
      await app.connect();
      try {
        const { rows } = await app.query(
          `SELECT (SELECT count(*)::int FROM orders) AS orders, (SELECT count(*)::int FROM pg_extension WHERE extname = 'hypopg') AS hypopg`,
        );
        assert.deepEqual(rows[0], { orders: 300_000, hypopg: first.fixture.hypopg ? 1 : 0 });
      } finally {
        await app.end();
      }
      const nohypo = new Client({ connectionString: second.shared.nohypoUrl });
      await nohypo.connect();
      await nohypo.end();
    } finally {
      await second.cluster.stop();
    }
  } finally {
    for (const [k, v] of [['PGLENS_FIXTURE_CACHE', saved.cache], ['PGLENS_FIXTURE_CACHE_DIR', saved.dir]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(cacheDir, { recursive: true, force: true });
  }
});
