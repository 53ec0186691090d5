import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deepOffsetPagination } from '../../server/src/engine/rules/advice/deep-offset-pagination';
import { checkPlanRule } from './planRuleTestUtils';

describe('deep-offset-pagination', () => {
  test('a deep constant OFFSET: anchored on OFFSET n, with the keyset rewrite', async () => {
    const sql = 'select id, created_at from orders where account_id = $1 order by created_at desc, id desc limit 20 offset 5000';
    const { reports } = await checkPlanRule(deepOffsetPagination, sql);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].anchoredText, 'offset 5000');
    assert.match(reports[0].message, /^OFFSET 5000 reads and discards 5,000 rows before the page/);
    assert.equal(
      reports[0].fixes?.[0].sql,
      'select id, created_at from orders where account_id = $1 AND (created_at, id) < ($2::timestamp with time zone, $3::bigint) order by created_at desc, id desc limit 20',
    );
    assert.equal(reports[0].severity, 'info', 'below warningOffset');
    assert.match(reports[0].message, /\(created_at, id\) < \(\$2::timestamp with time zone, \$3::bigint\) ORDER BY created_at desc, id desc LIMIT/);
  });

  test('from warningOffset (10,000) on, a warning; the message quotes the ORDER BY the fix has', async () => {
    const { reports } = await checkPlanRule(deepOffsetPagination, 'select * from orders order by created_at limit 50 offset 2000000');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].severity, undefined, 'the rule default (warning)');
    assert.equal(reports[0].fixes?.[0].sql, 'select * from orders WHERE (created_at, id) > ($1::timestamp with time zone, $2::bigint) order by created_at, id limit 50');
    assert.match(reports[0].message, /ORDER BY created_at, id LIMIT/);
  });

  test('a non-unique sort key gets the primary key as tiebreaker, in the same direction; parameters OFFSET alone used are renumbered away', async () => {
    const { reports } = await checkPlanRule(deepOffsetPagination, 'select o.id from orders o where o.account_id = $1 order by o.created_at desc limit $3 offset $2');
    assert.equal(
      reports[0].fixes?.[0].sql,
      'select o.id from orders o where o.account_id = $1 AND (o.created_at, o.id) < ($3::timestamp with time zone, $4::bigint) order by o.created_at desc, o.id DESC limit $2',
    );
  });

  test('a page-dependent OFFSET ($2) is flagged; without WHERE the keyset predicate becomes the WHERE clause', async () => {
    const { reports } = await checkPlanRule(deepOffsetPagination, 'select * from events order by id limit $1 offset $2');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].fixes?.[0].sql, 'select * from events WHERE id > $2::bigint order by id limit $1');
    assert.equal(reports[0].severity, 'info', 'a page-dependent depth is not known');
  });

  test('an OR in the WHERE clause is parenthesised before the keyset condition is added', async () => {
    const { reports } = await checkPlanRule(deepOffsetPagination, "select * from orders where status = 'pending' or status = 'shipped' order by id limit 50 offset 10000");
    assert.equal(reports[0].fixes?.[0].sql, "select * from orders where (status = 'pending' or status = 'shipped') AND id > $1::bigint order by id limit 50");
  });

  test('shallow offsets stay quiet, and so do parameter offsets when the team turns them off', async () => {
    assert.deepEqual((await checkPlanRule(deepOffsetPagination, 'select * from orders order by id limit 20 offset 40')).reports, []);
    assert.deepEqual((await checkPlanRule(deepOffsetPagination, 'select * from orders order by id limit 20 offset $1', { flagParameterOffsets: false })).reports, []);
  });

  test('mixed sort directions: no row comparison can express them, so the advice is given in words', async () => {
    const { reports } = await checkPlanRule(deepOffsetPagination, 'select * from orders order by created_at desc, id asc limit 20 offset 2000');
    assert.equal(reports.length, 1);
    assert.equal(reports[0].fixes, undefined);
    assert.match(reports[0].message, /paginate by keyset/);
  });
});
