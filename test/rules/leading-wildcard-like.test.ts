import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { leadingWildcardLike } from '../../server/src/engine/rules/plan/leading-wildcard-like';
import { checkPlanRule } from './planRuleTestUtils';

describe('leading-wildcard-like', () => {
  test('a literal pattern starting with % on a large table, anchored on the LIKE', async () => {
    const { reports } = await checkPlanRule(leadingWildcardLike, "select id from orders where customer_email like '%@example.com'");
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, "customer_email like '%@example.com'");
    assert.match(reports[0].message, /^LIKE with a leading wildcard on orders\.customer_email reads all ~300k rows/);
    assert.match(reports[0].fixes?.[0].sql ?? '', /gin \(customer_email gin_trgm_ops\)/);
  });

  test("ILIKE '%' || $1 || '%' is a leading wildcard too", async () => {
    const { reports } = await checkPlanRule(leadingWildcardLike, "select id from users where full_name ilike '%' || $1 || '%'");
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /^ILIKE with a leading wildcard on users\.full_name/);
  });

  test("'%@%' is reported without a trigram index: a run of fewer than 3 literal characters gives pg_trgm nothing to look up", async () => {
    const { reports } = await checkPlanRule(leadingWildcardLike, "select id from orders where customer_email ilike '%@%'");
    assert.equal(reports.length, 1);
    assert.match(reports[0].message, /fewer than 3 literal characters/);
    assert.doesNotMatch(reports[0].message, /gin_trgm_ops/);
    assert.equal(reports[0].fixes, undefined);
  });

  test('a prefix pattern stays quiet', async () => {
    const { reports } = await checkPlanRule(leadingWildcardLike, "select id from users where full_name like 'Ann%'");
    assert.deepEqual(reports, []);
  });

  test('small tables stay quiet', async () => {
    const { reports } = await checkPlanRule(leadingWildcardLike, "select * from countries where name like '%land'");
    assert.deepEqual(reports, []);
  });
});
