// The committed examples/shop/pglens-baseline.json (written by `pglens baseline` on the embedded database) holds the
// shop's queries under their functions with the plans its README describes; a baseline file that is missing or not a
// baseline is one line and exit 2. (Writing baselines and the regressions a pull request can bring are tested in
// baselineRegressions.test.ts, on a server loaded by the migrations: a cold embedded build at the example's volumes
// takes minutes, more than a test file may.)

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCliBuilt, REPO_ROOT, runCli } from './cliHarness';

const SHOP = join(REPO_ROOT, 'examples', 'shop');
const dir = mkdtempSync(join(tmpdir(), 'pglens-baseline-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));

before(() => ensureCliBuilt());

describe('pglens baseline on examples/shop', () => {
  test('the committed baseline: every query of the shop under its function, with the plan the README describes', () => {
    const baseline = JSON.parse(readFileSync(join(SHOP, 'pglens-baseline.json'), 'utf8'));
    assert.equal(baseline.database.kind, 'embedded');
    const byName = new Map(baseline.statements.filter((s: { name?: string }) => s.name).map((s: { name: string }) => [s.name, s]));
    for (const name of ['customerById', 'customerByEmail', 'customerCount', 'productById', 'searchProducts', 'recentEvents', 'ordersOfCustomer', 'latestOrders', 'cancelStalePendingOrders', 'shippingMethods']) {
      assert.ok(byName.has(name), name);
    }
    const scans = (name: string) => (byName.get(name) as { plan: { scans: unknown[] } }).plan.scans;
    assert.deepEqual(scans('recentEvents'), [{ relation: 'events', node: 'Index Scan', index: 'events_customer_id_idx', tableRows: 200000 }]);
    assert.deepEqual(scans('ordersOfCustomer'), [{ relation: 'orders', node: 'Seq Scan', tableRows: 300000 }]);
    assert.deepEqual((byName.get('ordersOfCustomer') as { findings: string[] }).findings, ['seq-scan-large-table']);
  });

  test('a missing or foreign baseline file: one line, exit 2', async () => {
    const missing = await runCli(['check', '--baseline', 'nope.json', '--no-embedded'], { cwd: dir });
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, 'pglens: baseline file not found: nope.json (write one with "pglens baseline")\n');
    writeFileSync(join(dir, 'other.json'), '{"version": 2}');
    const foreign = await runCli(['check', '--baseline', 'other.json', '--no-embedded'], { cwd: dir });
    assert.equal(foreign.code, 2);
    assert.equal(foreign.stderr, 'pglens: other.json is not a pglens baseline (write one with "pglens baseline")\n');
  });
});
