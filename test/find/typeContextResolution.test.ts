// What a type context's Programs load from node_modules (issue 11, memory): the SQL libraries' declarations and the
// workspace's own packages and the packages the project's code imports itself, never what those import from other
// packages nor the @types packages the config does not name. Each test
// builds a small project in a temporary folder: slonik's declarations (those of test/fixtures/realworld/ts-slonik)
// installed as a package, a big unrelated package, an @types package, and a workspace package linked into
// node_modules the way npm, yarn and pnpm workspaces link them.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { findSqlInFile, resolveFindOptions } from '../../server/src/engine/find/index';
import { TypeContext } from '../../server/src/engine/find/typeContext';
import { loadParser } from '../../server/src/engine/parse/parse';

const SLONIK_TYPES = join(__dirname, '..', 'fixtures', 'realworld', 'ts-slonik', 'types', 'slonik', 'index.d.ts');
const BIG_PACKAGE_FILES = 300;

let root: string;

before(async () => {
  await loadParser();
  root = mkdtempSync(join(tmpdir(), 'pglens-type-resolution-'));
});

after(() => rmSync(root, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

const USERS = [
  "import { sql } from 'slonik';",
  "import { Users } from '@acme/schemas';",
  "import { formatName } from 'big-utils';",
  "import { readFileSync } from 'node:fs';",
  'export const byId = (id: string) => sql`select * from ${sql.identifier([Users.table])} where id = ${id}`;',
  'export const byName = (name: string) => sql`select * from users where name = ${formatName(name)}`;',
  "export const raw = () => readFileSync('x');",
  '',
].join('\n');

/** A project with installed packages: slonik, big-utils and its dependency big-deps (BIG_PACKAGE_FILES declaration files), @types/bulky, @acme/schemas. */
function project(name: string, compilerOptions: Record<string, unknown> = {}): string {
  const directory = join(root, name);
  write(
    join(directory, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], strict: true, noEmit: true, ...compilerOptions }, include: ['src'] }),
  );
  write(join(directory, 'src', 'users.ts'), USERS);
  const modules = join(directory, 'node_modules');
  write(join(modules, 'slonik', 'package.json'), JSON.stringify({ name: 'slonik', version: '1.0.0', types: 'index.d.ts' }));
  // slonik's declarations asking for Node's types, as many packages' do: that reference stays unresolved.
  write(join(modules, 'slonik', 'index.d.ts'), `/// <reference types="bulky" />\n${readFileSync(SLONIK_TYPES, 'utf8')}`);
  // big-utils, imported by the project, is loaded; big-deps, which only big-utils imports, is not (its types are `any`).
  write(join(modules, 'big-utils', 'package.json'), JSON.stringify({ name: 'big-utils', version: '1.0.0', types: 'index.d.ts' }));
  write(join(modules, 'big-utils', 'index.d.ts'), "import type { Formatted } from 'big-deps';\nexport declare function formatName(name: string): Formatted;\nexport declare function plainName(name: string): string;\n");
  write(join(modules, 'big-deps', 'package.json'), JSON.stringify({ name: 'big-deps', version: '1.0.0', types: 'index.d.ts' }));
  const parts = Array.from({ length: BIG_PACKAGE_FILES }, (_, index) => `part${index}`);
  write(join(modules, 'big-deps', 'index.d.ts'), `${parts.map((part) => `export * from './${part}';`).join('\n')}\nexport type Formatted = { readonly text: string };\n`);
  for (const part of parts) write(join(modules, 'big-deps', `${part}.d.ts`), `export declare function ${part}(value: string): string;\n`);
  write(join(modules, '@types', 'bulky', 'package.json'), JSON.stringify({ name: '@types/bulky', version: '1.0.0', types: 'index.d.ts' }));
  write(join(modules, '@types', 'bulky', 'index.d.ts'), "declare module 'node:fs' { export function readFileSync(path: string): string; }\n");
  // A workspace package: its sources in packages/schemas, linked into node_modules.
  const schemas = join(directory, 'packages', 'schemas');
  write(join(schemas, 'package.json'), JSON.stringify({ name: '@acme/schemas', version: '1.0.0', types: 'src/index.ts' }));
  write(join(schemas, 'src', 'index.ts'), "export const Users = { table: 'users', fields: { id: 'id' } } as const;\n");
  mkdirSync(join(modules, '@acme'), { recursive: true });
  symlinkSync(schemas, join(modules, '@acme', 'schemas'), 'dir');
  return directory;
}

const PROJECT_FILES = ['node_modules/big-utils/index.d.ts', 'node_modules/slonik/index.d.ts', 'packages/schemas/src/index.ts', 'src/users.ts'];

function loadedFiles(directory: string, context: TypeContext): string[] {
  const file = join(directory, 'src', 'users.ts');
  const checked = context.checkedFile(file, readFileSync(file, 'utf8'));
  assert.ok(checked, 'the Program for src/users.ts is built');
  // The project's files relative to it; TypeScript's lib files keep their absolute paths.
  const prefix = `${directory.replace(/\\/g, '/')}/`;
  return checked.program.getSourceFiles().map((sourceFile) => (sourceFile.fileName.startsWith(prefix) ? sourceFile.fileName.slice(prefix.length) : sourceFile.fileName));
}

describe('type context: what a Program loads from node_modules', () => {
  test("the SQL library, the workspace package and the project's own import, not its big dependency nor the unnamed @types package", () => {
    const directory = project('plain');
    const files = loadedFiles(directory, new TypeContext());
    assert.ok(files.includes('node_modules/slonik/index.d.ts'), files.join('\n'));
    assert.ok(files.includes('packages/schemas/src/index.ts'), files.join('\n'));
    assert.deepEqual(files.filter((file) => file.includes('big-deps')), []);
    assert.deepEqual(files.filter((file) => file.includes('bulky')), []);
    // The project's file, what it imports, and the ES2022 lib files: nothing else.
    assert.deepEqual(files.filter((file) => !file.startsWith('/')).sort(), PROJECT_FILES);
  });

  test('an @types package the config names in `types` is loaded', () => {
    const directory = project('named-types', { types: ['bulky'] });
    const files = loadedFiles(directory, new TypeContext());
    assert.ok(files.includes('node_modules/@types/bulky/index.d.ts'), files.join('\n'));
    assert.deepEqual(files.filter((file) => file.includes('big-deps')), []);
  });

  test('the language server (incremental) loads the same files', () => {
    const directory = project('incremental');
    const files = loadedFiles(directory, new TypeContext({ incremental: true }));
    assert.deepEqual(files.filter((file) => !file.startsWith('/')).sort(), PROJECT_FILES);
  });

  test('the workspace package gives its literal-typed name; what an unloaded package returns reads as without types', () => {
    const directory = project('reading');
    const file = join(directory, 'src', 'users.ts');
    const text = readFileSync(file, 'utf8');
    const typed = findSqlInFile(file, text, { ...resolveFindOptions(), program: new TypeContext() });
    const byId = typed.sites.find((site) => site.text.includes('where id'));
    assert.ok(byId, JSON.stringify(typed));
    assert.match(byId.text, /from "?users"? where id = \$1/);
    assert.equal(byId.assembled, true);
    // `${formatName(name)}`: big-deps is not loaded, so its type is `any` and the syntax decides, as with no checker.
    const syntaxOnly = findSqlInFile(file, text, { ...resolveFindOptions(), program: false });
    const byName = (found: typeof typed) => ({
      sites: found.sites.filter((site) => site.text.includes('where name')).map((site) => site.text),
      skipped: found.skipped.filter((skip) => text.slice(skip.fileStart, skip.fileEnd).includes('where name')).map((skip) => skip.reason),
    });
    assert.deepEqual(byName(typed), byName(syntaxOnly));
    assert.equal(byName(typed).sites.length + byName(typed).skipped.length, 1);
  });
});
