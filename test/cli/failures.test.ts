// What `pglens check` says when something is wrong: a syntax error in the SQL (a finding at its exact line and
// column, also after non-ASCII text), an unreachable database, bad usage and a bad pglens.json (exit 2 and one line
// on stderr, never a stack trace).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

// ---------------------------------------------------------------------------------------------------- syntax errors

// Non-ASCII text before the error, on the lines above and on the same line: 'ï' is 2 bytes in UTF-8 and '😀' is 4
// bytes and 2 UTF-16 code units, so a byte offset or a code point count taken for a column lands elsewhere.
const SQL_FILE = "-- Größe der Bestellungen (überprüft) 😀\nSELECT 'naïve 😀' AS label, FROM orders;\n";
const TS_FILE = [
  '// Prüfung der Bestellungen — «naïve» 😀',
  "export const a = pool.query(`SELECT 'naïve 😀' AS label, FROM orders WHERE id = $1`, [1]);",
  // `${id}` is 5 characters in the file and `$1` 2 in the SQL: the column must come from the file.
  "export const b = sql`SELECT * FROM users WHERE id = ${id} AND AND status = 'ö'`;",
  '',
].join('\n');

const syntaxWorkspace = scratchWorkspace({ 'queries.sql': SQL_FILE, 'src/orders.ts': TS_FILE });
after(() => syntaxWorkspace.remove());

/** 1-based line and UTF-16 column of the n-th occurrence of `token` on a line containing `marker`. */
function positionOf(text: string, marker: string, token: string, occurrence = 1): { line: number; column: number } {
  const lines = text.split('\n');
  const line = lines.findIndex((l) => l.includes(marker));
  let column = -1;
  for (let i = 0; i < occurrence; i++) column = lines[line].indexOf(token, column + 1);
  return { line: line + 1, column: column + 1 };
}

test('a syntax error is reported at its exact line and column after non-ASCII text (json)', async () => {
  const result = await runCli(['check', '.', '--format', 'json', '--no-embedded'], { cwd: syntaxWorkspace.dir });
  assert.equal(result.code, 1, result.stderr);
  const findings = parseJsonReport(result).findings.map((f) => ({ file: f.file, line: f.line, column: f.column, endColumn: f.endColumn, ruleId: f.ruleId, category: f.category, message: f.message }));
  const sqlFrom = positionOf(SQL_FILE, 'naïve', 'FROM');
  const tsFrom = positionOf(TS_FILE, 'pool.query', 'FROM');
  const tsAnd = positionOf(TS_FILE, 'AND AND', 'AND', 2);
  // The same positions, written out: what a person sees in the editor.
  assert.deepEqual([sqlFrom, tsFrom, tsAnd], [
    { line: 2, column: 29 },
    { line: 2, column: 58 },
    { line: 3, column: 63 },
  ]);
  const finding = (file: string, at: { line: number; column: number }, token: string) => ({
    file,
    line: at.line,
    column: at.column,
    endColumn: at.column + token.length,
    ruleId: 'syntax-error',
    category: 'syntax',
    message: `SQL syntax error: syntax error at or near "${token}"`,
  });
  assert.deepEqual(findings, [finding('queries.sql', sqlFrom, 'FROM'), finding('src/orders.ts', tsFrom, 'FROM'), finding('src/orders.ts', tsAnd, 'AND')]);
});

test('a syntax error is reported at its exact line and column after non-ASCII text (stylish)', async () => {
  const result = await runCli(['check', '.', '--no-embedded'], { cwd: syntaxWorkspace.dir });
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '');
  const rows = result.stdout.split('\n').filter((l) => /syntax-error$/.test(l)).map((l) => l.trim().replace(/\s{2,}/g, ' | '));
  assert.deepEqual(rows, [
    '2:29 | error | SQL syntax error: syntax error at or near "FROM" | syntax-error',
    '2:58 | error | SQL syntax error: syntax error at or near "FROM" | syntax-error',
    '3:63 | error | SQL syntax error: syntax error at or near "AND" | syntax-error',
  ]);
  assert.match(result.stdout, /^queries\.sql$/m);
  assert.match(result.stdout, /^src\/orders\.ts$/m);
  assert.match(result.stdout, /✖ 3 problems \(3 errors, 0 warnings\)/);
});

// ------------------------------------------------------------------------------------------ unreachable database

test('an unreachable database: exit 2 and exactly one line naming the URL, well before a hung run would be killed', async () => {
  // Port 1 on the loopback interface: nothing listens there, so the connection is refused at once. The CLI timeout
  // (CLI_TIMEOUT_MS, generous) only catches a CLI that hangs; the test does not time the run.
  const result = await runCli(['check', '.', '--db', 'postgres://app@127.0.0.1:1/x'], { cwd: syntaxWorkspace.dir });
  assert.equal(result.timedOut, false, 'the CLI gave up by itself');
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.deepEqual(stderrLines(result), ['pglens: cannot connect to postgres://app@127.0.0.1:1/x: connection refused']);
});

test('an unreachable database given with a password: the line names the URL without it', async () => {
  const result = await runCli(['check', '.', '--db', 'postgres://app:s3cret-pw@127.0.0.1:1/x', '--format', 'json'], { cwd: syntaxWorkspace.dir });
  assert.equal(result.code, 2);
  assert.equal(result.stdout, '');
  assert.deepEqual(stderrLines(result), ['pglens: cannot connect to postgres://app@127.0.0.1:1/x: connection refused']);
});

test('a database URL that is not one: exit 2 and one line', async () => {
  const result = await runCli(['check', '.', '--db', 'mysql://app:pw@db/x'], { cwd: syntaxWorkspace.dir });
  assert.equal(result.code, 2);
  const lines = stderrLines(result);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0], /^pglens: invalid database URL "mysql:\/\/app@db\/x": /);
});

// ------------------------------------------------------------------------------------------------------ bad usage

const usageCases: { name: string; args: string[]; line: RegExp }[] = [
  { name: 'an unknown option', args: ['check', '--frobnicate'], line: /^pglens: unknown option "--frobnicate" \(see "pglens check --help"\)$/ },
  { name: 'a misspelled option', args: ['check', '--max-warning', '3', '.'], line: /^pglens: unknown option "--max-warning" \(did you mean "--max-warnings"\?\)/ },
  { name: 'an unknown --format', args: ['check', '--format', 'xml', '.'], line: /^pglens: unknown --format "xml" \(use stylish, json, sarif or markdown\)/ },
  { name: 'a --max-warnings that is not a number', args: ['check', '--max-warnings', 'many', '.'], line: /^pglens: --max-warnings takes a whole number of 0 or more, got "many"/ },
  { name: 'a --max-warnings without its value', args: ['check', '.', '--max-warnings'], line: /^pglens: --max-warnings needs a value \(N\)/ },
  { name: 'a negative --max-warnings', args: ['check', '--max-warnings', '-1', '.'], line: /^pglens: --max-warnings takes a whole number of 0 or more, got "-1"/ },
  { name: 'a path that does not exist', args: ['check', 'no/such/dir'], line: /^pglens: no such file or directory: .*no\/such\/dir$/ },
  { name: 'a --config file that does not exist', args: ['check', '--config', 'missing.json', '.'], line: /^pglens: config file not found: missing\.json$/ },
];

// Each case is its own process: run them side by side.
describe('bad usage', { concurrency: true }, () => {
  for (const { name, args, line } of usageCases) {
    test(`bad usage, ${name}: exit 2 and one clear line`, async () => {
      const result = await runCli(args, { cwd: syntaxWorkspace.dir });
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, '');
      const lines = stderrLines(result);
      assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
      assert.match(lines[0], line);
      assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
    });
  }
});

// --------------------------------------------------------------------------------------------------- bad config

const configCases: { name: string; config: string; line: RegExp }[] = [
  {
    name: 'a rule severity that does not exist',
    config: '{ "rules": { "seq-scan-large-table": "loud" } }',
    line: /^pglens: invalid config: .*pglens\.json:\d+: rules\.seq-scan-large-table: .*"loud"/,
  },
  {
    name: 'an unknown setting',
    config: '{\n  // a typo\n  "databse": { "url": "postgres://localhost/app" }\n}',
    line: /^pglens: invalid config: .*pglens\.json:\d+: databse: unknown setting/,
  },
  {
    name: 'a setting of the wrong type',
    config: '{ "database": { "statementTimeoutMs": "2s" } }',
    line: /^pglens: invalid config: .*pglens\.json:\d+: database\.statementTimeoutMs: /,
  },
  {
    name: 'JSON that does not parse',
    config: '{ "database": { "url": "postgres://localhost/app" ',
    line: /^pglens: invalid config: .*pglens\.json:1: invalid JSON/,
  },
  {
    name: 'an unset variable inside a URL',
    config: '{ "database": { "url": "postgres://app@db:5432/${env:PGLENS_CLI_TEST_UNSET}" } }',
    line: /^pglens: invalid config: .*pglens\.json:\d+: database\.url: environment variable PGLENS_CLI_TEST_UNSET is not set$/,
  },
];

describe('bad config', { concurrency: true }, () => {
  for (const { name, config, line } of configCases) {
    test(`invalid pglens.json, ${name}: exit 2 and one line naming the file and the key`, async () => {
      const workspace = scratchWorkspace({ 'pglens.json': config, 'q.sql': 'select 1;\n' });
      try {
        const result = await runCli(['check', '.'], { cwd: workspace.dir });
        assert.equal(result.code, 2, result.stderr);
        assert.equal(result.stdout, '');
        const lines = stderrLines(result);
        assert.equal(lines.length, 1, `one line, got:\n${result.stderr}`);
        assert.match(lines[0], line);
      } finally {
        workspace.remove();
      }
    });
  }
});
