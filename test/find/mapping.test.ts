import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findSqlInFile, mapSqlOffsetToFile, mapSqlRangeToFile } from '../../server/src/engine/find/index';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { LineIndex } from '../../server/src/engine/text';
import type { SqlSite } from '../../server/src/engine/types';

before(() => loadParser());

function onlySite(file: string, source: string): SqlSite {
  const { sites } = findSqlInFile(file, source);
  assert.equal(sites.length, 1, `one site in ${source}`);
  return sites[0];
}

describe('mapping SQL offsets back to the file', () => {
  test('an offset in literal text maps to the same character in the file', () => {
    const source = 'await sql`select name from users where id = ${id}`;';
    const site = onlySite('a.ts', source);
    for (let offset = 0; offset < site.text.indexOf('$1'); offset++) {
      assert.equal(source[mapSqlOffsetToFile(site, offset)], site.text[offset]);
    }
  });

  test('an offset inside $n maps to the ${ of its expression; a range over $n covers the whole ${...}', () => {
    const source = 'sql`select * from t where a = ${user.id} and b = 1`';
    const site = onlySite('a.ts', source);
    const dollar = site.text.indexOf('$1');
    assert.equal(mapSqlOffsetToFile(site, dollar), source.indexOf('${user.id}'));
    assert.equal(mapSqlOffsetToFile(site, dollar + 1), source.indexOf('${user.id}'));
    const range = mapSqlRangeToFile(site, dollar, dollar + 2);
    assert.equal(source.slice(range.start, range.end), '${user.id}');
    const after = mapSqlOffsetToFile(site, dollar + 2);
    assert.equal(source.slice(after, after + 4), ' and');
  });

  test('the end of the text maps to the end of the literal, and past it too (a parser error "at end of input")', () => {
    const source = "pool.query('select * from');";
    const site = onlySite('a.ts', source);
    const end = source.indexOf("');");
    assert.equal(mapSqlOffsetToFile(site, site.text.length), end);
    const parsed = parseSite(site);
    assert.ok(parsed.error);
    const range = mapSqlRangeToFile(site, parsed.error.offset, parsed.error.offset + 1);
    assert.equal(range.start, end);
    assert.ok(range.end >= range.start);
  });

  test('a site ending with a parameter: the end maps past its closing brace', () => {
    const source = 'sql`select * from t where id = ${id}`';
    const site = onlySite('a.ts', source);
    assert.equal(mapSqlOffsetToFile(site, site.text.length), source.indexOf('}`') + 1);
  });

  test('an escape sequence: every SQL character of it maps to the backslash, a range over it covers all of it', () => {
    const source = String.raw`pool.query("select 'caf\u00e9', 'tab\there' from t");`;
    const site = onlySite('a.ts', source);
    const e = site.text.indexOf('é');
    assert.equal(source.slice(mapSqlOffsetToFile(site, e), mapSqlOffsetToFile(site, e) + 6), String.raw`\u00e9`);
    assert.deepEqual(mapSqlRangeToFile(site, e, e + 1), { start: source.indexOf('\\u00e9'), end: source.indexOf('\\u00e9') + 6 });
    const quoted = site.text.indexOf("'tab");
    const range = mapSqlRangeToFile(site, quoted, quoted + "'tab\there'".length);
    assert.equal(source.slice(range.start, range.end), String.raw`'tab\there'`);
  });

  test('an astral character written as \\u{1F600} is two UTF-16 units of SQL for one escape', () => {
    const source = String.raw`pool.query('select \u{1F600} as face');`;
    const site = onlySite('a.ts', source);
    assert.equal(site.text, 'select 😀 as face');
    const face = site.text.indexOf('😀');
    const range = mapSqlRangeToFile(site, face, face + 2);
    assert.equal(source.slice(range.start, range.end), String.raw`\u{1F600}`);
    const word = site.text.indexOf('face');
    const after = mapSqlRangeToFile(site, word, word + 4);
    assert.equal(source.slice(after.start, after.end), 'face', 'offsets after the escape stay exact');
  });

  test('text between stretches that was not copied from the file maps to the end of the stretch before it', () => {
    const site: SqlSite = {
      file: 'a.ts',
      origin: 'tagged-template',
      text: 'select 1 ,2',
      segments: [
        { sqlStart: 0, fileStart: 100, length: 8 },
        { sqlStart: 9, fileStart: 200, length: 2 },
      ],
      parameters: [],
      parameterCount: 0,
      fileStart: 100,
      fileEnd: 202,
    };
    assert.equal(mapSqlOffsetToFile(site, 7), 107);
    assert.equal(mapSqlOffsetToFile(site, 8), 108, 'the synthesised space');
    assert.equal(mapSqlOffsetToFile(site, 9), 200);
    assert.deepEqual(mapSqlRangeToFile(site, 7, 9), { start: 107, end: 108 });
    assert.deepEqual(mapSqlRangeToFile(site, 5, 5), { start: 105, end: 105 }, 'an empty range stays empty');
  });

  test('a range that starts in the query and ends inside a constant inlined by name ends at the name', () => {
    const source = [
      'const recent = sql`created_at > now() - interval \'1 day\'`;',
      'export const q = sql`select * from events where ${recent} and kind = ${kind}`;',
    ].join('\n');
    const site = onlySite('a.ts', source);
    assert.equal(site.text, "select * from events where created_at > now() - interval '1 day' and kind = $1");
    const where = site.text.indexOf('where');
    const interval = site.text.indexOf('interval');
    const leaving = mapSqlRangeToFile(site, where, interval + 'interval'.length);
    assert.equal(source.slice(leaving.start, leaving.end), 'where ${recent}');
    const inside = mapSqlRangeToFile(site, interval, interval + 'interval'.length);
    assert.equal(source.slice(inside.start, inside.end), 'interval', 'a range inside the constant stays exact');
    const whole = mapSqlRangeToFile(site, 0, site.text.length);
    assert.equal(source.slice(whole.start, whole.end), 'select * from events where ${recent} and kind = ${kind}');
  });

  test('.sql statements map one to one, and line/column follow through LineIndex with non-ASCII lines before', () => {
    const source = "-- Ünïcödé 📦 header\nselect 'a';\n  update t set a = 'é' where b = 1;\n";
    const { sites } = findSqlInFile('m.sql', source);
    const update = sites[1];
    const where = update.text.indexOf('where');
    const range = mapSqlRangeToFile(update, where, where + 5);
    assert.equal(source.slice(range.start, range.end), 'where');
    const lines = new LineIndex(source);
    assert.deepEqual(lines.positionAt(range.start), { line: 2, character: 2 + "update t set a = 'é' ".length });
  });

  test('statements parsed from a multi-statement template map back one by one', () => {
    const source = 'sql`\n  select 1;\n  select ${x}::int;\n`';
    const site = onlySite('a.ts', source);
    const parsed = parseSite(site);
    assert.equal(parsed.statements.length, 2);
    const second = parsed.statements[1];
    const range = mapSqlRangeToFile(site, second.start, second.end);
    assert.equal(source.slice(range.start, range.end), 'select ${x}::int');
  });
});
