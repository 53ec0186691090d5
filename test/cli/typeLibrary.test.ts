// The bundled CLI reads TypeScript with the same types as the engine run from source: the compiler inside out/cli.js
// finds TypeScript's standard library (lib.*.d.ts) beside the bundle. Without it `filters.map(...)` is not known to be
// an array, and sites the engine reads from source are skipped by the shipped CLI.
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findSqlInFile, resolveFindOptions } from '../../server/src/engine/find/index';
import { LineIndex } from '../../server/src/engine/text';
import { REPO_ROOT, ensureCliBuilt, runCli } from './cliHarness';

const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'realworld', 'ts-slonik');

before(() => ensureCliBuilt());

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

test('the bundle ships TypeScript’s standard library beside it', () => {
  assert.ok(existsSync(join(REPO_ROOT, 'out', 'lib.es2022.d.ts')), 'out/lib.es2022.d.ts');
  assert.ok(existsSync(join(REPO_ROOT, 'out', 'lib.es5.d.ts')), 'out/lib.es5.d.ts');
});

test('pglens check skips exactly the sites the engine skips from source (types from the standard library included)', async () => {
  const options = resolveFindOptions();
  const fromSource: string[] = [];
  for (const file of sourceFiles(join(FIXTURE, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const lines = new LineIndex(text);
    for (const site of findSqlInFile(file, text, options).skipped) {
      fromSource.push(`${relative(FIXTURE, file)}:${lines.positionAt(site.fileStart).line + 1}`);
    }
  }
  const result = await runCli(['check', '.', '--no-embedded', '--format', 'json', '--verbose'], { cwd: FIXTURE });
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const report = JSON.parse(result.stdout) as { skipped: { file: string; line: number }[] };
  const fromCli = report.skipped.filter((site) => site.file.endsWith('.ts')).map((site) => `${site.file}:${site.line}`);
  assert.deepEqual(fromCli.sort(), fromSource.sort());
});
