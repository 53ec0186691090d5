#!/usr/bin/env node
// Runs the whole test suite against ONE ephemeral PostgreSQL cluster (test/harness/postgres.ts) with the fixture
// application loaded, and always stops it again.
//
//   node scripts/run-tests.mjs                  everything
//   node scripts/run-tests.mjs test/find        only what lies under the given files or directories
//
// Stage 1 is node:test over test/**/*.test.ts (except test/vscode, test/editors and fixtures); the later stages are
// other suites' own entry points, run when their file exists. Every stage gets the cluster through
// PGLENS_TEST_DATABASE_URL, PGLENS_TEST_SUPERUSER_URL, PGLENS_TEST_NOHYPO_URL and PGLENS_TEST_HYPOPG. The exit code
// is the first non-zero one of the stages that ran.

import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
// The harness is TypeScript (one implementation, shared with the tests): loaded through tsx's require.
import { require as tsRequire } from 'tsx/cjs/api';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);

/** Suites with their own runner; each runs only when its entry file exists. */
const EXTRA_STAGES = [
  { name: 'vscode', dir: 'test/vscode', entry: 'test/vscode/run.mjs' },
  { name: 'editors', dir: 'test/editors', entry: 'test/editors/run.mjs' },
];
/** Directories of the node:test stage that are not searched for *.test.ts. */
const EXCLUDED_DIRS = new Set(EXTRA_STAGES.map((s) => s.dir));
const EXCLUDED_NAMES = new Set(['node_modules', 'fixtures']);
const TEST_FILE = /\.test\.(ts|mts|cts|mjs|js)$/;
const STAGE_TIMEOUT_MS = Number(process.env.PGLENS_TEST_STAGE_TIMEOUT_MS ?? 40 * 60_000);
const TEST_TIMEOUT_MS = Number(process.env.PGLENS_TEST_TIMEOUT_MS ?? 5 * 60_000);

const log = (line) => process.stderr.write(`[run-tests] ${line}\n`);
const rel = (p) => relative(root, resolve(p)).split(sep).join('/');

function collectTests(dir, out = []) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!EXCLUDED_DIRS.has(path) && !EXCLUDED_NAMES.has(entry.name)) collectTests(path, out);
    } else if (TEST_FILE.test(entry.name)) out.push(path);
  }
  return out;
}

const within = (path, dir) => path === dir || path.startsWith(`${dir}/`);

// ---------------------------------------------------------------------------------------------- what to run
const args = process.argv.slice(2).map(rel);
for (const a of args) {
  if (!existsSync(a)) {
    log(`no such file or directory: ${a}`);
    process.exit(2);
  }
}
const allTests = existsSync('test') ? collectTests('test').sort() : [];
const selected = args.length
  ? allTests.filter((f) => args.some((a) => within(f, a))).concat(
      // A test file named explicitly runs even where the search would not look.
      args.filter((a) => TEST_FILE.test(a) && statSync(a).isFile() && !allTests.includes(a)),
    )
  : allTests;
const stages = [];
if (selected.length) {
  stages.push({
    name: 'node:test',
    command: process.execPath,
    args: [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      `--test-timeout=${TEST_TIMEOUT_MS}`,
      '--test-reporter=spec',
      ...[...new Set(selected)].sort(),
    ],
    detail: `${selected.length} test file${selected.length === 1 ? '' : 's'}`,
  });
}
for (const s of EXTRA_STAGES) {
  const wanted = !args.length || args.some((a) => within(a, s.dir) || within(s.dir, a));
  if (!wanted) continue;
  if (!existsSync(s.entry)) {
    if (args.length) log(`${s.name}: ${s.entry} does not exist yet, skipped`);
    continue;
  }
  stages.push({ name: s.name, command: process.execPath, args: [s.entry], detail: s.entry });
}
if (!stages.length) {
  log(`no tests found${args.length ? ` under ${args.join(', ')}` : ''}`);
  process.exit(args.length ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------- the cluster
let cluster;
let child;
let stopping = false;

function stopEverything() {
  if (child && child.exitCode === null) {
    try {
      child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
  }
  // The harness's own exit handlers stop the cluster too; this makes the order explicit.
  if (cluster) cluster.stop().catch(() => {});
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]]) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the test run and the database`);
    stopEverything();
    process.exit(code);
  });
}

function runStage(stage, env) {
  return new Promise((resolveStage) => {
    const started = Date.now();
    child = spawn(stage.command, stage.args, { stdio: 'inherit', env });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      log(`${stage.name}: still running after ${Math.round(STAGE_TIMEOUT_MS / 1000)} s, stopping it`);
      child.kill('SIGTERM');
      setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 10_000).unref();
    }, STAGE_TIMEOUT_MS);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolveStage({ code: 127, seconds: (Date.now() - started) / 1000, note: err.message });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const exitCode = timedOut ? 124 : code ?? (signal ? 128 : 1);
      resolveStage({ code: exitCode, seconds: (Date.now() - started) / 1000, note: signal ? `killed by ${signal}` : '' });
    });
  });
}

let exitCode = 0;
const summary = [];
try {
  const h = tsRequire('../test/harness/postgres.ts', import.meta.url);
  const t0 = Date.now();
  let started;
  try {
    started = await h.startFixtureCluster();
  } catch (err) {
    log(`could not start the test database: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  cluster = started.cluster;
  const tables = Object.entries(started.fixture.tables)
    .filter(([, n]) => n >= 100_000)
    .map(([t, n]) => `${t} ${Math.round(n / 1000)}k`)
    .join(', ');
  log(
    `database: PostgreSQL on port ${cluster.port}, ` +
      (started.fixture.fromCache
        ? `fixture copied from the cache in ${(started.fixture.loadMs / 1000).toFixed(1)} s`
        : `fixture loaded in ${(started.fixture.loadMs / 1000).toFixed(1)} s (${((Date.now() - t0) / 1000).toFixed(1)} s with initdb)`) +
      ` (${tables}; hypopg ${started.fixture.hypopg ? 'yes' : 'NO'})`,
  );
  const env = { ...process.env, ...h.sharedTestDatabaseEnv(started.shared) };

  for (const stage of stages) {
    log(`${stage.name}: ${stage.detail}`);
    const result = await runStage(stage, env);
    const line = `${stage.name}: ${result.code === 0 ? 'passed' : `FAILED (exit ${result.code})`} in ${result.seconds.toFixed(1)} s${
      result.note ? ` (${result.note})` : ''
    }`;
    summary.push(line);
    log(line);
    if (result.code !== 0 && exitCode === 0) exitCode = result.code;
  }
} finally {
  child = undefined;
  if (cluster) await cluster.stop();
}
log('summary:');
for (const line of summary) log(`  ${line}`);
process.exit(exitCode);
