// `pglens init` / `pglens --init`: a commented pglens.json for the detected layout, that pglens itself accepts, with the
// database URL taken from an environment variable by name (never a URL or a password), never over an existing file.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../server/src/engine/config';
import { ensureCliBuilt, runCli, scratchFolder, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const PRISMA_PROJECT = {
  'prisma/migrations/20240101000000_init/migration.sql': 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n',
  'prisma/migrations/20240201000000_orders/migration.sql': 'CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\n',
  'src/users.ts': "import { pool } from './db';\nexport const byEmail = (email: string) => pool.query('SELECT id FROM users WHERE email = $1', [email]);\n",
  '.env': 'POSTGRES_URL=postgres://app:Sup3r-S3cret@db.internal:5432/app\nOTHER=1\n',
};

/** A scratch project; without `config`, no pglens.json (scratchWorkspace writes one unless given one). */
function project(files: Record<string, string>, config?: string): string {
  const dir = scratchFolder({ ...files, 'pglens.json': config ?? '{}' });
  if (config === undefined) rmSync(join(dir, 'pglens.json'));
  return dir;
}

test('pglens --init on a Prisma project: schema and migrations detected, the URL variable named from .env, no secret', async () => {
  const dir = project(PRISMA_PROJECT);
  const result = await runCli(['--init'], { cwd: dir });
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.stdout, 'wrote pglens.json\n');
  const text = readFileSync(join(dir, 'pglens.json'), 'utf8');
  assert.match(text, /"url": "\$\{env:POSTGRES_URL\}"/);
  assert.match(text, /detected 2 files \(prisma\/migrations\/20240101000000_init\/migration\.sql/);
  assert.match(text, /detected prisma \(2 files under prisma\/migrations\/\)/);
  assert.match(text, /"migrations": \["prisma\/migrations\/\*\*\/\*"\]/);
  assert.doesNotMatch(text, /Sup3r-S3cret|db\.internal/);
  // pglens reads it as written; the variable unset means "not configured".
  const config = loadConfig(join(dir, 'pglens.json'), dir, {});
  assert.deepEqual(config.migrations, ['prisma/migrations/**/*']);
  const checked = await runCli(['check', '.', '--no-embedded'], { cwd: dir });
  assert.equal(checked.code, 0, checked.stderr);
});

test('pglens init takes a variable from the environment, or --env', async () => {
  const fromEnv = project({ 'q.sql': 'select 1;\n' });
  assert.equal((await runCli(['init'], { cwd: fromEnv, env: { DB_URL: 'postgres://x@y/z' } })).code, 0);
  const text = readFileSync(join(fromEnv, 'pglens.json'), 'utf8');
  assert.match(text, /"url": "\$\{env:DB_URL\}"/);
  assert.match(text, /no migrations folder or schema\.sql was detected/);
  assert.doesNotMatch(text, /postgres:\/\/x@y/);
  const named = project({ 'q.sql': 'select 1;\n' });
  assert.equal((await runCli(['init', '--env', 'APP_DB'], { cwd: named })).code, 0);
  assert.match(readFileSync(join(named, 'pglens.json'), 'utf8'), /"url": "\$\{env:APP_DB\}"/);
});

test('pglens init never overwrites a pglens.json', async () => {
  const dir = project(PRISMA_PROJECT, '{ "rules": {} }\n');
  const result = await runCli(['init'], { cwd: dir });
  assert.equal(result.code, 2);
  assert.match(stderrLines(result)[0], /^pglens init: .*pglens\.json already exists/);
  assert.equal(readFileSync(join(dir, 'pglens.json'), 'utf8'), '{ "rules": {} }\n');
});
