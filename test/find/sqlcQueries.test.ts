// sqlc query files: sqlc's named parameters become the `$n` sqlc sends (a name keeps its number, numbered after any
// `$n` written), each mapping back to what it replaced; strings, comments, quoted names and the `<@`/`@>` operators
// stay as written, and a .sql file that is not sqlc's keeps `@` as PostgreSQL's operator.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findSqlInSqlFile } from '../../server/src/engine/find/sqlFile';
import { mapSqlRangeToFile } from '../../server/src/engine/find/index';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';

before(() => loadParser());

const QUERIES = join(__dirname, '..', 'fixtures', 'realworld', 'sql-sqlc-queries', 'db', 'query');

describe('sqlc query files', () => {
  test('member.sql: @name, sqlc.narg with a cast, sqlc.arg; a name keeps its number; strings and comments untouched', () => {
    const file = join(QUERIES, 'member.sql');
    const text = readFileSync(file, 'utf8');
    const sites = findSqlInSqlFile(file, text);
    assert.deepEqual(
      sites.map((site) => site.text),
      [
        'SELECT * FROM members\nWHERE handle = $1 LIMIT 1',
        'UPDATE members\nSET\n  display_name = COALESCE($1, display_name),\n  tags = COALESCE($2::text[], tags)\nWHERE handle = $3\nRETURNING *',
        "SELECT id, handle FROM members\nWHERE tags <@ $1::text[] AND display_name <> '@nobody'\nORDER BY id\nLIMIT $2",
      ],
    );
    for (const site of sites) {
      assert.equal(parseSite(site).error, undefined, site.text);
      assert.ok(!site.assembled);
      // Each $n maps to the whole parameter as written; the text between to itself.
      for (const parameter of site.parameters) {
        const range = mapSqlRangeToFile(site, parameter.sqlStart, parameter.sqlStart + parameter.sqlLength);
        assert.equal(text.slice(range.start, range.end), parameter.expressionText);
      }
      const at = site.text.indexOf('members');
      const range = mapSqlRangeToFile(site, at, at + 'members'.length);
      assert.equal(text.slice(range.start, range.end), 'members');
    }
    assert.deepEqual(
      sites[1].parameters.map((parameter) => `$${parameter.index} ${parameter.expressionText}`),
      ['$1 sqlc.narg(display_name)', "$2 sqlc.narg('tags')", '$3 sqlc.arg(handle)'],
    );
    assert.deepEqual(
      sites.map((site) => site.parameterCount),
      [1, 3, 2],
    );
  });

  test('payout.sql: named parameters numbered after a $1 written; the same name twice is one parameter', () => {
    const file = join(QUERIES, 'payout.sql');
    const sites = findSqlInSqlFile(file, readFileSync(file, 'utf8'));
    assert.deepEqual(
      sites.map((site) => site.text),
      ['UPDATE payouts\nSET amount_cents = amount_cents + $1\nWHERE id = $2\nRETURNING *', 'SELECT id, amount_cents FROM payouts\nWHERE member_id = $1 AND note = $2'],
    );
    const twice = findSqlInSqlFile('q.sql', '-- name: Between :many\nSELECT * FROM t WHERE a > @lo AND b > @lo AND c < sqlc.arg(hi) AND d = sqlc.embed(t);');
    assert.equal(twice[0].text, 'SELECT * FROM t WHERE a > $1 AND b > $1 AND c < $2 AND d = t.*');
    assert.equal(twice[0].parameterCount, 2);
    assert.ok(twice[0].assembled, 'sqlc.embed is written by pglens');
  });

  test('a .sql file without sqlc query names keeps @ as PostgreSQL reads it', () => {
    const sites = findSqlInSqlFile('q.sql', 'SELECT @ -5, tags <@ ARRAY[@x] FROM t;');
    assert.equal(sites[0].text, 'SELECT @ -5, tags <@ ARRAY[@x] FROM t');
    assert.deepEqual(sites[0].parameters, []);
  });
});
