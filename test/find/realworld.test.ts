// The finder on code written in the styles of real projects (test/fixtures/realworld/ts-*): slonik with identifiers,
// lists and fragments from other modules, Prisma, postgres.js helpers, kysely and drizzle, a generated schema with
// literal-typed names, cursor pagination with optional fragments. Each fixture is a project with its own tsconfig.json
// and small declarations of the libraries; its expected.json holds, per site, the exact SQL pglens must plan (and the
// branch, for conditional fragments) or the reason it must give for skipping it.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { findSqlInFile, resolveFindOptions, type FindOptions } from '../../server/src/engine/find/index';
import { TypeContext } from '../../server/src/engine/find/typeContext';
import { RecentSourceFiles } from '../../server/src/engine/find/typescript';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';

const FIXTURES = join(__dirname, '..', 'fixtures', 'realworld');

before(() => loadParser());

interface ExpectedSite {
  file: string;
  line: number;
  text: string;
  variant?: string;
  assembled?: boolean;
}

interface ExpectedSkip {
  file: string;
  line: number;
  reason: string;
}

function sourceFiles(directory: string, into: string[] = []): string[] {
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) sourceFiles(path, into);
    else if (/\.(ts|js|sql)$/.test(entry) && !/\.d\.ts$/.test(entry)) into.push(path);
  }
  return into;
}

function lineOf(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** What the finder gives for every source file of a fixture, in the shape of expected.json. */
function findIn(fixture: string, options: FindOptions): { sites: ExpectedSite[]; skipped: ExpectedSkip[] } {
  const sites: ExpectedSite[] = [];
  const skipped: ExpectedSkip[] = [];
  for (const file of sourceFiles(join(fixture, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const found = findSqlInFile(file, text, options);
    const name = relative(fixture, file).split('\\').join('/');
    for (const site of found.sites) {
      const parsed = parseSite(site);
      assert.equal(parsed.error, undefined, `${name}: the SQL pglens assembled parses: ${site.text}`);
      sites.push({
        file: name,
        line: lineOf(text, site.fileStart),
        text: site.text,
        ...(site.variant ? { variant: site.variant } : {}),
        ...(site.assembled ? { assembled: true } : {}),
      });
    }
    for (const skip of found.skipped) skipped.push({ file: name, line: lineOf(text, skip.fileStart), reason: skip.reason });
  }
  return { sites, skipped };
}

describe('real-world fixtures: the SQL planned per site, or the reason it is skipped', () => {
  for (const name of readdirSync(FIXTURES).filter((entry) => entry.startsWith('ts-')).sort()) {
    test(name, () => {
      const fixture = join(FIXTURES, name);
      const expected = JSON.parse(readFileSync(join(fixture, 'expected.json'), 'utf8'));
      const options = { ...resolveFindOptions(), program: new TypeContext() };
      assert.deepEqual(findIn(fixture, options), expected);
    });
  }
});

describe('type context', () => {
  test('without type information the same code is read syntax-only: names and fragments of other modules are skipped', () => {
    const fixture = join(FIXTURES, 'ts-slonik');
    const { sites, skipped } = findIn(fixture, { ...resolveFindOptions(), program: false });
    // The logto-style identifiers and the helpers of another module cannot be known without types.
    assert.ok(!sites.some((site) => site.text.includes('tenant_id')), 'no names from the generated schema');
    // `where ${byTenant(tenantId)} and ...` puts a whole condition there: a fragment, never the value $1.
    assert.ok(skipped.some((skip) => /`byTenant\(tenantId\)`, where a name or a piece of SQL belongs/.test(skip.reason)));
    assert.ok(skipped.some((skip) => /`sql\.join\(Object\.values\(fields\)/.test(skip.reason)));
  });

  test('a helper declared to return Prisma.Sql is a fragment, never a `$n` value, even when @prisma/client does not resolve', () => {
    const fixture = join(FIXTURES, 'ts-prisma-unresolved-fragments');
    const { sites, skipped } = findIn(fixture, { ...resolveFindOptions(), program: new TypeContext() });
    const dueJobs = sites.filter((site) => site.text.includes('run_at <='));
    assert.deepEqual(dueJobs.map((site) => site.text.trim().split('\n').pop()!.trim()), [
      "WHERE project_id = $1 AND run_at <= now()",
      "WHERE project_id = $1 AND run_at <= now() + interval '1 hour'",
    ]);
    assert.ok(!sites.some((site) => /run_at = \$|created_at < \$/.test(site.text)), 'no fragment planned as a parameter');
    assert.ok(skipped.some((skip) => /`retentionCutoff\(30\)` \(a SQL fragment, `Prisma\.Sql` of its declared type/.test(skip.reason)));
  });

  test('a tsconfig.json that cannot be read falls back to the syntax, with one line logged and no crash', () => {
    const directory = mkdtempSync(join(tmpdir(), 'pglens-typecontext-'));
    try {
      writeFileSync(join(directory, 'tsconfig.json'), '{ "compilerOptions": { "strict": true, ');
      mkdirSync(join(directory, '.git'));
      const file = join(directory, 'a.ts');
      const text = 'const activeOnly = sql`deleted_at is null`;\nexport const q = sql`select * from users where ${activeOnly} and id = ${id}`;\n';
      writeFileSync(file, text);
      const logged: string[] = [];
      const found = findSqlInFile(file, text, { ...resolveFindOptions(), program: new TypeContext({ log: (line) => logged.push(line) }) });
      assert.deepEqual(found.sites.map((site) => site.text), ['select * from users where deleted_at is null and id = $1']);
      assert.equal(logged.length, 1);
      assert.match(logged[0], /tsconfig\.json cannot be read .*read without types/);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  test('language server: an edited text wins over the disk, in the edited file and in the files that use it', () => {
    const fixture = join(FIXTURES, 'ts-slonik');
    const context = new TypeContext({ incremental: true });
    const options = { ...resolveFindOptions(), program: context };
    const recent = new RecentSourceFiles(3);
    const users = join(fixture, 'src', 'users.ts');
    const fragments = join(fixture, 'src', 'fragments.ts');
    const usersText = readFileSync(users, 'utf8');
    const sortedBefore = findSqlInFile(users, usersText, options, recent).sites.filter((site) => site.text.startsWith('select id from users'));
    assert.deepEqual(sortedBefore.map((site) => site.text), ['select id from users order by created_at desc', 'select id from users order by created_at asc']);

    // The editor changes the helper module (not saved): the query that uses it reads the new text.
    const fragmentsText = readFileSync(fragments, 'utf8').replace('order by created_at asc', 'order by created_at asc, id');
    findSqlInFile(fragments, fragmentsText, options, recent);
    const sortedAfter = findSqlInFile(users, usersText, options, recent).sites.filter((site) => site.text.startsWith('select id from users'));
    assert.deepEqual(sortedAfter.map((site) => site.text), ['select id from users order by created_at desc', 'select id from users order by created_at asc, id']);

    // An edit of the query's own file: the new text is what is read.
    const edited = usersText.replace('select id from users ${orderFor(sort)}', 'select id, email from users ${orderFor(sort)}');
    const editedSites = findSqlInFile(users, edited, options, recent).sites.filter((site) => site.text.startsWith('select id, email'));
    assert.equal(editedSites.length, 2);
    assert.equal(editedSites[0].fileStart, edited.indexOf('select id, email'));
    assert.ok(editedSites.every((site) => site.assembled && site.variant?.startsWith('`orderFor()` returns the fragment of line')));
  });

  test('CLI: a text that differs from the disk is read syntax-only, not against a stale Program', () => {
    const fixture = join(FIXTURES, 'ts-postgresjs');
    const file = join(fixture, 'src', 'data.ts');
    const options = { ...resolveFindOptions(), program: new TypeContext() };
    const text = readFileSync(file, 'utf8') + '\nexport const extra = () => sql`select * from ${sql(INVOICES)}`;\n';
    const found = findSqlInFile(file, text, options);
    // postgres.js's sql(name) of a const `as const` is only known with types; syntax-only it is skipped.
    assert.ok(found.skipped.some((skip) => /`sql\(INVOICES\)`/.test(skip.reason)));
  });

  test('a site inlined from another file maps every finding range onto the `${expr}` that brought it', () => {
    const fixture = join(FIXTURES, 'ts-slonik');
    const file = join(fixture, 'src', 'users.ts');
    const text = readFileSync(file, 'utf8');
    const found = findSqlInFile(file, text, { ...resolveFindOptions(), program: new TypeContext() });
    const site = found.sites.find((candidate) => candidate.text.includes('tenant_id = $1'))!;
    const call = text.indexOf('${byTenant(tenantId)}');
    for (const parameter of site.parameters) {
      assert.ok(parameter.fileStart >= site.fileStart && parameter.fileEnd <= site.fileEnd, 'each parameter lies in the site');
    }
    const region = site.inlinedConstants!.find((candidate) => site.text.slice(candidate.sqlStart, candidate.sqlEnd).includes('tenant_id'))!;
    assert.equal(region.fileStart, call);
    assert.equal(region.fileEnd, call + '${byTenant(tenantId)}'.length);
    for (const segment of site.segments) {
      assert.equal(text.slice(segment.fileStart, segment.fileStart + segment.length), site.text.slice(segment.sqlStart, segment.sqlStart + segment.length));
    }
  });
});
