import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { findSqlInSqlFile } from '../../server/src/engine/find/sqlFile';
import { findSqlInFile, mapSqlRangeToFile } from '../../server/src/engine/find/index';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';

before(() => loadParser());

/** The statements of a script, as text. */
function statements(script: string): string[] {
  return findSqlInSqlFile('schema.sql', script).map((site) => site.text);
}

describe('.sql files: one site per statement', () => {
  test('splits on semicolons and maps each statement to its place in the file', () => {
    const script = 'select 1;\n\n  select 2 ;\nselect 3';
    const sites = findSqlInSqlFile('q.sql', script);
    assert.deepEqual(
      sites.map((site) => site.text),
      ['select 1', 'select 2', 'select 3'],
    );
    for (const site of sites) {
      assert.equal(site.origin, 'sql-file');
      assert.equal(site.file, 'q.sql');
      assert.equal(script.slice(site.fileStart, site.fileEnd), site.text);
      assert.deepEqual(site.segments, [{ sqlStart: 0, fileStart: site.fileStart, length: site.text.length }]);
      assert.deepEqual(site.parameters, []);
    }
  });

  test('leading whitespace and comments stay out of the statement, comments inside it stay in', () => {
    const script = '-- users by email\n/* hot path */\nselect * -- all columns\nfrom users;\n-- trailing note\n';
    assert.deepEqual(statements(script), ['select * -- all columns\nfrom users']);
  });

  test('empty statements are skipped', () => {
    assert.deepEqual(statements(';;select 1;; ;\n;'), ['select 1']);
    assert.deepEqual(statements(''), []);
    assert.deepEqual(statements('  -- only a comment\n'), []);
  });

  test('semicolons inside strings with doubled quotes do not split', () => {
    assert.deepEqual(statements("insert into notes values ('it''s; fine');select 2"), [
      "insert into notes values ('it''s; fine')",
      'select 2',
    ]);
  });

  test("E'...' strings take backslash escapes, so \\' does not end them", () => {
    assert.deepEqual(statements("select E'a\\';b', 'c\\';select 2"), ["select E'a\\';b', 'c\\'", 'select 2']);
  });

  test('semicolons inside double-quoted identifiers do not split', () => {
    assert.deepEqual(statements('select "odd;name" from "t"";x";select 2'), ['select "odd;name" from "t"";x"', 'select 2']);
  });

  test('dollar quotes with and without tags hold semicolons; $1 parameters are not dollar quotes', () => {
    const script = [
      'create function f() returns int language plpgsql as $$ begin return 1; end; $$;',
      'create function g() returns text language sql as $body$ select $x$;$x$ $body$;',
      'select $1 + $2 from t where a = $1;',
    ].join('\n');
    const sites = findSqlInSqlFile('f.sql', script);
    assert.deepEqual(
      sites.map((site) => site.text),
      [
        'create function f() returns int language plpgsql as $$ begin return 1; end; $$',
        'create function g() returns text language sql as $body$ select $x$;$x$ $body$',
        'select $1 + $2 from t where a = $1',
      ],
    );
    assert.deepEqual(
      sites.map((site) => site.parameterCount),
      [0, 0, 2],
    );
  });

  test('a $ inside an identifier does not open a dollar quote', () => {
    assert.deepEqual(statements('select a$b$ from t;select 2'), ['select a$b$ from t', 'select 2']);
  });

  test('block comments nest, and semicolons inside them do not split', () => {
    assert.deepEqual(statements('/* outer /* inner; */ still; comment */ select 1; select /* ; */ 2'), ['select 1', 'select /* ; */ 2']);
  });

  test('-- comments hold semicolons until the end of the line', () => {
    assert.deepEqual(statements('select 1 -- first; not a split\n, 2;select 3'), ['select 1 -- first; not a split\n, 2', 'select 3']);
  });

  test('BEGIN ATOMIC bodies of CREATE FUNCTION keep their semicolons, CASE ... END inside does not close them', () => {
    const create = [
      'CREATE OR REPLACE FUNCTION grade(score int) RETURNS text LANGUAGE sql',
      'BEGIN ATOMIC',
      "  SELECT CASE WHEN score > 90 THEN 'A' ELSE 'B' END;",
      '  SELECT 1;',
      'END',
    ].join('\n');
    assert.deepEqual(statements(`${create};\nselect grade(95);`), [create, 'select grade(95)']);
  });

  test('BEGIN ATOMIC bodies of CREATE PROCEDURE too', () => {
    const create = 'create procedure insert_two(a int) language sql begin atomic insert into t values (a); insert into t values (a + 1); end';
    assert.deepEqual(statements(`${create}; call insert_two(1);`), [create, 'call insert_two(1)']);
  });

  test('BEGIN as a transaction statement is an ordinary statement', () => {
    assert.deepEqual(statements('begin; update t set a = 1; commit;'), ['begin', 'update t set a = 1', 'commit']);
  });

  test('psql meta-commands are not SQL and are left out', () => {
    const script = '\\set ON_ERROR_STOP on\n\\i other.sql\nselect 1;\n\\echo done\nselect 2;';
    assert.deepEqual(statements(script), ['select 1', 'select 2']);
  });

  test('a meta-command like \\gexec ends the statement before it, as in psql', () => {
    assert.deepEqual(statements("select format('vacuum %I', relname) from pg_class\n\\gexec\nselect 2;"), [
      "select format('vacuum %I', relname) from pg_class",
      'select 2',
    ]);
  });

  test('data lines of COPY ... FROM stdin (as pg_dump writes them) are not SQL', () => {
    const script = 'COPY public.users (id, name) FROM stdin;\n1\tann; select\n2\tbob\n\\.\n\nselect count(*) from users;';
    assert.deepEqual(statements(script), ['COPY public.users (id, name) FROM stdin', 'select count(*) from users']);
  });

  test('an unterminated string, identifier, dollar quote or comment makes the rest one statement', () => {
    assert.deepEqual(statements("select 1; select 'never closed; select 3"), ['select 1', "select 'never closed; select 3"]);
    assert.deepEqual(statements('select "x; y'), ['select "x; y']);
    assert.deepEqual(statements('select $$ body; more'), ['select $$ body; more']);
    assert.deepEqual(statements('select 1 /* open; select 2'), ['select 1 /* open; select 2']);
    assert.deepEqual(statements('select 1; /* open; select 2'), ['select 1', '/* open; select 2']);
    assert.deepEqual(statements("select E'trailing backslash\\"), ["select E'trailing backslash\\"]);
  });

  test('parameterCount is the highest $n outside strings and comments', () => {
    const sites = findSqlInSqlFile('p.sql', "select $3, '$9', \"$8\" /* $7 */ -- $6\nfrom t where a = $1;");
    assert.equal(sites[0].parameterCount, 3);
  });

  test('non-ASCII text before and inside statements keeps UTF-16 offsets exact', () => {
    const script = "-- naïve café ☕\nselect 'émoji 🎉' as party;\nselect 'ok';";
    const sites = findSqlInSqlFile('u.sql', script);
    assert.equal(sites.length, 2);
    assert.equal(script.slice(sites[0].fileStart, sites[0].fileEnd), "select 'émoji 🎉' as party");
    const parsed = parseSite(sites[1]);
    const range = mapSqlRangeToFile(sites[1], parsed.statements[0].start, parsed.statements[0].end);
    assert.equal(script.slice(range.start, range.end), "select 'ok'");
  });

  test('CRLF line endings', () => {
    assert.deepEqual(statements('select 1;\r\n-- note\r\nselect 2;\r\n'), ['select 1', 'select 2']);
  });

  test('findSqlInFile sends .sql files here', () => {
    const { sites, skipped } = findSqlInFile('db/migrations/001.SQL', 'create table t (id int);');
    assert.deepEqual(
      sites.map((site) => site.text),
      ['create table t (id int)'],
    );
    assert.deepEqual(skipped, []);
  });

  test('every statement of a realistic migration parses with the PostgreSQL parser', () => {
    const script = `
-- 042_orders.sql
\\set ON_ERROR_STOP on
BEGIN;
CREATE TABLE orders (
  id bigserial PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers(id),
  note text DEFAULT 'n/a; none',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX CONCURRENTLY orders_customer_idx ON orders (customer_id);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
  NEW.created_at := now();
  RETURN NEW;
END;
$fn$;
CREATE FUNCTION order_count(c bigint) RETURNS bigint LANGUAGE sql STABLE
BEGIN ATOMIC
  SELECT count(*) FROM orders WHERE customer_id = c AND (CASE WHEN c > 0 THEN true ELSE false END);
END;
COMMENT ON TABLE orders IS E'Customer orders\\n(one row per checkout)';
COMMIT;
`;
    const sites = findSqlInSqlFile('042_orders.sql', script);
    assert.equal(sites.length, 7);
    for (const site of sites) {
      const parsed = parseSite(site);
      assert.equal(parsed.error, undefined, `${site.text}: ${parsed.error?.message}`);
      assert.equal(parsed.statements.length, 1, site.text);
    }
  });

  test('a long script of 20,000 statements is split completely and exactly', () => {
    // Speed is measured by bench/findParse.ts against a floor, not asserted here.
    const statement = "insert into t values (1, 'a;b', $$x;y$$); -- c;\n";
    const script = statement.repeat(20_000);
    const sites = findSqlInSqlFile('big.sql', script);
    assert.equal(sites.length, 20_000);
    assert.equal(sites[19_999].text, "insert into t values (1, 'a;b', $$x;y$$)");
    assert.equal(sites[19_999].fileStart, statement.length * 19_999);
  });
});
