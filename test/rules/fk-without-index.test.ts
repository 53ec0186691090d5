import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fkWithoutIndex } from '../../server/src/engine/rules/advice/fk-without-index';
import { checkPlanRule } from './planRuleTestUtils';

describe('fk-without-index', () => {
  test('DELETE on a referenced table: one finding per large child whose referencing column has no index, on the table name', async () => {
    const { reports } = await checkPlanRule(fkWithoutIndex, 'delete from accounts where id = $1');
    const children = reports.map((r) => r.evidence?.childTable).sort();
    // invoices, orders and users reference accounts without an index; projects and events have one.
    assert.deepEqual(children, ['invoices', 'orders', 'users']);
    for (const report of reports) assert.equal(report.anchoredText, 'accounts');
    const invoices = reports.find((r) => r.evidence?.childTable === 'invoices')!;
    assert.match(invoices.message, /^Each row deleted from accounts reads all ~[\d.]+k? rows of invoices: invoices\.account_id has no index\. PostgreSQL looks for rows of invoices that still reference it \(foreign key invoices_account_id_fkey\)/);
    assert.match(invoices.message, /EXPLAIN does not show it/);
    assert.match(invoices.message, /CREATE INDEX ON invoices \(account_id\)/);
  });

  test('UPDATE of the referenced key is flagged; UPDATE of other columns is not', async () => {
    const key = await checkPlanRule(fkWithoutIndex, 'update invoices set id = id + 1000000 where id = $1');
    assert.deepEqual(key.reports.map((r) => r.evidence?.childTable), ['invoice_lines']);
    const other = await checkPlanRule(fkWithoutIndex, "update invoices set status = 'paid' where id = $1");
    assert.deepEqual(other.reports, []);
  });

  test('a child with an index on the referencing column stays quiet (order_items.order_id is indexed)', async () => {
    const { reports } = await checkPlanRule(fkWithoutIndex, 'delete from orders where id = $1');
    assert.deepEqual(reports.map((r) => r.evidence?.childTable), []);
  });

  test('small child tables stay quiet: deleting a plan checks accounts (10k rows) only above minRows', async () => {
    const quiet = await checkPlanRule(fkWithoutIndex, 'delete from plans where id = $1', { minRows: 20000 });
    assert.deepEqual(quiet.reports, []);
    const loud = await checkPlanRule(fkWithoutIndex, 'delete from plans where id = $1');
    assert.deepEqual(loud.reports.map((r) => r.evidence?.childTable), ['accounts']);
  });

  test('DELETE on a table nobody references, and SELECT, stay quiet', async () => {
    assert.deepEqual((await checkPlanRule(fkWithoutIndex, 'delete from audit_log where id = $1')).reports, []);
    assert.deepEqual((await checkPlanRule(fkWithoutIndex, 'select * from accounts where id = $1')).reports, []);
  });
});
