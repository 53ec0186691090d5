import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_FIND_OPTIONS,
  findSqlInFile,
  mapSqlRangeToFile,
  resolveFindOptions,
  type FindOptions,
} from '../../server/src/engine/find/index';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import type { SkippedSite, SqlSite } from '../../server/src/engine/types';

before(() => loadParser());

function find(source: string, options: FindOptions = resolveFindOptions(), file = 'app.ts'): { sites: SqlSite[]; skipped: SkippedSite[] } {
  const { sites, skipped } = findSqlInFile(file, source, options);
  return { sites, skipped };
}

/** The SQL texts found in `source`. */
function sqlOf(source: string, options?: FindOptions, file?: string): string[] {
  return find(source, options, file).sites.map((site) => site.text);
}

/** Every site must cover its whole text with the file characters it came from. */
function assertMapsBack(source: string, site: SqlSite): void {
  for (const segment of site.segments) {
    if (segment.fileLength === undefined) {
      assert.equal(
        source.slice(segment.fileStart, segment.fileStart + segment.length),
        site.text.slice(segment.sqlStart, segment.sqlStart + segment.length),
        'a verbatim segment holds the same characters in the file and in the SQL',
      );
    }
  }
  for (const parameter of site.parameters) {
    assert.equal(site.text.slice(parameter.sqlStart, parameter.sqlStart + parameter.sqlLength), `$${parameter.index}`);
  }
}

/** The file text under the SQL range that starts at the first occurrence of `sqlPart` in the site. */
function fileTextOf(source: string, site: SqlSite, sqlPart: string): string {
  const start = site.text.indexOf(sqlPart);
  assert.ok(start >= 0, `${sqlPart} in ${site.text}`);
  const range = mapSqlRangeToFile(site, start, start + sqlPart.length);
  return source.slice(range.start, range.end);
}

describe('tagged templates', () => {
  test('postgres.js / @vercel/postgres: sql`...` with ${} becoming $1, $2 in order', () => {
    const source = 'const users = await sql`select * from users where org = ${orgId} and active = ${true}`;';
    const [site] = find(source).sites;
    assert.equal(site.origin, 'tagged-template');
    assert.equal(site.via, 'sql');
    assert.equal(site.text, 'select * from users where org = $1 and active = $2');
    assert.equal(site.parameterCount, 2);
    assert.deepEqual(
      site.parameters.map((parameter) => [parameter.index, parameter.expressionText, source.slice(parameter.fileStart, parameter.fileEnd)]),
      [
        [1, 'orgId', '${orgId}'],
        [2, 'true', '${true}'],
      ],
    );
    assert.equal(source.slice(site.fileStart, site.fileEnd), 'select * from users where org = ${orgId} and active = ${true}');
    assertMapsBack(source, site);
  });

  test('template parameters are numbered after the $n already written in the text', () => {
    const [site] = find('sql`select $1, ${x}, $3, ${y}`').sites;
    assert.equal(site.text, 'select $1, $4, $3, $5');
    assert.equal(site.parameterCount, 5);
  });

  test('FROM, IN and ZONE that take a value still bind a parameter', () => {
    const source = [
      'sql`select extract(epoch from ${since}), substring(name from ${start} for 3), position(${needle} in name) from t`',
      'sql`select * from t where a is distinct from ${a} and created_at at time zone ${zone} > now()`',
    ].join(';\n');
    const { sites, skipped } = find(source);
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      sites.map((site) => site.text),
      [
        'select extract(epoch from $1), substring(name from $2 for 3), position($3 in name) from t',
        'select * from t where a is distinct from $1 and created_at at time zone $2 > now()',
      ],
    );
    for (const site of sites) assert.equal(parseSite(site).error, undefined, site.text);
  });

  test('a ${} that is a whole condition (WHERE ${filter} ORDER BY, AND ${x} at the end) is a fragment, never a value; BETWEEN a AND ${b} is a value', () => {
    const { sites, skipped } = find(
      [
        'sql`select id from t where ${filter} order by created_at desc limit 10`',
        'sql`select id from t where a = ${a} and ${extra}`',
        'sql`select case when ${flag} then 1 else 0 end from t`',
        'sql`select id from t where created_at between ${from} and ${to}`',
        'sql`select id from t where a = ${a} and b = ${b}`',
      ].join(';\n'),
    );
    assert.deepEqual(
      skipped.map((skip) => skip.reason),
      ['filter', 'extra', 'flag'].map((name) => `SQL built at run time from \`${name}\`, where a name or a piece of SQL belongs: cannot be known statically`),
    );
    assert.deepEqual(
      sites.map((site) => site.text),
      ['select id from t where created_at between $1 and $2', 'select id from t where a = $1 and b = $2'],
    );
  });

  test('the same expression written twice gets two parameters', () => {
    const [site] = find('sql`select * from t where a = ${id} or b = ${id}`').sites;
    assert.equal(site.text, 'select * from t where a = $1 or b = $2');
  });

  test('Prisma: prisma.$queryRaw, this.prisma.$queryRaw<T>, tx.$executeRaw, Prisma.sql', () => {
    const source = [
      'const a = await prisma.$queryRaw`SELECT * FROM "User" WHERE email = ${email}`;',
      'const b = await this.prisma.$queryRaw<User[]>`SELECT id FROM "User"`;',
      'await prisma.$transaction(async (tx) => { await tx.$executeRaw`UPDATE "User" SET name = ${name} WHERE id = ${id}`; });',
      'const c = Prisma.sql`SELECT 1`;',
    ].join('\n');
    const sites = find(source).sites;
    assert.deepEqual(
      sites.map((site) => [site.via, site.text]),
      [
        ['prisma.$queryRaw', 'SELECT * FROM "User" WHERE email = $1'],
        ['this.prisma.$queryRaw', 'SELECT id FROM "User"'],
        ['tx.$executeRaw', 'UPDATE "User" SET name = $1 WHERE id = $2'],
        ['Prisma.sql', 'SELECT 1'],
      ],
    );
  });

  test('slonik: sql.type(Row)`...`, sql.typeAlias(...)`...`, sql.unsafe`...`, value helpers bind values', () => {
    const source = [
      'const user = await pool.one(sql.type(User)`SELECT id, name FROM users WHERE id = ${userId}`);',
      "const ids = await pool.anyFirst(sql.typeAlias('id')`SELECT id FROM users WHERE tags && ${sql.array(tags, 'text')}`);",
      'const loose = await pool.query(sql.unsafe`SELECT * FROM events WHERE payload @> ${sql.jsonb(filter)}`);',
    ].join('\n');
    assert.deepEqual(sqlOf(source), [
      'SELECT id, name FROM users WHERE id = $1',
      'SELECT id FROM users WHERE tags && $1::text[]',
      'SELECT * FROM events WHERE payload @> $1',
    ]);
  });

  test('kysely and drizzle: sql`...` and sql<Row>`...`, db.execute(sql`...`) found once', () => {
    const source = [
      'const rows = await sql<{ n: number }>`select count(*) as n from person where age > ${age}`.execute(db);',
      'const result = await db.execute(sql`select * from orders where total > ${min}`);',
    ].join('\n');
    assert.deepEqual(sqlOf(source), ['select count(*) as n from person where age > $1', 'select * from orders where total > $1']);
  });

  test('sql-template-strings: SQL`...`, and db.sql`...` members', () => {
    assert.deepEqual(sqlOf('db.query(SQL`SELECT author FROM books WHERE name = ${book}`); await this.db.sql`select 2`;'), [
      'SELECT author FROM books WHERE name = $1',
      'select 2',
    ]);
  });

  test('other tags are not SQL: html`...`, css`...`, gql`...`', () => {
    assert.deepEqual(sqlOf('html`<p>select * from users</p>`; css`select { color: red }`; gql`query { users { id } }`;'), []);
  });

  test('tags can be configured: replaced, extended, excluded', () => {
    const source = 'bq`select 1`; sql`select 2`; mysql.sql`select 3`;';
    assert.deepEqual(sqlOf(source, resolveFindOptions({ tags: ['bq'] })), ['select 1']);
    assert.deepEqual(sqlOf(source, resolveFindOptions({ extraTags: ['bq'] })), ['select 1', 'select 2', 'select 3']);
    assert.deepEqual(sqlOf(source, resolveFindOptions({ excludeTags: ['mysql.sql'] })), ['select 2']);
    assert.deepEqual(sqlOf('snow.sql`select 1`; pg.sql`select 2`', resolveFindOptions({ excludeTags: ['snow.*'] })), ['select 2']);
  });

  test('a * in a configured tag stands for any name or dotted path', () => {
    const source = 'mySql`select 1`; myOtherSql`select 2`; app.db.pg`select 3`; pg`select 4`;';
    assert.deepEqual(sqlOf(source, resolveFindOptions({ tags: ['my*'] })), ['select 1', 'select 2']);
    assert.deepEqual(sqlOf(source, resolveFindOptions({ tags: ['*.pg'] })), ['select 3']);
  });

  test('JavaScript flavours: .js, .jsx, .mjs, .cjs, .tsx, .mts, .cts; .d.ts and other files are not read', () => {
    const source = 'export const q = sql`select 1`;';
    for (const file of ['a.js', 'a.jsx', 'a.mjs', 'a.cjs', 'a.tsx', 'a.mts', 'a.cts', 'A.TS']) {
      assert.deepEqual(sqlOf(source, undefined, file), ['select 1'], file);
    }
    assert.deepEqual(sqlOf(source, undefined, 'types.d.ts'), []);
    assert.deepEqual(sqlOf(source, undefined, 'notes.md'), []);
    const jsx = 'export function Users() { const q = sql`select name from users`; return <ul>{q}</ul>; }';
    assert.deepEqual(sqlOf(jsx, undefined, 'users.jsx'), ['select name from users']);
  });
});

describe('nested fragments', () => {
  test('a sql`...` written inside a substitution is inlined, with its own parameters numbered in order', () => {
    const source = 'sql`select * from t where a = ${a} ${sql`and b = ${b}`} and c = ${c}`';
    const [site, ...rest] = find(source).sites;
    assert.equal(rest.length, 0, 'the inner fragment is not a site of its own');
    assert.equal(site.text, 'select * from t where a = $1 and b = $2 and c = $3');
    assert.deepEqual(
      site.parameters.map((parameter) => source.slice(parameter.fileStart, parameter.fileEnd)),
      ['${a}', '${b}', '${c}'],
    );
    assert.equal(fileTextOf(source, site, 'and b'), 'and b', 'inlined text maps to where it is written');
    assertMapsBack(source, site);
  });

  test('a const bound to a sql`...` fragment in the same file is inlined; the fragment alone is no site', () => {
    const source = [
      'const activeOnly = sql`and deleted_at is null and status = ${status}`;',
      'export async function list(org: string) {',
      '  return sql`select * from accounts where org = ${org} ${activeOnly} order by name`;',
      '}',
    ].join('\n');
    const { sites, skipped } = find(source);
    assert.equal(sites.length, 1);
    assert.equal(sites[0].text, 'select * from accounts where org = $1 and deleted_at is null and status = $2 order by name');
    assert.deepEqual(skipped, []);
    assert.equal(fileTextOf(source, sites[0], 'deleted_at'), 'deleted_at', 'maps into the constant');
    assert.equal(
      fileTextOf(source, sites[0], 'org = $1 and deleted_at'),
      'org = ${org} ${activeOnly}',
      'a range leaving the constant ends at its name',
    );
  });

  test('a subquery fragment inside IN (...) is inlined', () => {
    assert.deepEqual(sqlOf('sql`select * from t where id in (${sql`select t_id from u where x = ${x}`})`'), [
      'select * from t where id in (select t_id from u where x = $1)',
    ]);
  });

  test('raw helpers with literal text are inlined: sql.raw, Prisma.raw, sql.unsafe; Prisma.empty is nothing', () => {
    const source = [
      "sql`select * from t order by ${sql.raw('created_at desc')}`;",
      "prisma.$queryRaw`SELECT * FROM users ${Prisma.empty} ORDER BY ${Prisma.raw('id')}`;",
    ].join('\n');
    const sites = find(source).sites;
    assert.deepEqual(
      sites.map((site) => site.text),
      ['select * from t order by created_at desc', 'SELECT * FROM users  ORDER BY id'],
    );
    assert.equal(fileTextOf(source, sites[0], 'created_at desc'), 'created_at desc');
  });

  test('a fragment that is not used anywhere is reported as skipped, not as a syntax error', () => {
    const { sites, skipped } = find('export const byOwner = sql`and owner_id = ${ownerId}`;');
    assert.deepEqual(sites, []);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].reason, /fragment/);
  });

  test('a constant that refers to itself does not loop', () => {
    const { sites, skipped } = find('const a = sql`select ${a}`;');
    assert.deepEqual(sites, []);
    assert.match(skipped[0].reason, /refers to itself/);
  });
});

describe('SQL that cannot be known statically is skipped, with the reason', () => {
  test('a substitution where a table name belongs', () => {
    const source = 'const rows = await sql`select * from ${tableName} where id = ${id}`;';
    const { sites, skipped } = find(source);
    assert.deepEqual(sites, []);
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0].reason, 'SQL built at run time from `tableName`, where a name or a piece of SQL belongs: cannot be known statically');
    assert.equal(source.slice(skipped[0].fileStart, skipped[0].fileEnd), 'select * from ${tableName} where id = ${id}');
  });

  test('substitutions glued to names, after a clause, or as a type', () => {
    for (const source of [
      'sql`select * from ${schema}.users`',
      'sql`select * from events_${month}`',
      'sql`select * from t where a = 1 ${extraConditions}`',
      'sql`select ${value}::${type}`',
      'sql`select * from t where id in ${ids}`',
      'sql`${base} where id = 1`',
    ]) {
      const { sites, skipped } = find(source);
      assert.deepEqual(sites, [], source);
      assert.equal(skipped.length, 1, source);
    }
  });

  test('identifier and list helpers: sql.identifier, sql.join, Prisma.join, postgres.js sql(table)', () => {
    const cases: [string, string][] = [
      ["sql`select * from ${sql.identifier(['public', table])}`", 'sql.identifier'],
      ['sql`select * from t where id in (${sql.join(ids, sql.fragment`, `)})`', 'sql.join'],
      ['prisma.$queryRaw`SELECT * FROM "User" WHERE id IN (${Prisma.join(ids)})`', 'Prisma.join'],
      ['sql`select * from ${sql(table)} where id = ${id}`', 'sql(table)'],
      ['sql`insert into users ${sql(user)}`', 'sql(user'],
      ['sql`select * from t order by ${sql.raw(column)}`', 'sql.raw(column)'],
      ['prisma.$queryRaw`SELECT * FROM t ORDER BY ${Prisma.raw(orderBy)}`', 'Prisma.raw(orderBy)'],
    ];
    for (const [source, culprit] of cases) {
      const { sites, skipped } = find(source);
      assert.deepEqual(sites, [], source);
      assert.equal(skipped.length, 1, source);
      assert.ok(skipped[0].reason.includes(culprit), `${skipped[0].reason} names ${culprit}`);
    }
  });

  test('a fragment chosen at run time: one site per branch, each saying which', () => {
    const { sites, skipped } = find('sql`select * from t where true ${admin ? sql`` : sql`and owner = ${me}`}`');
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      sites.map((site) => [site.text, site.variant, site.assembled]),
      [
        ['select * from t where true ', '`admin` is set', true],
        ['select * from t where true and owner = $1', '`admin` is not set', true],
      ],
    );
  });

  test('a branch that cannot be known: the readable branches are planned, each naming the branch that was not', () => {
    const { sites, skipped } = find('sql`select * from t where true ${admin ? sql`` : buildFilter(me)}`');
    assert.deepEqual(skipped, []);
    assert.deepEqual(
      sites.map((site) => [site.text, site.variant, site.assembled]),
      [['select * from t where true ', '`admin` is set, not planned: `admin` is not set (built at run time)', true]],
    );
  });

  test('no branch that can be known skips the whole site, naming the first', () => {
    const { sites, skipped } = find('sql`select * from t where true ${admin ? buildAdminFilter(me) : buildFilter(me)}`');
    assert.deepEqual(sites, []);
    assert.equal(skipped.length, 1);
    assert.match(skipped[0].reason, /buildAdminFilter\(me\)/);
  });

  test('more than 8 combinations of conditional fragments: every branch planned once, not every combination', () => {
    const conditions = ['a', 'b', 'c', 'd', 'e'].map((name) => `\${${name} ? sql\`and ${name} = 1\` : sql\`\`}`).join(' ');
    const { sites, skipped } = find(`sql\`select * from t where true ${conditions}\``);
    assert.deepEqual(skipped, []);
    // All first branches, then each choice's other branch on its own: 6 readings for 5 choices, not 32.
    assert.deepEqual(
      sites.map((site) => site.text),
      [
        'select * from t where true and a = 1 and b = 1 and c = 1 and d = 1 and e = 1',
        'select * from t where true  and b = 1 and c = 1 and d = 1 and e = 1',
        'select * from t where true and a = 1  and c = 1 and d = 1 and e = 1',
        'select * from t where true and a = 1 and b = 1  and d = 1 and e = 1',
        'select * from t where true and a = 1 and b = 1 and c = 1  and e = 1',
        'select * from t where true and a = 1 and b = 1 and c = 1 and d = 1 ',
      ],
    );
    assert.equal(sites[2].variant, '`a` is set, `b` is not set, `c` is set, `d` is set, `e` is set');
  });

  test('a choice met only inside another branch is planned too; past 16 branches the site is skipped with the reason', () => {
    const nested = find('sql`select * from t where true ${a ? sql`and a = 1` : sql`and a is null ${b ? sql`and b = 1` : sql``}`} ${c ? sql`and c = 1` : sql``} ${d ? sql`and d = 1` : sql``} ${e ? sql`and e = 1` : sql``}`');
    assert.deepEqual(nested.skipped, []);
    assert.ok(nested.sites.some((site) => site.text.includes('and a is null and b = 1')));
    assert.ok(nested.sites.some((site) => site.text.includes('and a is null ') && !site.text.includes('b = 1')));
    const many = Array.from({ length: 17 }, (_, i) => `\${c${i} ? sql\`and c${i} = 1\` : sql\`\`}`).join(' ');
    const { sites, skipped } = find(`sql\`select * from t where true ${many}\``);
    assert.deepEqual(sites, []);
    assert.match(skipped[0].reason, /more than 16 branches of conditional fragments \(2 more\): not planned/);
  });

  test('postgres.js sql(row, ...columns) after INSERT INTO and SET, sql([..]) after IN', () => {
    assert.deepEqual(sqlOf('sql`insert into users ${sql(user, "name", "age")}`'), ['insert into users (name, age) values ($1, $2)']);
    assert.deepEqual(sqlOf('sql`update users set ${sql(user, "name", "age")} where id = ${id}`'), ['update users set name = $1, age = $2 where id = $3']);
    assert.deepEqual(sqlOf('sql`select * from users where id in ${sql([a, b, c])}`'), ['select * from users where id in ($1, $2)']);
    assert.deepEqual(sqlOf("sql`select ${sql(['id', 'email'])} from users`"), ['select id, email from users']);
    assert.deepEqual(sqlOf("sql`select * from ${sql('app.users')}`"), ['select * from app.users']);
  });

  test('a query function given a variable or a call', () => {
    const { sites, skipped } = find('await pool.query(text, values); await client.query(buildQuery(filters));');
    assert.deepEqual(sites, []);
    assert.deepEqual(
      skipped.map((site) => site.reason),
      [
        'SQL passed in `text`, which is not a constant of this file: cannot be known statically',
        'SQL built at run time by `buildQuery(filters)`: cannot be known statically',
      ],
    );
  });

  test('a concatenation with a run-time part', () => {
    const { sites, skipped } = find("pool.query('select * from ' + table + ' where id = $1', [id]);");
    assert.deepEqual(sites, []);
    assert.equal(skipped[0].reason, 'SQL built at run time from `table`: cannot be known statically');
  });

  test('a const of the file written as an object without text/sql, a number or an array is not SQL passed in', () => {
    const source = [
      "const toolInput = { name: 'readiness', dataType: 'NUMERIC' };",
      'await execute(toolInput, context);',
      'const retries = 3;',
      'await execute(retries);',
      "const config = { text: buildText() };",
      'await pool.query(config);',
    ].join('\n');
    assert.deepEqual(
      find(source).skipped.map((site) => site.reason),
      ['SQL passed in `config`, which is not a constant of this file: cannot be known statically'],
    );
  });

  test('postgres.js sql.unsafe(query) and Prisma $queryRawUnsafe(query)', () => {
    const { skipped } = find('await sql.unsafe(query); await prisma.$queryRawUnsafe(query, id);');
    assert.equal(skipped.length, 2);
  });
});

describe('query functions', () => {
  test('node-postgres: pool.query(text, values), client.query({ text, values })', () => {
    const source = [
      "const { rows } = await pool.query('SELECT * FROM users WHERE email = $1', [email]);",
      "await client.query({ text: 'UPDATE users SET last_seen = now() WHERE id = $1', values: [id] });",
      "await client.query('BEGIN');",
    ].join('\n');
    const sites = find(source).sites;
    assert.deepEqual(
      sites.map((site) => [site.origin, site.via, site.text, site.parameterCount]),
      [
        ['call-argument', 'pool.query', 'SELECT * FROM users WHERE email = $1', 1],
        ['call-argument', 'client.query', 'UPDATE users SET last_seen = now() WHERE id = $1', 1],
        ['call-argument', 'client.query', 'BEGIN', 0],
      ],
    );
    assert.equal(source.slice(sites[0].fileStart, sites[0].fileEnd), 'SELECT * FROM users WHERE email = $1');
  });

  test('pg-promise: db.one, db.any, db.none, db.oneOrNone, db.manyOrNone, db.result', () => {
    const source = [
      "db.one('SELECT * FROM users WHERE id = $1', [id]);",
      "db.any('select * from orders');",
      "db.none('DELETE FROM sessions WHERE expires < now()');",
      "db.oneOrNone('select 1');",
      "db.manyOrNone('select 2');",
      "db.result('update t set a = 1 where b = 2');",
    ].join('\n');
    assert.equal(find(source).sites.length, 6);
  });

  test('templates and + chains of literals; a plain template pastes constants and binds values as $n', () => {
    const source = [
      "const TABLE = 'audit_log';",
      'const LIMIT = 50;',
      'db.execute(`select * from ${TABLE} where actor = ${actor} limit ${LIMIT}`);',
      "pool.query('select id, name ' +\n  'from users ' +\n  'where id = $1', [id]);",
    ].join('\n');
    const sites = find(source).sites;
    assert.deepEqual(
      sites.map((site) => site.text),
      ['select * from audit_log where actor = $1 limit 50', 'select id, name from users where id = $1'],
    );
    assert.equal(fileTextOf(source, sites[0], 'audit_log'), 'audit_log', 'a pasted constant maps to its declaration');
    assert.equal(fileTextOf(source, sites[1], 'from users'), 'from users');
    assert.equal(fileTextOf(source, sites[1], 'name from'), "name ' +\n  'from", 'a range across a + spans the source');
  });

  test('a query constant declared once in the file and passed by name', () => {
    const source = [
      'export async function byEmail(email: string) {',
      '  return pool.query(FIND_BY_EMAIL, [email]);',
      '}',
      "const FIND_BY_EMAIL = 'select * from users where email = $1';",
      'export const again = () => pool.query(FIND_BY_EMAIL, [1]);',
    ].join('\n');
    const { sites, skipped } = find(source);
    assert.deepEqual(
      sites.map((site) => site.text),
      ['select * from users where email = $1'],
      'one site for one literal, however many calls use it',
    );
    assert.deepEqual(skipped, []);
  });

  test('a value pasted inside a quoted string is skipped: the string is only known at run time', () => {
    // `'$1'` for it would be another constant, which PostgreSQL may read as a value of the column's type and reject
    // (`created_at > '$1'`: invalid input syntax for type timestamp; `to_tsvector('$1', body)`: no such configuration).
    for (const source of [
      "db.query(`select * from users where name = '${name}' and id = ${id}`);",
      "db.query(`select id from notes where created_at > now() - interval '${days} days'`);",
      "knex.raw(`select id from notes where to_tsvector(E'${lang}', body) @@ plainto_tsquery(?)`, [term]);",
      'db.query(`select id from notes where body like $$%${term}%$$`);',
    ]) {
      const found = find(source);
      assert.deepEqual(found.sites, [], source);
      assert.match(found.skipped[0]?.reason ?? '', /^SQL built at run time from `\w+`, pasted inside a SQL string: cannot be known statically$/, source);
    }
    // A constant of the file is pasted as JavaScript pastes it; a value after the string is a parameter.
    const [site] = find("const KIND = 'note';\ndb.query(`select id from notes where kind = '${KIND}' and id = ${id}`);").sites;
    assert.equal(site.text, "select id from notes where kind = 'note' and id = $1");
  });

  test('a query object or a query builder given a connection is no SQL site: sql`...`.execute(db), Model.query(trx).insert(row)', () => {
    const kysely = find('await sql`create index notes_kind_idx on notes (kind)`.execute(db);\nawait sql.raw(text).execute(trx);');
    assert.deepEqual(kysely.sites.map((site) => site.text), ['create index notes_kind_idx on notes (kind)']);
    // sql.raw(text) itself runs text only known at run time; its `.execute(trx)` hands over no SQL
    assert.deepEqual(kysely.skipped.map((skip) => skip.expression), ['text']);
    // Objection: query(trx) returns a builder bound to the transaction; a promise's methods still mean it ran SQL text
    const objection = find('await Notes.query(trx).insert(row);\nawait pool.query(text).then(print);\nawait knex.raw(text).transacting(trx);');
    assert.deepEqual(objection.sites, []);
    assert.deepEqual(
      objection.skipped.map((skip) => skip.reason),
      ['SQL passed in `text`, which is not a constant of this file: cannot be known statically', 'SQL passed in `text`, which is not a constant of this file: cannot be known statically'],
    );
  });

  test("Kysely's db.dynamic.ref of a known string is the quoted name, also as `const { ref } = db.dynamic` or `const ref = db.dynamic.ref`", () => {
    const direct = find("await sql`create index notes_kind_idx on ${db.dynamic.ref('notes')} (${db.dynamic.ref('kind')})`.execute(db);");
    assert.deepEqual(direct.sites.map((site) => site.text), ['create index notes_kind_idx on notes (kind)']);
    const destructured = find("const { ref } = db.dynamic;\nawait sql`select ${ref('n.createdAt')} from notes n`.execute(db);");
    assert.deepEqual(destructured.sites.map((site) => site.text), ['select n."createdAt" from notes n']);
    const aliased = find("const col = db.dynamic.ref;\nawait sql`notify ${col('notes_changed')}`.execute(db);");
    assert.deepEqual(aliased.sites.map((site) => site.text), ['notify notes_changed']);
    // a `ref` the file does not take from Kysely stays unknown where a name belongs
    assert.equal(find("await sql`select * from ${ref('notes')}`.execute(db);").sites.length, 0);
  });

  test('knex.raw: a `??` bound to a string the file writes is that name, quoted per dotted part as knex does', () => {
    const source = "const TABLE = 'notes';\nknex.raw('select ??, count(*) from ?? group by ?? having count(*) > ?', ['n.owner_id', TABLE, 'n.owner_id', min]);";
    const [site] = find(source).sites;
    assert.equal(site.text, 'select n.owner_id, count(*) from notes group by n.owner_id having count(*) > $1');
    assert.equal(fileTextOf(source, site, 'notes'), '??');
    // a name known only at run time, or bindings that are not written as an array, stay skipped
    for (const unknown of ["knex.raw('select ?? from users', [column])", "knex.raw('select ?? from users', bindings)", "knex.raw('select ?? from users', [...columns])"]) {
      assert.deepEqual(find(unknown).skipped.map((skip) => skip.reason), ['SQL with a `??` identifier binding, filled in at run time: cannot be known statically'], unknown);
    }
  });

  test('a query function given `cond ? text : text` has a site per branch; a conditional of words is no SQL', () => {
    const found = find("pool.query(archived ? 'select id from notes where archived' : 'select id from notes');");
    assert.deepEqual(found.sites.map((site) => site.text), ['select id from notes where archived', 'select id from notes']);
    assert.deepEqual(find("pool.query(desc ? 'desc' : 'asc');"), { sites: [], skipped: [] });
  });

  test('knex.raw: ? bindings become $n and map to the ?', () => {
    const source = "await knex.raw('select * from users where id = ? and org = ?', [id, org]);";
    const [site] = find(source).sites;
    assert.equal(site.text, 'select * from users where id = $1 and org = $2');
    assert.deepEqual(
      site.parameters.map((parameter) => [parameter.fileStart, parameter.fileEnd]),
      [
        [source.indexOf('?'), source.indexOf('?') + 1],
        [source.lastIndexOf('?'), source.lastIndexOf('?') + 1],
      ],
    );
    assert.equal(fileTextOf(source, site, 'org = $2'), 'org = ?');
    assert.equal(find("knex.raw('select ?? from t', [column])").skipped.length, 1);
  });

  test('Sequelize and mysql-style ? placeholders in query() are bound when unmistakable; jsonb ? is left alone', () => {
    const source = [
      "sequelize.query('SELECT * FROM users WHERE id = ? AND status IN (?, ?) LIMIT ?', { replacements: [1, 'a', 'b', 10] });",
      "pool.query(\"select * from docs where data ? 'owner' and id = $1\", [id]);",
    ].join('\n');
    const sites = find(source).sites;
    assert.deepEqual(
      sites.map((site) => site.text),
      ['SELECT * FROM users WHERE id = $1 AND status IN ($2, $3) LIMIT $4', "select * from docs where data ? 'owner' and id = $1"],
    );
    for (const site of sites) assert.equal(parseSite(site).error, undefined, site.text);
  });

  test("Prisma's $queryRawUnsafe and $executeRawUnsafe with literal SQL", () => {
    assert.deepEqual(sqlOf("prisma.$queryRawUnsafe('SELECT * FROM \"User\" WHERE id = $1', 1);"), ['SELECT * FROM "User" WHERE id = $1']);
  });

  test('strings that are not SQL produce nothing at all', () => {
    const source = [
      "router.query('hello world');",
      "$('.query');",
      "jq.query('select an option');",
      "t.one('Update your profile');",
      "emitter.one('delete');",
      "db.execute('show me');",
      "req.query('with love');",
      "api.raw('Select a plan');",
      "cmd.execute('drop it like it is hot');",
      "db.query(42);",
    ].join('\n');
    assert.deepEqual(find(source), { sites: [], skipped: [] });
  });

  test('function names can be configured: replaced or extended', () => {
    const source = "repo.run('select 1'); pool.query('select 2');";
    assert.deepEqual(sqlOf(source, resolveFindOptions({ functions: ['run'] })), ['select 1']);
    assert.deepEqual(sqlOf(source, resolveFindOptions({ extraFunctions: ['run'] })), ['select 1', 'select 2']);
    assert.deepEqual(sqlOf(source, resolveFindOptions({ functions: ['repo.run'] })), ['select 1']);
  });
});

describe('/* sql */ marked literals', () => {
  test('templates and strings marked /* sql */, /*sql*/ or /* SQL */', () => {
    const source = [
      'const a = /* sql */ `select * from users where id = ${id}`;',
      "const b = /*sql*/ 'select 2';",
      'const c = /* SQL */ "select 3";',
      "const d = /* sql */ 'select ' + 'now()';",
      'const e = /* not sql */ `select 4`;',
    ].join('\n');
    const sites = find(source).sites;
    assert.deepEqual(
      sites.map((site) => [site.origin, site.text]),
      [
        ['marked-literal', 'select * from users where id = $1'],
        ['marked-literal', 'select 2'],
        ['marked-literal', 'select 3'],
        ['marked-literal', 'select now()'],
      ],
    );
  });

  test('the marker on a line of its own', () => {
    assert.deepEqual(sqlOf('const q =\n  /* sql */\n  `select 1`;'), ['select 1']);
  });
});

describe('exact text and ranges', () => {
  test('escapes in strings: the SQL is the cooked value, each escape maps to its source', () => {
    const source = String.raw`pool.query('select \'it\'\'s\' as a, \u00e9t\u00e9 as b, "x\ty" from t\n');`;
    const [site] = find(source).sites;
    assert.equal(site.text, "select 'it''s' as a, été as b, \"x\ty\" from t\n");
    assert.equal(fileTextOf(source, site, 'été'), String.raw`\u00e9t\u00e9`);
    assert.equal(fileTextOf(source, site, 'as b'), 'as b');
    assert.equal(fileTextOf(source, site, "'it''s'"), String.raw`\'it\'\'s\'`);
    assertMapsBack(source, site);
    assert.equal(parseSite(site).error, undefined);
  });

  test('escapes in templates: \\` and \\\\ and \\$ cook to their characters', () => {
    const source = 'sql`select \\`x\\` as q, \'a\\\\b\' as w, \'\\${y}\' as z`';
    const [site] = find(source).sites;
    assert.equal(site.text, "select `x` as q, 'a\\b' as w, '${y}' as z");
    assert.equal(site.parameters.length, 0);
  });

  test('CRLF inside a template reads as LF, and offsets after it stay exact', () => {
    const source = 'sql`select a,\r\n       b\r\nfrom t`';
    const [site] = find(source).sites;
    assert.equal(site.text, 'select a,\n       b\nfrom t');
    assert.equal(fileTextOf(source, site, 'from t'), 'from t');
    assert.equal(fileTextOf(source, site, 'a,\n'), 'a,\r\n');
  });

  test('non-ASCII text on the line before and emoji inside the SQL', () => {
    const source = [
      "const greeting = 'Grüße, 世界 👋';",
      "const rows = await sql`select * from posts where title = '🎉 launch' and body ilike ${pattern} and author = ${author}`;",
    ].join('\n');
    const [site] = find(source).sites;
    assert.equal(site.text, "select * from posts where title = '🎉 launch' and body ilike $1 and author = $2");
    assert.equal(fileTextOf(source, site, "'🎉 launch'"), "'🎉 launch'");
    assert.equal(fileTextOf(source, site, 'author = $2'), 'author = ${author}');
    const parsed = parseSite(site);
    assert.equal(parsed.error, undefined);
    const statement = parsed.statements[0];
    const range = mapSqlRangeToFile(site, statement.start, statement.end);
    assert.equal(source.slice(range.start, range.end), site.text.replace('$1', '${pattern}').replace('$2', '${author}'));
  });

  test('a syntax error maps to its exact place in the file', () => {
    const source = "// café ☕\nconst q = sql`select * form users where id = ${id}`;";
    const [site] = find(source).sites;
    const parsed = parseSite(site);
    assert.ok(parsed.error);
    assert.equal(parsed.error.message, 'syntax error at or near "form"');
    const range = mapSqlRangeToFile(site, parsed.error.offset, parsed.error.offset + 'form'.length);
    assert.equal(source.slice(range.start, range.end), 'form');
    assert.equal(source.slice(0, range.start).split('\n').length, 2, 'on the second line');
  });
});

describe('every site found parses', () => {
  test('a realistic data-access module', () => {
    const source = `
import { Pool } from 'pg';
import postgres from 'postgres';
import { sql as kysql } from 'kysely';
import { Prisma, PrismaClient } from '@prisma/client';

const pool = new Pool();
const sql = postgres();
const prisma = new PrismaClient();
const notDeleted = sql\`and deleted_at is null\`;

export async function findUser(id: string) {
  const { rows } = await pool.query('SELECT id, email FROM users WHERE id = $1', [id]);
  return rows[0];
}

export async function listOrders(customerId: string, since: Date) {
  return sql\`
    SELECT o.id, o.total, c.name
    FROM orders o
    JOIN customers c ON c.id = o.customer_id
    WHERE o.customer_id = \${customerId}
      AND o.created_at >= \${since}
      \${notDeleted}
    ORDER BY o.created_at DESC
    LIMIT 50
  \`;
}

export async function stats() {
  const totals = await prisma.$queryRaw<{ n: bigint }[]>\`
    WITH recent AS (SELECT * FROM "Order" WHERE "createdAt" > now() - interval '7 days')
    SELECT count(*) AS n FROM recent
  \`;
  await prisma.$executeRaw\`UPDATE "User" SET "lastSeen" = now() WHERE id = \${Prisma.raw("'x'")}\`;
  await pool.query(\`INSERT INTO audit (action, at) VALUES ($1, now()) ON CONFLICT DO NOTHING\`, ['stats']);
  await pool.query('select ' + 'count(*) ' + 'from users');
  return totals;
}
`;
    const { sites, skipped } = find(source);
    assert.equal(sites.length, 6);
    assert.deepEqual(skipped, []);
    for (const site of sites) {
      assertMapsBack(source, site);
      const parsed = parseSite(site);
      assert.equal(parsed.error, undefined, `${site.text}: ${parsed.error?.message}`);
      assert.equal(parsed.statements.length, 1);
    }
  });
});

describe('files without SQL', () => {
  test('a file that names no tag or function is not even parsed, and gives nothing', () => {
    assert.deepEqual(find('export const add = (a: number, b: number) => a + b;'), { sites: [], skipped: [] });
  });

  test('broken syntax does not throw', () => {
    assert.doesNotThrow(() => find('const q = sql`select * from t where a = ${'));
    assert.doesNotThrow(() => find("pool.query('select 1"));
    assert.doesNotThrow(() => find('sql`select 1'));
  });

  test('the default options are complete and frozen', () => {
    assert.ok(DEFAULT_FIND_OPTIONS.tags.includes('sql'));
    assert.ok(DEFAULT_FIND_OPTIONS.functions.includes('query'));
    assert.deepEqual(resolveFindOptions(), {
      tags: [...DEFAULT_FIND_OPTIONS.tags],
      functions: [...DEFAULT_FIND_OPTIONS.functions],
      excludeTags: [],
    });
  });
});
