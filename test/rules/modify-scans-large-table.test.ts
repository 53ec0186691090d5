import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { modifyScansLargeTable } from '../../server/src/engine/rules/plan/modify-scans-large-table';
import { checkPlanRule } from './planRuleTestUtils';

describe('modify-scans-large-table', () => {
  test('UPDATE that finds its rows with a Seq Scan of a large table (the incident pattern), anchored on the table', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, "update orders set status = 'cancelled' where customer_email = $1");
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'orders');
    assert.match(reports[0].message, /^UPDATE reads all ~300k rows of orders with a Seq Scan/);
    assert.match(reports[0].message, /stays locked until the transaction ends/);
  });

  test('DELETE of old rows without an index on the date column', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, "delete from audit_log where created_at < now() - interval '2 years'");
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /^DELETE reads all ~200k rows of audit_log/);
  });

  test('SELECT ... FOR UPDATE over a scan', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, 'select id from orders where note = $1 for update');
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /^SELECT \.\.\. FOR UPDATE reads all ~300k rows of orders/);
  });

  test('DELETE ... WHERE col IN (subquery) is not described as having no WHERE clause', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, "delete from order_items where order_id in (select id from orders where status = 'cancelled')");
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.doesNotMatch(reports[0].message, /Without a WHERE clause/);
    assert.match(reports[0].message, /WHERE clause is matched against every row in a join above the scan/);
  });

  test('UPDATE by primary key stays quiet', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, "update orders set status = 'shipped' where id = $1");
    assert.deepEqual(reports, []);
  });

  test('UPDATE of a small table stays quiet', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, "update plans set is_public = false where name = 'legacy'");
    assert.deepEqual(reports, []);
  });
});
