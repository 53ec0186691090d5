// A skipped site names the expression pglens could not know in JSON's `expression` (and `--verbose`), not only inside
// the reason's text: a tool reading the JSON gets `table` for "SQL built at run time from `table`, ...".

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { expressionOfReason, findSqlInFile, resolveFindOptions } from '../../server/src/engine/find/index';

describe('the expression of a skipped site', () => {
  test('each kind of skip that quotes an expression carries it; a ClickHouse skip carries none', () => {
    const text = [
      "import { sql } from 'slonik';",
      "import { ch } from '@clickhouse/client';",
      'export async function list(pool, table, columns, text) {',
      '  await pool.query(`SELECT id FROM ${table} WHERE id = 1`);',
      "  await pool.query('SELECT ' + columns.join(', ') + ' FROM users');",
      '  await pool.query(text);',
      '  await pool.query(sql`SELECT * FROM ${sql.identifier([table])}`);',
      '  await ch.query(`SELECT toStartOfDay(ts) AS day, count() FROM events GROUP BY day`);',
      '}',
    ].join('\n');
    const found = findSqlInFile('list.ts', text, resolveFindOptions());
    assert.deepEqual(
      found.skipped.map(({ expression }) => expression),
      ['table', "columns.join(', ')", 'text', 'sql.identifier([table])', undefined],
    );
    assert.match(found.skipped[4].reason, /^ClickHouse SQL/);
  });

  test('quoted text with backticks of its own, truncated text, text read in another module', () => {
    const site = 'sql`SELECT 1 ${cond ? sql`AND a` : other} FROM t`';
    assert.equal(expressionOfReason('SQL built at run time from `cond ? sql`AND a` : other`: cannot be known statically', site), 'cond ? sql`AND a` : other');
    assert.equal(
      expressionOfReason('SQL built at run time from `buildWhere(filters, …`, where a name or a piece of SQL belongs: cannot be known statically', 'sql`x ${buildWhere(filters,\n   options)}`'),
      'buildWhere(filters, …',
    );
    assert.equal(expressionOfReason('SQL built at run time from `this.rowToken` (dao/base.ts:12): cannot be known statically', 'sql`SELECT ${this.columns}`'), 'this.rowToken');
    // Read in a const of the same file, outside the site: found in the file's text.
    assert.equal(expressionOfReason('SQL built at run time from `pathFilter`, where a name or a piece of SQL belongs: cannot be known statically', 'sql`WITH ${cte} SELECT 1`', 'const cte = sql`SELECT * FROM d WHERE ${pathFilter}`;'), 'pathFilter');
    // Not in the site or the file and no place named: nothing rather than a guess.
    assert.equal(expressionOfReason('SQL built at run time from `elsewhere`: cannot be known statically', 'sql`SELECT 1`'), undefined);
    assert.equal(expressionOfReason('assembled SQL does not parse: syntax error at or near "`"', 'sql`SELECT 1`'), undefined);
  });
});
