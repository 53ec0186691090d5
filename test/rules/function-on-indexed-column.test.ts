import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { functionOnIndexedColumn } from '../../server/src/engine/rules/plan/function-on-indexed-column';
import { checkPlanRule } from './planRuleTestUtils';

describe('function-on-indexed-column', () => {
  test('lower(email) hides the index on email; anchored on the call', async () => {
    const { reports } = await checkPlanRule(functionOnIndexedColumn, "select id from users where lower(email) = 'ann@example.com'");
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'lower(email)');
    assert.match(reports[0].message, /lower\(email\) hides users\.email from its index users_email_key/);
    assert.match(reports[0].message, /CREATE INDEX ON users \(\(lower\(email\)\)\)/);
  });

  test('a cast of a timestamp to date suggests a range instead', async () => {
    const { reports } = await checkPlanRule(functionOnIndexedColumn, 'select id from orders o where o.created_at::date = $1');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'o.created_at::date');
    assert.match(reports[0].message, /Compare the bare column instead, e\.g\. a range/);
    assert.equal(reports[0].evidence?.cast, true);
  });

  test('comparing the bare column stays quiet', async () => {
    const { reports } = await checkPlanRule(functionOnIndexedColumn, "select id from users where email = 'ann@example.com'");
    assert.deepEqual(reports, []);
  });

  test('a function on an unindexed column is not this rule’s business', async () => {
    const { reports } = await checkPlanRule(functionOnIndexedColumn, "select id from users where lower(full_name) = 'ann'");
    assert.deepEqual(reports, []);
  });

  test('small tables stay quiet', async () => {
    const { reports } = await checkPlanRule(functionOnIndexedColumn, "select * from countries where lower(code) = 'de'");
    assert.deepEqual(reports, []);
  });
});
