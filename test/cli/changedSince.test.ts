// Only new migrations are judged: `pglens check --changed-since REF` (git) and `migrations.baseline` make the others
// history (no lock findings, never planned), and DML of a new migration is not planned on today's schema when an
// earlier new migration changes its tables. The real bundled CLI, a real git repository, the shared test database.

import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace, SHARED_DATABASE_TIMEOUTS, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const workspaces: { remove(): void }[] = [];
after(() => workspaces.forEach((w) => w.remove()));
function workspace(files: Record<string, string>): string {
  const created = scratchWorkspace(files);
  workspaces.push(created);
  return created.dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=pglens test', '-c', 'user.email=test@pglens.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
}

/** A CREATE INDEX without CONCURRENTLY: a lock finding in any migration that is judged. */
const INDEX = (n: number) => `SET lock_timeout = '2s';\nCREATE INDEX t${n}_idx ON orders (status);\n`;

function lockFindingFiles(stdout: string): string[] {
  return [...new Set(JSON.parse(stdout).findings.filter((f: { category: string }) => f.category === 'locking').map((f: { file: string }) => f.file))].sort() as string[];
}

describe('pglens check --changed-since', () => {
  const dir = workspace({
    'pglens.json': JSON.stringify({ migrations: ['migrations/*.sql'], migrationsInTransaction: true }),
    'migrations/001_shipped.sql': INDEX(1),
  });
  before(() => {
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, 'commit', '-qm', 'shipped');
    git(dir, 'checkout', '-qb', 'feature');
    execFileSync('cp', ['migrations/001_shipped.sql', 'migrations/002_committed.sql'], { cwd: dir });
    git(dir, 'add', 'migrations/002_committed.sql');
    git(dir, 'commit', '-qm', 'feature');
    execFileSync('cp', ['migrations/001_shipped.sql', 'migrations/003_untracked.sql'], { cwd: dir });
  });

  test('migrations changed since the merge base (committed or untracked) are judged; the others are history', async () => {
    const all = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.deepEqual(lockFindingFiles(all.stdout), ['migrations/001_shipped.sql', 'migrations/002_committed.sql', 'migrations/003_untracked.sql']);

    const changed = await runCli(['check', '.', '--no-embedded', '--format', 'json', '--changed-since', 'main'], { cwd: dir });
    assert.deepEqual(lockFindingFiles(changed.stdout), ['migrations/002_committed.sql', 'migrations/003_untracked.sql'], changed.stderr);
    const report = parseJsonReport(changed);
    assert.deepEqual(
      report.skipped.filter((s) => s.file === 'migrations/001_shipped.sql').map((s) => s.reason),
      ['historical migration: unchanged since main'],
    );
  });

  test('a ref git does not know, or no git repository, is one line and exit 2', async () => {
    const bad = await runCli(['check', '.', '--no-embedded', '--changed-since', 'no-such-branch'], { cwd: dir });
    assert.equal(bad.code, 2);
    assert.deepEqual(stderrLines(bad), ['pglens: --changed-since: "no-such-branch" is not a commit, branch or tag of this repository, or it has no common history with HEAD']);
    assert.equal(bad.stdout, '');

    const option = await runCli(['check', '.', '--no-embedded', '--changed-since=--output=/tmp/x'], { cwd: dir });
    assert.equal(option.code, 2);
    assert.equal(stderrLines(option).length, 1);
    assert.match(option.stderr, /^pglens: --changed-since takes a git ref/);

    const plain = workspace({ 'migrations/001.sql': INDEX(1) });
    const none = await runCli(['check', '.', '--no-embedded', '--changed-since', 'main'], { cwd: plain });
    assert.equal(none.code, 2);
    assert.equal(stderrLines(none).length, 1);
    assert.match(none.stderr, /^pglens: --changed-since: .* is not in a git repository/);
  });

  test('without git on PATH: one line, exit 2', async () => {
    const result = await runCli(['check', '.', '--no-embedded', '--changed-since', 'main'], { cwd: dir, env: { PATH: '/nonexistent' } });
    assert.equal(result.code, 2);
    assert.deepEqual(stderrLines(result), ['pglens: --changed-since needs git, which was not found on PATH']);
  });
});

describe('migrations.baseline', () => {
  const files = {
    'db/migrations/20230101000000_a.sql': INDEX(1),
    'db/migrations/20240101000000_b.sql': INDEX(2),
    'db/migrations/20240301000000_c.sql': INDEX(3),
    'prisma/migrations/20230505000000_init/migration.sql': INDEX(4),
    'prisma/migrations/20240505000000_next/migration.sql': INDEX(5),
  };

  test('migrations whose file or folder name sorts at or before the baseline get no lock finding', async () => {
    const dir = workspace({ 'pglens.json': JSON.stringify({ migrations: { paths: ['db/migrations/*.sql', 'prisma/migrations/*/migration.sql'], baseline: '20240101000000' } }), ...files });
    const result = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.deepEqual(lockFindingFiles(result.stdout), ['db/migrations/20240301000000_c.sql', 'prisma/migrations/20240505000000_next/migration.sql'], result.stderr);
  });

  test('the old array form of "migrations" still works, and judges every migration', async () => {
    const dir = workspace({ 'pglens.json': JSON.stringify({ migrations: ['db/migrations/*.sql'] }), ...files });
    const result = await runCli(['check', 'db', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.equal(lockFindingFiles(result.stdout).length, 3, result.stdout);
  });

  test('a baseline that is not a name is one line and exit 2', async () => {
    const dir = workspace({ 'pglens.json': JSON.stringify({ migrations: { baseline: 'db/migrations/2024' } }), ...files });
    const result = await runCli(['check', '.', '--no-embedded'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.equal(stderrLines(result).length, 1);
    assert.match(result.stderr, /migrations\.baseline: must be the name/);
  });
});

describe('DML of a new migration and the migrations before it', () => {
  // orders in the fixture database: 300k rows, customer_email not indexed.
  const update = "UPDATE orders SET status = 'archived' WHERE customer_email = 'ann@example.com';\n";
  const files = {
    'migrations/001_column.sql': "SET lock_timeout = '2s';\nALTER TABLE orders ADD COLUMN archived_at timestamptz;\n",
    'migrations/002_backfill.sql': update,
  };

  test('planned on today\'s schema when no earlier new migration changes its table', async () => {
    const url = (await getSharedTestDatabase()).url;
    const dir = workspace({ 'pglens.json': JSON.stringify({ database: SHARED_DATABASE_TIMEOUTS, migrations: { paths: ['migrations/*.sql'], baseline: '001' } }), ...files });
    const result = await runCli(['check', '.', '--db', url, '--format', 'json'], { cwd: dir });
    const report = parseJsonReport(result);
    assert.ok(report.findings.some((f) => f.file === 'migrations/002_backfill.sql' && f.ruleId === 'modify-scans-large-table'), result.stdout);
  });

  test('skipped with the reason when an earlier migration of the run changes its table', async () => {
    const url = (await getSharedTestDatabase()).url;
    const dir = workspace({ 'pglens.json': JSON.stringify({ database: SHARED_DATABASE_TIMEOUTS, migrations: ['migrations/*.sql'] }), ...files });
    const result = await runCli(['check', '.', '--db', url, '--format', 'json'], { cwd: dir });
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.filter((f) => f.file === 'migrations/002_backfill.sql' && f.category !== 'locking').map((f) => f.ruleId), [], result.stdout);
    assert.deepEqual(
      report.skipped.filter((s) => s.file === 'migrations/002_backfill.sql').map((s) => [s.line, s.reason]),
      [[1, "not planned: an earlier migration of this run changes orders (001_column.sql), so today's schema is not the one it runs against"]],
    );
  });
});
