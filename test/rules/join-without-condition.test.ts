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

  test('on generated rows (the embedded database) the product is a warning: its size is not the team\'s', async () => {
    const sql = "select u.email, o.id from users u, orders o where o.status = 'pending'";
    const { reports } = await checkPlanRule(joinWithoutCondition, sql, {}, (plan) => ({ ...plan, syntheticRows: true }));
    assert.equal(reports.length, 1);
    assert.equal(reports[0].severity, 'warning');
    const real = await checkPlanRule(joinWithoutCondition, sql);
    assert.equal(real.reports[0].severity, undefined);
  });

  test('a product the code writes down (CROSS JOIN, JOIN ... ON true) is wanted, whatever the sizes', async () => {
    for (const sql of ["select u.email, o.id from users u cross join orders o where o.status = 'pending'", "select u.email, o.id from users u join orders o on true where o.status = 'pending'"]) {
      const { reports } = await checkPlanRule(joinWithoutCondition, sql);
      assert.deepEqual(reports, [], sql);
    }
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
