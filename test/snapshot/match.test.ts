// What matches a statement of the code to a pg_stat_statements entry (libpg_query fingerprints), and which column
// values a snapshot keeps by default: the rules docs/production-snapshot.md states.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { describeRuntimeCost, statementFingerprint } from '../../server/src/engine/snapshot/match';
import { isPersonalColumnName, valuesKept } from '../../server/src/engine/snapshot/privacy';

before(() => loadPgQuery());

describe('fingerprints', () => {
  const same = (code: string, production: string) => assert.equal(statementFingerprint(code), statementFingerprint(production), `${code}  ~  ${production}`);
  const different = (a: string, b: string) => assert.notEqual(statementFingerprint(a), statementFingerprint(b), `${a}  !~  ${b}`);

  test('constants, $n, IN lists, = ANY, casts of constants, whitespace, case and comments do not count', () => {
    same('SELECT id FROM orders WHERE customer_id = $1', 'select id from orders where customer_id = 42');
    same('SELECT id FROM orders WHERE status IN ($1, $2)', 'SELECT id FROM orders WHERE status IN ($1, $2, $3, $4)');
    same('SELECT id FROM orders WHERE id = ANY($1)', 'SELECT id FROM orders WHERE id IN (1, 2, 3)');
    same("UPDATE orders SET status = 'cancelled' WHERE created_at < now() - interval '30 days'", 'UPDATE orders SET status = $1 WHERE created_at < now() - $2::interval');
    same('SELECT id\n  FROM orders -- newest first\n ORDER BY created_at DESC LIMIT 20', '/* app */ SELECT id FROM orders ORDER BY created_at DESC LIMIT $1');
  });

  test('another column, table, order or a LIMIT more is another statement', () => {
    different('SELECT id FROM orders WHERE customer_id = $1', 'SELECT id, status FROM orders WHERE customer_id = $1');
    different('SELECT id FROM orders WHERE customer_id = $1', 'SELECT id FROM orders WHERE customer_id = $1 LIMIT 10');
    different('SELECT id FROM orders ORDER BY created_at', 'SELECT id FROM orders ORDER BY created_at DESC');
    assert.equal(statementFingerprint('SELECT FROM WHERE'), undefined);
  });

  test('the words beside the code', () => {
    assert.equal(describeRuntimeCost({ calls: 1240, meanMs: 38.2, totalMs: 47368, shareOfTime: 0.21, date: '2026-12-01' }), 'prod: 1,240 calls · mean 38 ms · 21% of DB time');
    assert.equal(describeRuntimeCost({ calls: 3, meanMs: 0.123, totalMs: 0.4, shareOfTime: 0.0004, date: '2026-12-01' }), 'prod: 3 calls · mean 0.12 ms · <0.1% of DB time');
  });
});

describe('values kept by default', () => {
  const column = (name: string, typeCategory: string, nDistinct: number, tableRows = 100_000, typeType = 'b') => ({ name, typeCategory, typeType, nDistinct, tableRows });

  test('personal or free-text names: nothing, whatever the type', () => {
    for (const name of ['email', 'customer_email', 'firstName', 'last_name', 'phone', 'ip_address', 'birth_date', 'description', 'payload']) {
      assert.equal(isPersonalColumnName(name), true, name);
    }
    assert.deepEqual(valuesKept(column('country_name', 'S', 5), false), { mostCommon: false, histogram: false, reason: 'the name says personal data or free text' });
    assert.equal(isPersonalColumnName('status'), false);
    assert.equal(isPersonalColumnName('created_at'), false);
  });

  test('booleans and enums keep all; status-like text keeps its values; other text keeps none', () => {
    assert.deepEqual(valuesKept(column('active', 'B', 2), false), { mostCommon: true, histogram: true });
    assert.deepEqual(valuesKept(column('kind', 'E', 4, 100_000, 'e'), false), { mostCommon: true, histogram: true });
    assert.deepEqual(valuesKept(column('status', 'S', 5), false), { mostCommon: true, histogram: true });
    assert.equal(valuesKept(column('sku', 'S', -1), false).mostCommon, false);
    // 40 distinct values in 100 rows: fewer than 10 rows per value, so a value may point at one row.
    assert.equal(valuesKept(column('code', 'S', 40, 100), false).mostCommon, false);
  });

  test('numbers and times keep their bounds, not their frequent values; uuid and json keep nothing', () => {
    assert.deepEqual(valuesKept(column('created_at', 'D', -0.9), false), { mostCommon: false, histogram: true, reason: 'most common values of a number or time with many distinct values' });
    assert.deepEqual(valuesKept(column('quantity', 'N', 20), false), { mostCommon: true, histogram: true });
    assert.equal(valuesKept(column('external_id', 'U', -1), false).histogram, false);
    assert.deepEqual(valuesKept(column('email', 'S', -1), true), { mostCommon: true, histogram: true });
  });
});
