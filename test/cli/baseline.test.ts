// `pglens baseline` on examples/shop with the real CLI and the embedded database: the same bytes on every run, and the
// committed examples/shop/pglens-baseline.json is what it writes today. (The regressions a pull request can bring are
// in baselineRegressions.test.ts, on a server loaded by the migrations: a cold embedded build takes minutes.)

import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCliBuilt, REPO_ROOT, runCli } from './cliHarness';

const SHOP = join(REPO_ROOT, 'examples', 'shop');
/** One cache for the runs of this file: the first builds the embedded database, the others with the same schema reuse it. */
const cacheHome = mkdtempSync(join(tmpdir(), 'pglens-baseline-cache-'));
const scratch: string[] = [];
after(() => {
  rmSync(cacheHome, { recursive: true, force: true });
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
});

const ENV = { DATABASE_URL: '', PGHOST: '', PGDATABASE: '', XDG_CACHE_HOME: cacheHome };
/** A cold build of the embedded database takes minutes on a loaded machine. */
const TIMEOUT_MS = 900_000;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=pglens test', '-c', 'user.email=test@pglens.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
}

/** examples/shop in a git repository of its own, committed on main, on a new branch "feature". */
function shopOnFeatureBranch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-shop-'));
  scratch.push(dir);
  cpSync(SHOP, dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-qm', 'main');
  git(dir, 'checkout', '-qb', 'feature');
  return dir;
}

before(() => ensureCliBuilt());

describe('pglens baseline on examples/shop', () => {
  test('two runs write the same bytes, and the committed baseline is current', async () => {
    const dir = shopOnFeatureBranch();
    const first = await runCli(['baseline', '--stdout'], { cwd: dir, env: ENV, timeoutMs: TIMEOUT_MS });
    assert.equal(first.code, 0, first.stderr);
    const second = await runCli(['baseline', '--out', 'again.json'], { cwd: dir, env: ENV, timeoutMs: TIMEOUT_MS });
    assert.equal(second.code, 0, second.stderr);
    assert.equal(readFileSync(join(dir, 'again.json'), 'utf8'), first.stdout);
    assert.doesNotMatch(first.stdout, /\d{4}-\d\d-\d\dT\d\d:/, 'no timestamps in the body');

    // Plans, keys and locks of the committed file are those of today's code (findings move with rule changes; the
    // comparison only uses them to excuse what was already there).
    const withoutFindings = (text: string) => JSON.parse(text, (key, value) => (key === 'findings' ? undefined : value));
    assert.deepEqual(withoutFindings(readFileSync(join(SHOP, 'pglens-baseline.json'), 'utf8')), withoutFindings(first.stdout));
    const baseline = JSON.parse(first.stdout);
    assert.equal(baseline.database.kind, 'embedded');
    const recentEvents = baseline.statements.find((s: { name?: string }) => s.name === 'recentEvents');
    assert.deepEqual(recentEvents.plan.scans, [{ relation: 'events', node: 'Index Scan', index: 'events_customer_id_idx', tableRows: 200000 }]);
  });

  test('a missing or foreign baseline file: one line, exit 2', async () => {
    const dir = shopOnFeatureBranch();
    const missing = await runCli(['check', '--baseline', 'nope.json', '--no-embedded'], { cwd: dir, env: ENV });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'pglens: baseline file not found: nope.json (write one with "pglens baseline")\n');
    writeFileSync(join(dir, 'other.json'), '{"version": 2}');
    const foreign = await runCli(['check', '--baseline', 'other.json', '--no-embedded'], { cwd: dir, env: ENV });
    assert.equal(foreign.code, 2);
    assert.equal(foreign.stderr, 'pglens: other.json is not a pglens baseline (write one with "pglens baseline")\n');
  });
});
