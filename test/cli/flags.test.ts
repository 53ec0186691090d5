// `pglens check` output flags through the real CLI: --rule, --quiet, --output-file, --color/--no-color with NO_COLOR and
// FORCE_COLOR, progress lines on a stderr that is not a terminal, and a named file pglens does not check. All runs are
// without a database: the three statements get lock findings from the static rules (warnings by default).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const workspace = scratchWorkspace({
  'm.sql': 'DELETE FROM orders;\nCREATE INDEX orders_x ON orders (x);\nALTER TABLE orders ALTER COLUMN total TYPE numeric;\n',
  'notes.py': 'print("not SQL")\n',
});
after(() => workspace.remove());
const run = (args: string[], env: Record<string, string> = {}) => runCli(['check', 'm.sql', '--no-embedded', ...args], { cwd: workspace.dir, env });
const ANSI = /\u001b\[/;

describe('check flags', { concurrency: true }, () => {
  test('--rule sets a severity over the config: a warning made an error fails the run, off removes it', async () => {
    const error = parseJsonReport(await run(['--format', 'json', '--rule', 'update-or-delete-without-where:error']));
    assert.deepEqual(error.findings.map((f) => `${f.ruleId} ${f.severity}`).sort(), [
      'changing-column-type warning',
      'require-concurrent-index-creation warning',
      'update-or-delete-without-where error',
    ]);
    const off = await run(['--format', 'json', '--rule', 'update-or-delete-without-where:off', '--rule=changing-column-type:off']);
    assert.deepEqual(parseJsonReport(off).findings.map((f) => f.ruleId), ['require-concurrent-index-creation']);
    assert.equal(off.code, 0);
  });

  test('--rule with an unknown rule or severity: exit 2, did-you-mean', async () => {
    const unknown = await run(['--rule', 'update-or-delete-without-wher:error']);
    assert.equal(unknown.code, 2);
    assert.deepEqual(stderrLines(unknown), ['pglens: --rule: unknown rule "update-or-delete-without-wher" (did you mean "update-or-delete-without-where"?) (see "pglens check --help")']);
    const severity = await run(['--rule', 'large-sort:loud']);
    assert.equal(severity.code, 2);
    assert.match(severity.stderr, /--rule large-sort: severity must be error, warning, info, hint or off, got "loud"/);
  });

  test('--quiet shows errors only; the exit code still counts every finding', async () => {
    const quiet = await run(['--quiet', '--rule', 'update-or-delete-without-where:error']);
    assert.equal(quiet.code, 1);
    assert.match(quiet.stdout, /update-or-delete-without-where/);
    assert.doesNotMatch(quiet.stdout, /require-concurrent-index-creation|changing-column-type/);
    const warningsOnly = await run(['-q', '--max-warnings', '0']);
    assert.equal(warningsOnly.code, 1, 'three warnings exceed --max-warnings 0 although none is shown');
    assert.doesNotMatch(warningsOnly.stdout, /require-concurrent-index-creation/);
  });

  test('--output-file: the report in the file, nothing on stdout, no temporary file left', async () => {
    const toStdout = await run(['--format', 'json']);
    const result = await run(['--format', 'json', '--output-file', 'report.json']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    assert.deepEqual(JSON.parse(readFileSync(join(workspace.dir, 'report.json'), 'utf8')).findings, JSON.parse(toStdout.stdout).findings);
    assert.deepEqual(readdirSync(workspace.dir).filter((name) => name.endsWith('.tmp')), []);
  });

  test('--output-file into a folder that does not exist: exit 2 before the run, and no file', async () => {
    const result = await run(['--output-file', 'no/such/folder/report.txt']);
    assert.equal(result.code, 2);
    assert.match(stderrLines(result)[0], /^pglens: --output-file: no such folder: .*no\/such\/folder/);
    assert.equal(existsSync(join(workspace.dir, 'no')), false);
  });

  test('colour: NO_COLOR (the harness sets it) and a pipe mean none; FORCE_COLOR and --color colour; --no-color wins', async () => {
    assert.doesNotMatch((await run([])).stdout, ANSI);
    assert.match((await run([], { FORCE_COLOR: '1' })).stdout, ANSI);
    assert.match((await run(['--color'])).stdout, ANSI);
    assert.doesNotMatch((await run(['--no-color'], { FORCE_COLOR: '1' })).stdout, ANSI);
    assert.doesNotMatch((await run([], { FORCE_COLOR: '0', NO_COLOR: '' })).stdout, ANSI, 'FORCE_COLOR=0 and a pipe: none');
  });

  test('a stderr that is not a terminal gets progress lines (here every millisecond)', async () => {
    const result = await run([], { PGLENS_PROGRESS_MS: '1' });
    assert.equal(result.code, 0);
    assert.ok(stderrLines(result).some((line) => /^pglens: 1\/1 files, 3 statements$/.test(line)), result.stderr);
    const quiet = await run(['--quiet'], { PGLENS_PROGRESS_MS: '1' });
    assert.equal(quiet.stderr, '');
  });

  test('a named file pglens does not check: exit 2 and why, not "no problems in 0 files"', async () => {
    const result = await runCli(['check', 'notes.py', '--no-embedded'], { cwd: workspace.dir });
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(stderrLines(result)[0], /^pglens: .*notes\.py: not a file pglens checks \(\.sql, \.ts/);
  });
});

test('flags are in check --help', async () => {
  const help = (await runCli(['check', '--help'])).stdout;
  for (const flag of ['--quiet', '--rule ID:SEVERITY', '--output-file FILE', '--[no-]color']) assert.ok(help.includes(flag), flag);
});
