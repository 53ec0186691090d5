// What a LIKE pattern lets an index do: leading wildcards seen through template parameters built with a leading
// '%', and trigram indexes only for patterns with a run of 3+ literal characters (pg_trgm extracts none from less).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findSqlInFile, resolveFindOptions } from '../../server/src/engine/find/index';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { likePattern } from '../../server/src/engine/likePattern';
import { leadingWildcardLikes } from '../../server/src/engine/rules/plan/leading-wildcard-like';
import { sqlSite } from '../rules/planRuleTestUtils';

async function patternOf(sql: string) {
  await loadParser();
  const parsed = parseSite(sqlSite(sql));
  const like = parsed.statements[0].node.SelectStmt.whereClause.A_Expr;
  return likePattern(like.rexpr);
}

describe('likePattern', () => {
  test('literal patterns: shape and whether a trigram index can narrow them', async () => {
    const cases: [string, string, boolean][] = [
      ["'%@%'", 'leading-wildcard', false],
      ["'%ab%'", 'leading-wildcard', false],
      ["'%abc%'", 'leading-wildcard', true],
      ["'_a_b_c%'", 'leading-wildcard', false],
      ["'%a\\%b%'", 'leading-wildcard', true],
      ["'abc%'", 'prefix', true],
      ["'%' || $1 || '%'", 'leading-wildcard', true],
      ["concat('%', $1::text)", 'leading-wildcard', true],
      ['$1', 'unknown', true],
    ];
    for (const [pattern, shape, trigramUsable] of cases) {
      assert.deepEqual(await patternOf(`select 1 from t where a ilike ${pattern}`), { shape, trigramUsable }, pattern);
    }
  });

  test("ILIKE ${'%' + q + '%'} in TypeScript is a leading wildcard; ILIKE ${q} is not known to be one", async () => {
    await loadParser();
    const source = [
      "import { Pool } from 'pg';",
      'const pool = new Pool();',
      'export async function search(q: string) {',
      "  await pool.query(`select id from users where full_name ilike ${'%' + q + '%'}`);",
      '  await pool.query(`select id from users where full_name ilike ${`%${q}%`}`);',
      '  await pool.query(`select id from users where full_name ilike ${q}`);',
      '}',
    ].join('\n');
    const found = findSqlInFile('search.ts', source, resolveFindOptions());
    assert.equal(found.sites.length, 3);
    const counts = found.sites.map((site) => {
      const statement = parseSite(site).statements[0];
      return leadingWildcardLikes(statement.node, site.parameters).length;
    });
    assert.deepEqual(counts, [1, 1, 0]);
  });
});
