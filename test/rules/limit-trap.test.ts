import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { limitTrap } from '../../server/src/engine/rules/plan/limit-trap';
import { checkPlanRule } from './planRuleTestUtils';
import { advise } from '../advise/advisorTestUtils';

describe('limit-trap', () => {
  test('a queue poll: filter on status, ORDER BY the indexed created_at, LIMIT 50', async () => {
    const { reports, plan } = await checkPlanRule(limitTrap, "select * from orders where status = 'pending' order by created_at limit 50");
    assert.equal(reports.length, 1, JSON.stringify(plan.root, null, 1).slice(0, 2000));
    assert.equal(reports[0].anchoredText, 'orders');
    assert.match(reports[0].headline, /^LIMIT 50 walks orders_created_at_idx on orders filtering rows/);
    const evidence = reports[0].evidence!;
    assert.ok((evidence['worstCaseCost'] as number) >= 10 * (evidence['plannedCost'] as number));
  });

  test('the latest row of one account: ORDER BY issued_at DESC LIMIT 1 over the issued_at index', async () => {
    const { reports } = await checkPlanRule(limitTrap, 'select * from invoices where account_id = $1 order by issued_at desc limit 1');
    assert.equal(reports.length, 1);
    assert.match(reports[0].headline, /^LIMIT 1 walks invoices_issued_at_idx on invoices/);
  });

  test('quiet: no filter (the index really stops early), a key lookup, a sort that reads everything anyway', async () => {
    for (const sql of [
      'select * from orders order by created_at limit 50',
      'select * from orders where id = $1 limit 1',
      "select * from countries where name = 'x' order by code limit 5",
    ]) {
      assert.deepEqual((await checkPlanRule(limitTrap, sql)).reports, [], sql);
    }
  });

  test('the advisor proves an index that ends the trap (the filter column first; the sort column only if it pays)', async () => {
    const advice = await advise('hypopg', 'select * from invoices where account_id = $1 order by issued_at desc limit 1');
    const s = advice.suggestion!;
    assert.match(s.sql, /^CREATE INDEX ON invoices \(account_id(, issued_at)?\)$/);
    assert.equal(s.verifiedWith, 'hypopg');
    assert.ok(s.reduction! > 0.95, `reduction ${s.reduction}`);
  });
});
