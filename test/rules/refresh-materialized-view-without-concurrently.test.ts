import { test } from 'node:test';
import assert from 'node:assert/strict';
import { refreshMaterializedViewWithoutConcurrently as rule } from '../../server/src/engine/rules/locking/refresh-materialized-view-without-concurrently';
import { applyEdits, runLockRule } from './lockRuleTestUtils';

test('REFRESH MATERIALIZED VIEW: ACCESS EXCLUSIVE on the view, fix inserts CONCURRENTLY', async () => {
  const sql = 'REFRESH MATERIALIZED VIEW daily_revenue;';
  const [finding] = await runLockRule(rule, sql);
  assert.equal(finding.anchor, 'daily_revenue');
  assert.match(finding.message, /ACCESS EXCLUSIVE on daily_revenue for the whole time its query runs\. Blocks every read and write of daily_revenue/);
  assert.equal(applyEdits(sql, finding.fixes?.[0].edits), 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue;');
});

test('CONCURRENTLY, WITH NO DATA and views created in the same file are quiet', async () => {
  assert.deepEqual(await runLockRule(rule, 'REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue;'), []);
  assert.deepEqual(await runLockRule(rule, 'REFRESH MATERIALIZED VIEW daily_revenue WITH NO DATA;'), []);
  assert.deepEqual(await runLockRule(rule, 'create materialized view mv as select 1 as x;\nrefresh materialized view mv;'), []);
});
