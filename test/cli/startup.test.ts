// What each kind of run loads: the bundle holds stand-ins for TypeScript, pg and PGlite (scripts/build.mjs) that load
// the real package on first use, so `pglens --help` loads nothing but the bundle, a check of .sql files without a
// database loads no TypeScript compiler, no pg and no PGlite, and each is loaded (and works) when the run needs it.
// Start-up time itself is measured by bench/startup.ts, not here.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSharedTestDatabase } from '../harness/postgres';
import { CLI_PATH, cleanEnv, ensureCliBuilt, scratchWorkspace } from './cliHarness';

before(() => ensureCliBuilt());

const workspace = scratchWorkspace({
  'one.sql': 'SELECT id FROM users WHERE email = $1;\nSELECT count(*) FROM orders;\n',
  'one.ts': "import { pool } from './db';\nexport const byEmail = (email: string) => pool.query('SELECT id FROM users WHERE email = $1', [email]);\n",
});
// Loaded with -r: lists, when the process exits, the modules Node loaded from files (the bundle and what it required).
const preload = join(workspace.dir, 'list-loaded.cjs');
writeFileSync(preload, "process.on('exit', () => process.stderr.write('LOADED ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n");
after(() => workspace.remove());

function run(args: string[]): { code: number | null; stdout: string; loaded: string[] } {
  const result = spawnSync(process.execPath, ['-r', preload, CLI_PATH, ...args], { cwd: workspace.dir, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 });
  const line = result.stderr.split('\n').find((text) => text.startsWith('LOADED '));
  assert.ok(line, `no module list; stderr:\n${result.stderr}`);
  const loaded = (JSON.parse(line.slice('LOADED '.length)) as string[]).filter((file) => file !== preload);
  return { code: result.status, stdout: result.stdout, loaded };
}

const TYPESCRIPT = /[\\/]out[\\/]typescript\.js$/;
const PG = /[\\/]out[\\/]pg\.js$/;
const PGLITE = /@electric-sql[\\/]pglite/;
const PARSER = /@libpg-query/;
const has = (loaded: string[], pattern: RegExp) => loaded.some((file) => pattern.test(file));

test('--help and --version load the bundle only', () => {
  for (const args of [['--help'], ['--version'], ['check', '--help']]) {
    const { code, loaded } = run(args);
    assert.equal(code, 0);
    assert.deepEqual(loaded, [CLI_PATH], `${args.join(' ')} loaded ${loaded.join(', ')}`);
  }
});

test('a .sql file without a database: the SQL parser, no TypeScript, no pg, no PGlite', () => {
  const { code, stdout, loaded } = run(['check', 'one.sql', '--no-embedded']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /2 statements/);
  assert.ok(has(loaded, PARSER), loaded.join(', '));
  for (const pattern of [TYPESCRIPT, PG, PGLITE]) assert.ok(!has(loaded, pattern), `${pattern} loaded: ${loaded.join(', ')}`);
});

test('a .ts file loads TypeScript, which finds its SQL', () => {
  const { code, stdout, loaded } = run(['check', 'one.ts', '--no-embedded']);
  assert.equal(code, 0, stdout);
  assert.match(stdout, /1 file \(1 site, 1 checked/);
  assert.ok(has(loaded, TYPESCRIPT), loaded.join(', '));
  assert.ok(!has(loaded, PG) && !has(loaded, PGLITE), loaded.join(', '));
});

test('a database URL loads pg and plans; the embedded database loads PGlite', async () => {
  const url = (await getSharedTestDatabase()).url;
  const withDatabase = run(['check', 'one.sql', '--db', url]);
  assert.match(withDatabase.stdout, /2 statements \(2 planned\)/);
  assert.ok(has(withDatabase.loaded, PG) && !has(withDatabase.loaded, PGLITE) && !has(withDatabase.loaded, TYPESCRIPT), withDatabase.loaded.join(', '));
  const embedded = run(['check', 'one.sql', '--allow-incomplete-schema']);
  assert.ok(has(embedded.loaded, PGLITE) && !has(embedded.loaded, PG), embedded.loaded.join(', '));
});
