// What the type-aware finder costs (issue 11, speed goals): a TypeScript Program is built only for a file whose reading
// asks the checker something, parsed files are shared between the Programs of one type context, only a few Programs
// stay alive, and a project with very many root files first gets Programs of single files. Each test builds small
// projects in a temporary folder, with the slonik declarations of test/fixtures/realworld/ts-slonik.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findSqlInFile, resolveFindOptions } from '../../server/src/engine/find/index';
import { TypeContext } from '../../server/src/engine/find/typeContext';
import { RecentSourceFiles } from '../../server/src/engine/find/typescript';
import { loadParser } from '../../server/src/engine/parse/parse';

const SLONIK_TYPES = join(__dirname, '..', 'fixtures', 'realworld', 'ts-slonik', 'types');

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022'],
    types: [],
    strict: true,
    noEmit: true,
    baseUrl: '.',
    paths: { slonik: ['./types/slonik'] },
  },
  include: ['src', 'types'],
});

let root: string;

before(async () => {
  await loadParser();
  root = mkdtempSync(join(tmpdir(), 'pglens-type-cost-'));
});

after(() => rmSync(root, { recursive: true, force: true }));

/** A project folder with a tsconfig.json, the slonik declarations and the given files under src/. */
function project(name: string, files: Record<string, string>): string {
  const directory = join(root, name);
  mkdirSync(join(directory, 'src'), { recursive: true });
  writeFileSync(join(directory, 'tsconfig.json'), TSCONFIG);
  cpSync(SLONIK_TYPES, join(directory, 'types'), { recursive: true });
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(directory, 'src', file)), { recursive: true });
    writeFileSync(join(directory, 'src', file), text);
  }
  return directory;
}

function programsBuilt(logged: string[]): string[] {
  return logged.filter((line) => line.includes('type information from'));
}

const ASKS = (table: string) =>
  `import { sql } from 'slonik';\nimport { byId } from './fragments';\nexport const q = (id: string) => sql\`select * from ${table} where \${byId(id)}\`;\n`;
const FRAGMENTS = `import { sql } from 'slonik';\nexport function byId(id: string) {\n  return sql.fragment\`id = \${id}\`;\n}\n`;

describe('type context: what it builds', () => {
  test('a file whose sites ask the checker nothing builds no Program, and reads as the checker would', () => {
    const directory = project('plain', {
      'plain.ts': [
        "import { sql } from 'slonik';",
        'export const a = sql`select * from users where age > ${18} and name = ${"x"} and score = ${2 * 3}`;',
        "export const b = (pool: { query(text: string): void }) => pool.query('select 1 from users');",
        '',
      ].join('\n'),
      'asks.ts': ASKS('orders'),
      'fragments.ts': FRAGMENTS,
    });
    const logged: string[] = [];
    const options = { ...resolveFindOptions(), program: new TypeContext({ log: (line) => logged.push(line) }) };
    const plainFile = join(directory, 'src', 'plain.ts');
    const plainText = [
      "import { sql } from 'slonik';",
      'export const a = sql`select * from users where age > ${18} and name = ${"x"} and score = ${2 * 3}`;',
      "export const b = (pool: { query(text: string): void }) => pool.query('select 1 from users');",
      '',
    ].join('\n');
    const plain = findSqlInFile(plainFile, plainText, options);
    assert.deepEqual(
      plain.sites.map((site) => site.text),
      ['select * from users where age > $1 and name = $2 and score = $3', 'select 1 from users'],
    );
    assert.deepEqual(programsBuilt(logged), []);

    // A fragment returned by a function of another module: only the checker can read it, so the Program is built.
    const asks = findSqlInFile(join(directory, 'src', 'asks.ts'), ASKS('orders'), options);
    assert.deepEqual(asks.sites.map((site) => site.text), ['select * from orders where id = $1']);
    assert.equal(programsBuilt(logged).length, 1);
  });

  test('at most maxPrograms Programs stay alive; a dropped one is built again when asked, with the same reading', () => {
    const directories = ['one', 'two', 'three'].map((name) => project(`lru-${name}`, { 'asks.ts': ASKS(`t_${name}`), 'fragments.ts': FRAGMENTS }));
    const logged: string[] = [];
    const context = new TypeContext({ log: (line) => logged.push(line), maxPrograms: 2 });
    const options = { ...resolveFindOptions(), program: context };
    const read = (directory: string) => findSqlInFile(join(directory, 'src', 'asks.ts'), ASKS(`t_${directory.slice(directory.lastIndexOf('-') + 1)}`), options).sites.map((site) => site.text);
    assert.deepEqual(read(directories[0]), ['select * from t_one where id = $1']);
    assert.deepEqual(read(directories[1]), ['select * from t_two where id = $1']);
    assert.deepEqual(read(directories[2]), ['select * from t_three where id = $1']);
    assert.equal(context.stats.programs, 2);
    assert.equal(programsBuilt(logged).length, 3);
    // The first project's Program was the least recently used: dropped, and built again now.
    assert.deepEqual(read(directories[0]), ['select * from t_one where id = $1']);
    assert.equal(programsBuilt(logged).length, 4);
    assert.match(programsBuilt(logged)[3], /lru-one/);
    assert.equal(context.stats.programs, 2);
  });

  test('parsed files are shared by the Programs of one context (the lib and declarations parsed once)', () => {
    const first = project('shared-a', { 'asks.ts': ASKS('a'), 'fragments.ts': FRAGMENTS });
    const second = project('shared-b', { 'asks.ts': ASKS('b'), 'fragments.ts': FRAGMENTS });
    const context = new TypeContext({ maxPrograms: 2 });
    const options = { ...resolveFindOptions(), program: context };
    findSqlInFile(join(first, 'src', 'asks.ts'), ASKS('a'), options);
    const afterOne = context.stats.sharedFiles;
    findSqlInFile(join(second, 'src', 'asks.ts'), ASKS('b'), options);
    const afterTwo = context.stats.sharedFiles;
    // The second project adds its own files (src and its copy of the declarations), not another ES2022 lib.
    assert.ok(afterOne > 10, `lib files parsed: ${afterOne}`);
    assert.ok(afterTwo - afterOne < afterOne / 2, `the second Program added ${afterTwo - afterOne} files to ${afterOne}`);
  });

  test('a project of more than 500 root files gives an asking file a Program of itself and what it imports', () => {
    const files: Record<string, string> = { 'asks.ts': ASKS('orders'), 'fragments.ts': FRAGMENTS };
    for (let i = 0; i < 520; i++) files[`filler/f${i}.ts`] = `export const value${i} = ${i};\n`;
    const directory = project('large', files);
    const logged: string[] = [];
    const options = { ...resolveFindOptions(), program: new TypeContext({ log: (line) => logged.push(line) }) };
    const found = findSqlInFile(join(directory, 'src', 'asks.ts'), ASKS('orders'), options);
    assert.deepEqual(found.sites.map((site) => site.text), ['select * from orders where id = $1']);
    const built = programsBuilt(logged);
    assert.equal(built.length, 1);
    assert.match(built[0], /for .*asks\.ts \((\d+) files/);
    const count = Number(/\((\d+) files/.exec(built[0])![1]);
    assert.ok(count < 100, `a Program of ${count} files`);
  });

  test('language server: an edit of a file that asks nothing reaches the files that use it', () => {
    const constant = "import { sql } from 'slonik';\nexport const deletedFilter = sql.fragment`deleted_at is null`;\n";
    const user = "import { sql } from 'slonik';\nimport { deletedFilter } from './filters';\nexport const q = sql`select id from users where ${deletedFilter}`;\n";
    const directory = project('edits', { 'filters.ts': constant, 'users.ts': user });
    const logged: string[] = [];
    const options = { ...resolveFindOptions(), program: new TypeContext({ incremental: true, log: (line) => logged.push(line) }) };
    const recent = new RecentSourceFiles(4);
    const users = join(directory, 'src', 'users.ts');
    const filters = join(directory, 'src', 'filters.ts');
    assert.deepEqual(findSqlInFile(users, user, options, recent).sites.map((site) => site.text), ['select id from users where deleted_at is null']);
    const built = programsBuilt(logged).length;
    // The editor changes the fragment's module, which asks the checker nothing: no Program is built for it ...
    findSqlInFile(filters, constant.replace('deleted_at is null', 'archived_at is null'), options, recent);
    assert.equal(programsBuilt(logged).length, built);
    // ... but the query that uses it reads the edited text.
    assert.deepEqual(findSqlInFile(users, user, options, recent).sites.map((site) => site.text), ['select id from users where archived_at is null']);
  });
});
