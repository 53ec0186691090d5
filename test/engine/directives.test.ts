import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { directivesFor, isIgnored, readDirectives } from '../../server/src/engine/directives';

describe('directives in comments', () => {
  const text = [
    '-- pglens-ignore seq-scan-large-table, large-sort', // 0
    'select * from orders where note = $1;', // 1
    '// pglens-ignore', // 2
    'await pool.query(`select 1`)', // 3
    '-- pglens: budget 500', // 4
    'select * from orders;', // 5
    '/* pglens-ignore-next is not a directive */', // 6
    'select 2;', // 7
    '-- pglens: no-transaction', // 8
  ].join('\n');
  const directives = readDirectives(text);

  test('pglens-ignore with rule names silences those rules on the next line only', () => {
    const next = directivesFor(directives, [1]);
    assert.equal(isIgnored(next, 'seq-scan-large-table'), true);
    assert.equal(isIgnored(next, 'large-sort'), true);
    assert.equal(isIgnored(next, 'cost-budget'), false);
    assert.equal(isIgnored(directivesFor(directives, [5]), 'seq-scan-large-table'), false);
  });

  test('pglens-ignore without names silences every rule', () => {
    assert.equal(isIgnored(directivesFor(directives, [3]), 'anything'), true);
  });

  test('budget applies to the next statement', () => {
    assert.equal(directivesFor(directives, [5]).budget, 500);
    assert.equal(directivesFor(directives, [7]).budget, undefined);
  });

  test('a longer word that starts with pglens-ignore is not a directive', () => {
    assert.equal(directivesFor(directives, [7]).ignore, undefined);
  });

  test('no-transaction marks the file', () => {
    assert.equal(directives.noTransaction, true);
    assert.equal(readDirectives('select 1').noTransaction, false);
  });
});
