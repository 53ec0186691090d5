#!/usr/bin/env node
// The same mocha suite in desktop VS Code through @vscode/test-electron, for machines that can download VS Code
// (these cannot: update.code.visualstudio.com is unreachable, so CI here uses test/vscode/run.mjs with code-server).
//
//   npm install --no-save @vscode/test-electron && node test/vscode/runTestElectron.mjs
//
// Needs PGLENS_TEST_DATABASE_URL (the fixture database; scripts/run-tests.mjs provides it) and a built extension
// (npm run build). The suite bundle and the workspace are prepared the same way as in run.mjs.

import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const url = process.env.PGLENS_TEST_DATABASE_URL;
if (!url) {
  console.error('set PGLENS_TEST_DATABASE_URL (or run through scripts/run-tests.mjs)');
  process.exit(2);
}

const { runTests } = await import('@vscode/test-electron');
const { build } = await import('esbuild');
const suite = join(root, 'out', 'test', 'vscode', 'suite', 'index.js');
await build({
  entryPoints: [join(root, 'test', 'vscode', 'suite', 'index.ts')],
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  external: ['vscode', 'mocha'],
  outfile: suite,
  logLevel: 'warning',
});

const workspace = mkdtempSync(join(tmpdir(), 'pglens-vscode-ws-'));
cpSync(join(root, 'test', 'vscode', 'fixture'), workspace, { recursive: true });
writeFileSync(join(workspace, 'pglens.json'), `${JSON.stringify({ database: { url } }, null, 2)}\n`);
mkdirSync(join(workspace, '.vscode'));
writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'pglens.debounceMs': 100 }, null, 2)}\n`);

let code = 0;
try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: suite,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
  });
} catch (error) {
  console.error(error);
  code = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
process.exit(code);
