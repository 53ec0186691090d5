import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { sqlSite } from '../rules/planRuleTestUtils';

before(() => loadParser());

describe('parseSite', () => {
  test('splits statements with exact UTF-16 ranges after non-ASCII text, without the semicolon or leading comments', () => {
    const text = "select 'héllo 😀';\n-- a comment\nupdate t set a = $2 where b = 'ü'";
    const { statements, error } = parseSite(sqlSite(text));
    assert.equal(error, undefined);
    assert.equal(statements.length, 2);
    assert.equal(statements[0].text, "select 'héllo 😀'");
    assert.equal(statements[0].start, 0);
    assert.equal(statements[1].text, "update t set a = $2 where b = 'ü'");
    assert.equal(text.slice(statements[1].start, statements[1].end), statements[1].text);
    assert.equal(statements[1].kind, 'UpdateStmt');
    assert.equal(statements[1].parameterCount, 2);
  });

  test('node locations convert to UTF-16 offsets in the site text', () => {
    const text = "select 'ééé' as x from orders";
    const [statement] = parseSite(sqlSite(text)).statements;
    const rangeVar = statement.node.SelectStmt.fromClause[0].RangeVar;
    assert.equal(text.slice(statement.offsetOf(rangeVar.location)).startsWith('orders'), true);
  });

  test('a syntax error carries its exact position, also after non-ASCII text', () => {
    const text = "select 'ü€😀' frm, x fro t";
    const { statements, error } = parseSite(sqlSite(text));
    assert.equal(statements.length, 0);
    assert.ok(error);
    assert.match(error.message, /syntax error at or near "t"/);
    assert.equal(text.slice(error.offset), 't');
  });

  test('the same statement text always has the same hash, and different text a different one', () => {
    const [a] = parseSite(sqlSite('select 1')).statements;
    const [b] = parseSite(sqlSite('select 1')).statements;
    const [c] = parseSite(sqlSite('select 2')).statements;
    assert.equal(a.textHash, b.textHash);
    assert.notEqual(a.textHash, c.textHash);
  });
});
