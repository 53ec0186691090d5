// pg-promise's formatting variables (find/pgPromiseFormat.ts): read as pg-promise fills them in, never as broken
// SQL; left alone where they are PostgreSQL's own syntax, and where another client sends the text as written.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findSqlInFile, mapSqlRangeToFile } from '../../server/src/engine/find/index';
import { pgPromiseVariables } from '../../server/src/engine/find/pgPromiseFormat';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';

before(() => loadParser());

function written(text: string): string[] {
  return pgPromiseVariables(text).map((variable) => `${text.slice(variable.start, variable.end)} ${variable.kind}`);
}

describe('pg-promise formatting variables', () => {
  test('every named form and filter, and index variables with a word filter', () => {
    assert.deepEqual(written('a = ${a} and b = $(b) and c = $<c> and d = $[d] and e = $/e/'), ['${a} value', '$(b) value', '$<c> value', '$[d] value', '$/e/ value']);
    assert.deepEqual(written('${t~} ${t:name} ${t:alias} ${w^} ${w:raw} ${j:json} ${v#} ${v:value} ${l:csv} ${l:list} ${ this.id }'), [
      '${t~} name',
      '${t:name} name',
      '${t:alias} name',
      '${w^} raw',
      '${w:raw} raw',
      '${j:json} value',
      '${v#} value',
      '${v:value} value',
      '${l:csv} list',
      '${l:list} list',
      '${ this.id } value',
    ]);
    assert.deepEqual(written('select * from $1:name where id in ($2:csv) and doc = $3:json'), ['$1:name name', '$2:csv list', '$3:json value']);
  });

  test('PostgreSQL syntax is left alone: casts, slices, operators, strings, comments, dollar quotes, mismatched brackets', () => {
    assert.deepEqual(written('select $1::int, arr[$1:$2], arr[$1:name], $1^2, $1 ~ $2, $1#$2'), []);
    assert.deepEqual(written("select '${a}', \"$<b>\", $$ ${c} $$, $fn$ $(d) $fn$ -- ${e}\n/* $[f] */"), []);
    assert.deepEqual(written('select ${a) , $(b}, $<c]'), []);
    assert.deepEqual(written('select price$1, a$(b)'), []);
  });

  test('a finding on a variable lands on the variable as written', () => {
    const code = "const pgp = require('pg-promise')();\nconst db = pgp(url);\ndb.any('select * from t where a = ${a} and b = $(b)', { a, b });\n";
    const [site] = findSqlInFile('repo.js', code).sites;
    assert.equal(site.text, 'select * from t where a = $1 and b = $2');
    const second = site.text.indexOf('$2');
    const range = mapSqlRangeToFile(site, second, second + 2);
    assert.equal(code.slice(range.start, range.end), '$(b)');
    const where = site.text.indexOf('where');
    assert.equal(code.slice(mapSqlRangeToFile(site, where, where + 5).start).slice(0, 5), 'where');
  });

  test('node-postgres sends `${id}` in a normal string as written: it stays the syntax error it is', () => {
    const code = "import { Pool } from 'pg';\nconst pool = new Pool();\nexport const q = () => pool.query('select * from users where id = ${id}');\n";
    const { sites, skipped } = findSqlInFile('repo.ts', code);
    assert.equal(skipped.length, 0);
    assert.equal(sites.length, 1);
    assert.equal(sites[0].text, 'select * from users where id = ${id}');
    assert.notEqual(sites[0].assembled, true);
    assert.ok(parseSite(sites[0]).error, 'PostgreSQL rejects it, as pglens says');
  });

  test('a query file: every statement read as pg-promise fills it in, text inside strings untouched', () => {
    const script = "insert into t (a, b) values (${a}, ${b:json});\nselect * from t where a in ($1:csv) and b = '$<b>'";
    const { sites, skipped } = findSqlInFile('queries/t.sql', script);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      sites.map((site) => site.text),
      ['insert into t (a, b) values ($1, $2)', "select * from t where a in ($1, $2) and b = '$<b>'"],
    );
    for (const site of sites) assert.equal(parseSite(site).error, undefined);
    assert.equal(sites[1].parameterCount, 2);
  });
});
