import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seqScanLargeTable } from '../../server/src/engine/rules/plan/seq-scan-large-table';
import { checkPlanRule } from './planRuleTestUtils';

describe('seq-scan-large-table', () => {
  test('a selective filter on an unindexed column of a large table is a likely missing index, anchored on the table', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, "select id, total_cents from orders where customer_email = 'someone@example.com'");
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'orders');
    assert.match(reports[0].message, /^Seq Scan on orders reads all ~300k rows to keep ~\d+ \(.*\) where customer_email = 'someone@example.com'/);
    assert.match(reports[0].message, /estimated cost [\d,]+/);
    assert.equal(reports[0].evidence?.table, 'orders');
  });

  test('under LIMIT the early stop is called an estimate', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, 'select * from orders o where o.user_id = $1 limit 10');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'orders');
    assert.match(reports[0].message, /Under LIMIT the scan stops early only if matching rows come early/);
    assert.equal(reports[0].evidence?.underLimit, true);
  });

  test('generic plans for parameters still find the scan', async () => {
    const { reports, plan } = await checkPlanRule(seqScanLargeTable, 'select * from invoices where account_id = $1');
    assert.equal(plan.generic, true);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'invoices');
  });

  test('whole-table aggregates stay quiet', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, 'select count(*) from orders');
    assert.deepEqual(reports, []);
  });

  test('a filter that keeps most rows stays quiet: a Seq Scan is the right plan', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, "select * from orders where status <> 'pending'");
    assert.deepEqual(reports, []);
  });

  test('small tables stay quiet', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, "select * from countries where region = 'Europe'");
    assert.deepEqual(reports, []);
  });

  test('indexed lookups stay quiet', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, 'select * from orders where id = $1');
    assert.deepEqual(reports, []);
  });

  test('the minRows option raises the bar', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, "select * from orders where customer_email = 'x'", { minRows: 1_000_000 });
    assert.deepEqual(reports, []);
  });
});

describe('seq-scan-large-table leaves scans to the rule that explains them better', () => {
  test('lower(email) on an indexed email is function-on-indexed-column’s finding, not a missing index', async () => {
    const { reports } = await checkPlanRule(seqScanLargeTable, 'select id from users where lower(email) = $1');
    assert.deepEqual(reports, []);
  });
});
