import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { costBudget } from '../../server/src/engine/rules/plan/cost-budget';
import { checkPlanRule } from './planRuleTestUtils';

describe('cost-budget', () => {
  test('off until a budget is set', async () => {
    const { reports } = await checkPlanRule(costBudget, 'select * from orders');
    assert.deepEqual(reports, []);
  });

  test('a per-statement budget (-- pglens: budget N) is enforced, anchored on the first keyword', async () => {
    const { reports, plan } = await checkPlanRule(costBudget, 'select * from orders', { statementBudget: 500 });
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'select');
    assert.ok(plan.root.totalCost > 500);
    assert.match(reports[0].message, /^Estimated cost [\d,]+ exceeds the budget of 500 \(set by -- pglens: budget 500\)/);
  });

  test('the project-wide budget applies when the statement has none', async () => {
    const { reports } = await checkPlanRule(costBudget, 'select * from orders', { maxCost: 1000 });
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /rules\.cost-budget\.options\.maxCost/);
  });

  test('a cheap statement within budget stays quiet', async () => {
    const { reports } = await checkPlanRule(costBudget, 'select * from orders where id = 1', { maxCost: 1000 });
    assert.deepEqual(reports, []);
  });
});
