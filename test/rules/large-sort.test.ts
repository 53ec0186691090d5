import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { largeSort } from '../../server/src/engine/rules/plan/large-sort';
import { checkPlanRule } from './planRuleTestUtils';

describe('large-sort', () => {
  test('a top-N sort of a large table under LIMIT, anchored on the ORDER BY keys', async () => {
    const { reports } = await checkPlanRule(largeSort, 'select id, total_cents from orders order by total_cents desc limit 10');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'total_cents desc');
    assert.match(reports[0].headline, /^Sorts ~300k rows of orders to return 10 by total_cents DESC \(estimated cost [\d,]+\)$/);
    assert.match(reports[0].message, /A top-N sort under LIMIT still reads every row/);
    assert.match(reports[0].message, /An index on \(orders\.total_cents DESC\)|An index on \(total_cents DESC\)/);
  });

  test('an ORDER BY served by an index stays quiet', async () => {
    const { reports } = await checkPlanRule(largeSort, 'select id from orders order by created_at desc limit 10');
    assert.deepEqual(reports, []);
  });

  test('sorting a small table stays quiet', async () => {
    const { reports } = await checkPlanRule(largeSort, 'select * from countries order by name');
    assert.deepEqual(reports, []);
  });

  test('a sort for GROUP BY without ORDER BY is not this rule’s business', async () => {
    const { reports } = await checkPlanRule(largeSort, 'select status, count(*) from orders group by status');
    assert.deepEqual(reports, []);
  });
});
