import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nestedLoopInnerScan } from '../../server/src/engine/rules/plan/nested-loop-inner-scan';
import { seqScanLargeTable } from '../../server/src/engine/rules/plan/seq-scan-large-table';
import { checkPlanRule } from './planRuleTestUtils';

// "Latest order per account" with LATERAL: the inner side runs once per account, and orders.account_id has no index.
const LATERAL_PER_ACCOUNT = `select a.id, x.total_cents
from accounts a
cross join lateral (select o.total_cents from orders o where o.account_id = a.id order by o.created_at desc limit 1) x
where a.status = 'trial'`;

describe('nested-loop-inner-scan', () => {
  test('a lateral subquery that scans a large table once per outer row, anchored on the inner table', async () => {
    const { reports, plan } = await checkPlanRule(nestedLoopInnerScan, LATERAL_PER_ACCOUNT);
    assert.equal(plan.root.nodeType, 'Nested Loop');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'orders');
    assert.match(reports[0].message, /^Nested Loop scans all ~300k rows of orders .*once for each of ~\d+ outer rows/);
  });

  test('the same scan is not also reported as a plain missing index', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, LATERAL_PER_ACCOUNT);
    assert.deepEqual(reports, []);
  });

  test('a join through an index stays quiet', async () => {
    const { reports } = await checkPlanRule(
      nestedLoopInnerScan,
      'select o.id, i.sku from orders o join order_items i on i.order_id = o.id where o.id = $1',
    );
    assert.deepEqual(reports, []);
  });
});
