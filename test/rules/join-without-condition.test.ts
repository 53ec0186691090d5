import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { joinWithoutCondition } from '../../server/src/engine/rules/plan/join-without-condition';
import { checkPlanRule } from './planRuleTestUtils';

describe('join-without-condition', () => {
  test('a comma join that lost its condition is a cartesian product', async () => {
    const { reports } = await checkPlanRule(joinWithoutCondition, "select u.email, o.id from users u, orders o where o.status = 'pending'");
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /are joined without a join condition/);
    assert.ok(['users', 'orders'].includes(reports[0].anchoredText), reports[0].anchoredText);
  });

  test('a join with its ON condition stays quiet', async () => {
    const { reports } = await checkPlanRule(joinWithoutCondition, "select u.email, o.id from users u join orders o on o.user_id = u.id where o.status = 'pending'");
    assert.deepEqual(reports, []);
  });

  test('a cross join of two small lookup tables stays quiet', async () => {
    const { reports } = await checkPlanRule(joinWithoutCondition, 'select * from countries cross join currencies');
    assert.deepEqual(reports, []);
  });
});
