// `pglens check` on a repository holding things that are not source files (a FIFO, a symlink to /dev/zero, a link
// out of the repository, a 3 MB dump) and pathologically nested code: each is one "skipped" line, the run finishes
// quickly, every other file is checked and the exit code is the one the other files give. A pglens.json that is
// not a file is one line and exit 2.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const removals: (() => void)[] = [];
after(() => removals.forEach((remove) => remove()));

const NORMAL_FILES = {
  'pglens.json': '{}',
  'src/report.sql': 'SELECT id FROM orders;\nSELECT FROM WHERE;\n',
  'src/users.ts': "export const byId = (id: number) => pool.query('SELECT * FROM users WHERE id = $1', [id]);\n",
};

function hostileWorkspace(): string {
  const { dir, remove } = scratchWorkspace({
    ...NORMAL_FILES,
    'src/plus.sql': `SELECT ${Array(10_000).fill('1').join('+')};\n`,
    // With a query beside it: a file naming no SQL tag or query function is not parsed at all.
    'src/parens.ts': `export const n = ${'('.repeat(20_000)}1${')'.repeat(20_000)};\nexport const q = sql\`SELECT 1\`;\n`,
    'src/templates.ts': `export const q = ${'sql`SELECT ${'.repeat(3_000)}1${'}`'.repeat(3_000)};\n`,
  });
  removals.push(remove);
  const outside = mkdtempSync(join(tmpdir(), 'pglens-cli-outside-'));
  removals.push(() => rmSync(outside, { recursive: true, force: true }));
  writeFileSync(join(outside, 'secret.sql'), 'SELECT 1;\n');
  execFileSync('mkfifo', [join(dir, 'src', 'pipe.sql')]);
  symlinkSync('/dev/zero', join(dir, 'src', 'zero.sql'));
  symlinkSync(join(outside, 'secret.sql'), join(dir, 'src', 'leak.sql'));
  closeSync(openSync(join(dir, 'src', 'dump.sql'), 'w'));
  truncateSync(join(dir, 'src', 'dump.sql'), 3 * 1024 * 1024);
  return dir;
}

describe('pglens check on files that are not what they claim', { concurrency: true }, () => {
  test('special files, links out and deep nesting are skipped one line each; the other files give the usual result', async () => {
    const { dir: clean, remove } = scratchWorkspace(NORMAL_FILES);
    removals.push(remove);
    const baseline = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: clean });
    const dir = hostileWorkspace();
    const started = Date.now();
    // zero.sql and leak.sql are named explicitly: discovery alone never follows a link out of the folder.
    const result = await runCli(['check', '.', 'src/zero.sql', 'src/leak.sql', '--no-embedded', '--format', 'json'], { cwd: dir, timeoutMs: 30_000 });
    assert.equal(result.timedOut, false);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
    assert.equal(result.code, baseline.code, result.stderr);
    assert.doesNotMatch(result.stderr, /RangeError|Maximum call stack|\n\s+at /);
    assert.deepEqual(stderrLines(result).sort(), [
      'pglens: src/dump.sql: skipped: larger than 2 MB (3 MB)',
      'pglens: src/leak.sql: skipped: symlink leaves the workspace',
      'pglens: src/pipe.sql: skipped: not a regular file (FIFO)',
      'pglens: src/zero.sql: skipped: symlink leaves the workspace',
    ]);
    const report = parseJsonReport(result);
    const expected = parseJsonReport(baseline);
    assert.deepEqual(
      report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`),
      expected.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`),
    );
    assert.ok(report.findings.length > 0);
    assert.deepEqual(
      report.skipped.map((s) => `${s.file}: ${s.reason}`).sort(),
      [
        'src/dump.sql: skipped: larger than 2 MB (3 MB)',
        'src/leak.sql: skipped: symlink leaves the workspace',
        'src/parens.ts: nesting too deep to read the syntax tree',
        'src/pipe.sql: skipped: not a regular file (FIFO)',
        'src/plus.sql: nesting deeper than 1000 levels',
        'src/templates.ts: nesting too deep to read the syntax tree',
        'src/zero.sql: skipped: symlink leaves the workspace',
      ],
    );
  });

  test('files.maxBytes raises the cap', async () => {
    const dir = hostileWorkspace();
    writeFileSync(join(dir, 'pglens.json'), '{ "files": { "maxBytes": 4194304 } }');
    const result = await runCli(['check', 'src/dump.sql', '--no-embedded', '--format', 'json'], { cwd: dir });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
  });

  for (const [name, make, reason] of [
    ['a symlink to /dev/zero', (file: string) => symlinkSync('/dev/zero', file), 'symlink leaves the workspace'],
    ['a FIFO', (file: string) => execFileSync('mkfifo', [file]), 'not a regular file (FIFO)'],
  ] as const) {
    test(`a pglens.json that is ${name}: one line, exit 2, at once`, async () => {
      const { dir, remove } = scratchWorkspace({ 'pglens.json': '{}', 'a.sql': 'SELECT 1;\n' });
      removals.push(remove);
      rmSync(join(dir, 'pglens.json'));
      make(join(dir, 'pglens.json'));
      // "At once" against the same run's floor: the CLI starting and exiting (--version) on this machine, now. A read
      // of /dev/zero or a FIFO would never end; the bound only has to tell that from a start-up on a busy machine.
      const floorStarted = Date.now();
      await runCli(['--version'], { cwd: dir });
      const floorMs = Date.now() - floorStarted;
      const started = Date.now();
      const result = await runCli(['check', '.', '--no-embedded'], { cwd: dir, timeoutMs: 20_000 });
      assert.equal(result.timedOut, false);
      const ms = Date.now() - started;
      assert.ok(ms < floorMs * 2 + 1_000, `took ${ms} ms (${floorMs} ms for --version)`);
      assert.equal(result.code, 2);
      assert.deepEqual(stderrLines(result), [`pglens: invalid config: ${join(dir, 'pglens.json')}: cannot be read: ${reason}`]);
      assert.equal(result.stdout, '');
    });
  }

  test('an include glob that cannot match anything by construction is a config error, not a clean run of 0 files', async () => {
    const { dir, remove } = scratchWorkspace({ 'pglens.json': '{ "include": ["["] }', 'a.sql': 'SELECT 1;\n' });
    removals.push(remove);
    const result = await runCli(['check', '.', '--no-embedded'], { cwd: dir });
    assert.equal(result.code, 2);
    assert.match(stderrLines(result)[0], /^pglens: invalid config: .*pglens\.json:\d+: include\[0\]: "\[" is not a valid glob/);
  });

  test('a BOM at the start of a .sql file and of pglens.json changes nothing', async () => {
    const { dir, remove } = scratchWorkspace({ 'pglens.json': '\uFEFF{ "files": { "maxBytes": 65536 } }', 'a.sql': '\uFEFFSELECT 1;\nSELECT 2 FROM;\n' });
    removals.push(remove);
    const result = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: dir });
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.map((f) => [f.ruleId, f.line, f.column]), [['syntax-error', 2, 14]]);
  });
});
