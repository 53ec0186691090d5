// The pull-request flow of docs/ci.md on examples/shop, with the real CLI and a PostgreSQL server loaded by the shop's
// migrations (the CI service-container setup): on main, `pglens baseline --db URL` is committed (a second run writes the
// same bytes); on a feature branch,
// `pglens check --baseline pglens-baseline.json --changed-since main --format markdown` fails with the right regression
// and a markdown row for (i) a migration that drops an index a query uses, (ii) a query edited so it cannot use its
// index, (iii) a new query without an index, and passes an unrelated change with "no regressions".

import { execFileSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openTestFileDatabase, type TestFileDatabase } from '../harness/testFileDatabase';
import { loadShopDatabase, SHOP_DIR } from '../harness/shopDatabase';
import { ensureCliBuilt, runCli, type CliResult } from './cliHarness';

let database: TestFileDatabase;
let main: string;
const scratch: string[] = [];

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=pglens test', '-c', 'user.email=test@pglens.invalid', '-c', 'init.defaultBranch=main', ...args], { cwd: dir, encoding: 'utf8' });
}

before(async () => {
  ensureCliBuilt();
  database = await openTestFileDatabase('pglens_baseline_shop');
  // Half the example's volumes: every table the assertions name stays "large" (>= 10,000 rows), the load takes half the time.
  await loadShopDatabase(database.client, 0.5);
  // The shop on main, with a baseline of its plans on this server committed beside it.
  main = mkdtempSync(join(tmpdir(), 'pglens-shop-main-'));
  scratch.push(main);
  cpSync(SHOP_DIR, main, { recursive: true });
  rmSync(join(main, 'pglens-baseline.json'));
  // The budget for new statements scaled with the volumes (a Seq Scan of 150k orders costs about half the default's).
  writeFileSync(join(main, 'pglens.json'), JSON.stringify({ rules: { 'plan-regression': { options: { newStatementMaxCost: 2000 } } } }));
  const written = await runCli(['baseline', '--db', database.url], { cwd: main });
  assert.equal(written.code, 0, written.stderr);
  git(main, 'init', '-q');
  git(main, 'add', '.');
  git(main, 'commit', '-qm', 'main, with its baseline');
});

after(async () => {
  scratch.forEach((dir) => rmSync(dir, { recursive: true, force: true }));
  await database?.drop();
});

/** A clone of main on a new branch "feature" (the clone's main is the ref --changed-since compares with). */
function featureBranch(): string {
  const dir = mkdtempSync(join(tmpdir(), 'pglens-shop-feature-'));
  scratch.push(dir);
  execFileSync('git', ['clone', '-q', main, dir]);
  git(dir, 'checkout', '-qb', 'feature');
  return dir;
}

function checkAgainstBaseline(dir: string, format: 'markdown' | 'json' = 'markdown'): Promise<CliResult> {
  return runCli(['check', '--baseline', 'pglens-baseline.json', '--changed-since', 'main', '--format', format, '--db', database.url], { cwd: dir });
}

/** The markdown table rows of the Regressions section. */
function regressionRows(markdown: string): string[] {
  const section = markdown.split('### Regressions')[1]?.split('\n### ')[0] ?? '';
  return section.split('\n').filter((line) => /^\| (🔴|🟠)/.test(line));
}

describe('pglens check --baseline on examples/shop (server loaded by the migrations)', () => {
  test('the baseline records the plans of this server, and the server as its database; a second run writes the same bytes', async () => {
    const text = readFileSync(join(main, 'pglens-baseline.json'), 'utf8');
    const again = await runCli(['baseline', '--db', database.url, '--stdout'], { cwd: main });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, text);
    assert.doesNotMatch(text, /\d{4}-\d\d-\d\dT\d\d:/, 'no timestamps in the body');
    const baseline = JSON.parse(text);
    assert.equal(baseline.database.kind, 'configured');
    const recentEvents = baseline.statements.find((s: { name?: string }) => s.name === 'recentEvents');
    assert.equal(recentEvents.plan.scans.length, 1);
    assert.match(recentEvents.plan.scans[0].node, /^(Index Scan|Bitmap Heap Scan)$/);
    assert.deepEqual({ ...recentEvents.plan.scans[0], node: undefined }, { relation: 'events', node: undefined, index: 'events_customer_id_idx', tableRows: 100000 });
  });

  test('an unrelated change: exit 0 and no regressions, though the file has findings the baseline already had', async () => {
    const dir = featureBranch();
    appendFileSync(join(dir, 'src', 'orders.ts'), '\n// Orders are archived after two years (see the retention job).\nexport const ORDER_RETENTION_DAYS = 730;\n');
    const result = await checkAgainstBaseline(dir);
    assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
    assert.match(result.stdout, /^## pglens: no regressions, 0 improvements, 0 new statements\n/);
    assert.match(result.stdout, /### Regressions\n\nNo regressions\./);
    assert.match(result.stdout, /<summary>\d+ findings? the baseline already had \(not counted\)<\/summary>/);
    assert.match(result.stdout, /Plans from a configured PostgreSQL server \(PostgreSQL 15\./);
  });

  test('(ii) a query edited so it cannot use its index: exit 1, matched to its old text by its function', async () => {
    const dir = featureBranch();
    const file = join(dir, 'src', 'customers.ts');
    writeFileSync(file, readFileSync(file, 'utf8').replace('FROM customers WHERE id = $1', 'FROM customers WHERE id + 0 = $1'));
    const markdown = await checkAgainstBaseline(dir);
    assert.equal(markdown.code, 1, markdown.stderr);
    const rows = regressionRows(markdown.stdout);
    assert.equal(rows.length, 1, markdown.stdout);
    assert.match(rows[0], /^\| 🔴 error \| `src\/customers\.ts:12` `customerById` \| customers is now read by a Seq Scan of 25k rows instead of an Index Scan using customers_pkey \(cost [\d.,]+ → [\d,]+\)/);
    assert.match(markdown.stdout, /```diff\n- Index Scan on customers using customers_pkey\n\+ Seq Scan on customers\n```/);

    const json = JSON.parse((await checkAgainstBaseline(dir, 'json')).stdout);
    const regression = json.findings.find((f: { ruleId: string }) => f.ruleId === 'plan-regression');
    assert.equal(regression.severity, 'error');
    assert.equal(regression.evidence.kind, 'index-to-seq-scan');
    assert.equal(regression.evidence.before, 'Index Scan using customers_pkey on customers');
    assert.match(regression.details.map((d: { text: string }) => d.text).join(' '), /edited since the baseline/);
    assert.deepEqual(json.baseline.newStatements, []);
    // Only the changed file was planned: the other statements kept their baseline entries.
    assert.equal(json.summary.files, 1);
    assert.ok(json.baseline.carriedOver > 0);
  });

  test('(iii) a new query without an index: exit 1, new-over-budget, listed with the new statements', async () => {
    const dir = featureBranch();
    appendFileSync(
      join(dir, 'src', 'orders.ts'),
      "\nexport async function ordersWithStatus(status: string): Promise<Order[]> {\n  const result = await pool.query('SELECT id, total_cents FROM orders WHERE status = $1', [status]);\n  return result.rows;\n}\n",
    );
    const result = await checkAgainstBaseline(dir);
    assert.equal(result.code, 1, result.stderr);
    const rows = regressionRows(result.stdout);
    assert.equal(rows.length, 1, result.stdout);
    assert.match(rows[0], /`src\/orders\.ts:\d+` `ordersWithStatus` \| New statement with estimated cost [\d,]+, over the 2,000 budget \(Seq Scan on orders, 150k rows\)\. \| \(new statement\)/);
    assert.match(result.stdout, /### New statements\n\n\| Statement \| Plan \|\n\| --- \| --- \|\n\| `src\/orders\.ts:\d+` `ordersWithStatus` \| cost [\d,]+, [\d.k]+ rows: Seq Scan on orders \|/);
  });

  // Last: it changes the database, as CI does when it runs the branch's migrations before checking.
  test('(i) a migration that drops an index a query uses: exit 1, index-to-seq-scan on that query in an unchanged file', async () => {
    const dir = featureBranch();
    const migration = "SET lock_timeout = '5s';\nDROP INDEX CONCURRENTLY events_customer_id_idx;\n";
    writeFileSync(join(dir, 'migrations', '0003_drop_events_index.sql'), migration);
    await database.client.query('DROP INDEX events_customer_id_idx');
    const result = await checkAgainstBaseline(dir);
    assert.equal(result.code, 1, `${result.stdout}\n${result.stderr}`);
    const rows = regressionRows(result.stdout);
    assert.equal(rows.length, 1, result.stdout);
    assert.match(rows[0], /^\| 🔴 error \| `src\/catalog\.ts:19` `recentEvents` \| events is now read by a Seq Scan of 100k rows instead of (an Index Scan|a Bitmap Heap Scan) using events_customer_id_idx/);
    assert.match(result.stdout, /\n- .*using events_customer_id_idx\n/);
    assert.match(result.stdout, /\n\+ +Seq Scan on events\n/);
  });
});
