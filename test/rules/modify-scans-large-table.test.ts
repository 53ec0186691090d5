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

  // documenso's cleanup job batches a delete by row address (Prisma has no DELETE ... LIMIT). Whatever plan the
  // planner picks (a TID scan per row, or a hash semi join over the whole table when it expects many), ctid is matched,
  // and no index can hold ctid: the scan worth reporting is the subquery's, with its filter.
  for (const batch of ['1000', '250000', '$2']) {
    test(`DELETE ... WHERE ctid IN (SELECT ctid ... LIMIT ${batch}) reports the subquery's scan and never advises indexing ctid`, async () => {
      const { reports } = await checkPlanRule(modifyScansLargeTable, `delete from orders where ctid in (select ctid from orders where note = $1 limit ${batch})`);
      assert.equal(reports.length, 1, JSON.stringify(reports));
      assert.doesNotMatch(reports[0].message, /ctid|index the column it compares/i);
      assert.match(reports[0].message, /The scan filters by note = \$1\. .*Index the columns of the WHERE clause\./);
    });
  }

  test('on a 10k-row table the planner matches the batch by ctid in a hash semi join over the whole table: still not the finding', async () => {
    const sql = 'delete from accounts where ctid in (select ctid from accounts where status = $1 limit $2)';
    const { reports, plan } = await checkPlanRule(modifyScansLargeTable, sql, { minRows: 1000 });
    assert.match(JSON.stringify(plan.root), /ctid = /, 'the plan matches rows by ctid in a join');
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.doesNotMatch(reports[0].message, /ctid|index the column it compares/i);
    assert.match(reports[0].message, /The scan filters by status = \$1\./);
  });

  test('a filter on system columns only is not advised an index', async () => {
    const { reports } = await checkPlanRule(modifyScansLargeTable, 'update orders set note = null where xmin::text = $1');
    assert.equal(reports.length, 1, JSON.stringify(reports));
    assert.doesNotMatch(reports[0].message, /Index the columns/);
    assert.match(reports[0].message, /compares only system columns, which no index can hold/);
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
