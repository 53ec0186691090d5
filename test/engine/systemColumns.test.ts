// System columns in conditions: the advisor and the plan rules must never offer to index ctid, xmin, ... (PostgreSQL
// refuses such an index). expressionColumns reads a plan's condition text with PostgreSQL's parser.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser } from '../../server/src/engine/parse/parse';
import { comparesOnlySystemColumns, expressionColumns, isSystemColumn } from '../../server/src/engine/sqlText';

describe('system columns in conditions', () => {
  before(async () => {
    await loadParser();
  });

  test('the six system columns, and nothing else', () => {
    for (const name of ['ctid', 'xmin', 'xmax', 'cmin', 'cmax', 'tableoid']) assert.ok(isSystemColumn(name), name);
    for (const name of ['id', 'oid', 'CTID', 'created_at']) assert.ok(!isSystemColumn(name), name);
  });

  test('columns of EXPLAIN conditions, with their qualifiers', () => {
    assert.deepEqual(expressionColumns('("RateLimit".ctid = "ANY_subquery".ctid)'), [
      { qualifier: 'RateLimit', column: 'ctid' },
      { qualifier: 'ANY_subquery', column: 'ctid' },
    ]);
    assert.deepEqual(expressionColumns("((xmin)::text = '5'::text)"), [{ column: 'xmin', qualifier: undefined }]);
    assert.deepEqual(expressionColumns('("createdAt" < $1)'), [{ column: 'createdAt', qualifier: undefined }]);
    assert.equal(expressionColumns('(hashed SubPlan 1)'), undefined);
  });

  test('only system columns, per qualifier; unreadable or column-free conditions conclude nothing', () => {
    assert.ok(comparesOnlySystemColumns('("RateLimit".ctid = "ANY_subquery".ctid)', 'RateLimit'));
    assert.ok(comparesOnlySystemColumns("((xmin)::text = '5'::text)"));
    assert.ok(!comparesOnlySystemColumns('((xmin)::text = (note)::text)'));
    assert.ok(!comparesOnlySystemColumns('(o.id = i.order_id)', 'i'));
    assert.ok(!comparesOnlySystemColumns('(hashed SubPlan 1)'));
    assert.ok(!comparesOnlySystemColumns('($1 = 5)'));
  });
});
