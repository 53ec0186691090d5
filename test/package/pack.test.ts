// The npm package as a user gets it: `npm pack` of the repository (its prepack script builds the bundles), installed
// into a scratch project with `npm install ./pglens-<version>.tgz` (its two runtime dependencies come from the npm
// cache or registry), then `npx pglens` run there: --version, a check without a database (.sql and .ts: the bundled
// TypeScript compiler and its library files), a check against the embedded database built from the project's
// migrations (PGlite and libpg-query's WASM from the installed dependencies), and the language server's initialize.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

// dirname(__filename), not __dirname: tsx's tsImport() gives a wrong __dirname (see test/harness/postgres.ts).
const REPO_ROOT = resolve(dirname(__filename), '..', '..');
const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const scratch = mkdtempSync(join(tmpdir(), 'pglens-pack-'));
const project = join(scratch, 'project');
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The environment of a shell, without what `npm test` sets for its own run (npm_config_*, npm_package_*). */
function shellEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'DATABASE_URL' || key.startsWith('PG') || key === 'NODE_OPTIONS') continue;
    env[key] = value;
  }
  return { ...env, NO_COLOR: '1' };
}

function run(command: string, args: string[], cwd: string, options: SpawnSyncOptions = {}) {
  const result = spawnSync(command, args, { cwd, env: shellEnv(), encoding: 'utf8', timeout: 600_000, ...options });
  return { code: result.status, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

let tarball: string;

before(() => {
  // Packed from a copy of the sources (not the checkout itself, whose out/ other tests are running), with the
  // checkout's node_modules for the build.
  const source = join(scratch, 'source');
  mkdirSync(source);
  for (const name of ['bin', 'client', 'scripts', 'server', 'package.json', 'package-lock.json', '.npmignore', 'LICENSE', 'README.md']) {
    cpSync(join(REPO_ROOT, name), join(source, name), { recursive: true });
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
  const packed = run('npm', ['pack', '--pack-destination', scratch], source);
  assert.equal(packed.code, 0, `npm pack failed:\n${packed.stdout}\n${packed.stderr}`);
  tarball = join(scratch, `pglens-${VERSION}.tgz`);

  mkdirSync(join(project, 'migrations'), { recursive: true });
  mkdirSync(join(project, 'src'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'scratch-app', version: '1.0.0', private: true }, null, 2));
  writeFileSync(join(project, 'migrations', '001_users.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz);\n');
  writeFileSync(join(project, 'src', 'users.ts'), "import { pool } from './db';\nexport const byEmail = (email: string) => pool.query('SELECT id FROM users WHERE email = $1', [email]);\n");
  writeFileSync(join(project, 'src', 'report.sql'), 'SELECT id, email FROM users ORDER BY created_at DESC LIMIT 10;\nDELETE FROM users;\n');
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball], project);
  assert.equal(installed.code, 0, `npm install failed:\n${installed.stdout}\n${installed.stderr}`);
});

test('the package holds the launchers, the bundles, TypeScript\'s library files and LICENSE, and nothing of the sources', () => {
  const listed = run('tar', ['-tzf', tarball], scratch);
  assert.equal(listed.code, 0, listed.stderr);
  const files = listed.stdout.split('\n').filter(Boolean).map((name) => name.replace(/^package\//, ''));
  for (const expected of ['package.json', 'LICENSE', 'README.md', 'bin/pglens.js', 'bin/pglens-language-server.js', 'out/cli.js', 'out/server.js', 'out/typescript.js', 'out/pg.js', 'out/lib.d.ts', 'out/lib.es2022.d.ts']) {
    assert.ok(files.includes(expected), `${expected} missing from ${files.join(', ')}`);
  }
  assert.deepEqual(files.filter((name) => /^(server|client|test|scripts)\/|\.map$|\.ts$/.test(name) && !/^out\/lib\..*d\.ts$/.test(name)), []);
  const manifest = JSON.parse(readFileSync(join(project, 'node_modules', 'pglens', 'package.json'), 'utf8')) as { private?: boolean; license: string };
  assert.equal(manifest.private, undefined);
  assert.equal(manifest.license, 'MIT');
  assert.match(readFileSync(join(project, 'node_modules', 'pglens', 'LICENSE'), 'utf8'), /MIT License[\s\S]*pglens contributors/);
});

test('npx pglens --version and a check without a database (.sql and .ts)', () => {
  assert.equal(run('npx', ['--no-install', 'pglens', '--version'], project).stdout.trim(), VERSION);
  const checked = run('npx', ['--no-install', 'pglens', 'check', 'src', '--no-embedded', '--format', 'json'], project);
  assert.equal(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.stdout) as { summary: { files: number; statements: number }; findings: { ruleId: string; file: string }[] };
  assert.deepEqual([report.summary.files, report.summary.statements], [2, 3], 'the .ts file\'s query was found (TypeScript loaded from the package)');
  assert.deepEqual(report.findings.map((f) => `${f.file} ${f.ruleId}`), ['src/report.sql update-or-delete-without-where']);
});

test('npx pglens check against the embedded database built from the migrations', () => {
  const checked = run('npx', ['--no-install', 'pglens', 'check', 'src', '--format', 'json'], project);
  assert.equal(checked.code, 0, checked.stderr);
  const report = JSON.parse(checked.stdout) as { database: { kind: string } | null; summary: { statements: number; planned: number } };
  assert.equal(report.database?.kind, 'embedded');
  assert.equal(report.summary.planned, 3, checked.stdout);
});

test('the language server bin answers initialize over stdio', async () => {
  const bin = join(project, 'node_modules', '.bin', 'pglens-language-server');
  const child = spawn(bin, ['--stdio'], { cwd: project, env: shellEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
  try {
    const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
    child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    const response = await new Promise<string>((resolvePromise, reject) => {
      let received = '';
      const timer = setTimeout(() => reject(new Error(`no initialize response; got: ${received}`)), 60_000);
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        received += chunk;
        if (received.includes('"capabilities"')) {
          clearTimeout(timer);
          resolvePromise(received);
        }
      });
      child.on('error', reject);
    });
    assert.match(response, /"id":1/);
    assert.match(response, /"textDocumentSync"/);
  } finally {
    child.kill();
  }
});

test('the scratch project holds only pglens and its runtime dependencies', () => {
  const top = readdirSync(join(project, 'node_modules')).filter((name) => !name.startsWith('.'));
  assert.ok(top.includes('pglens') && top.includes('@electric-sql') && top.includes('@libpg-query'), top.join(', '));
  assert.ok(!top.includes('typescript') && !top.includes('pg'), `bundled packages are not installed: ${top.join(', ')}`);
});
