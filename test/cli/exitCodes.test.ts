// Exit codes for CI (0 clean, 1 on error-level findings or too many warnings), pglens.json (database URL from the
// environment, rule severities) and the comments that steer pglens from the code (pglens-ignore, budget).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, expectedFindings, parseJsonReport, runCli, scratchWorkspace, SHARED_DATABASE_TIMEOUTS, siteKey, stderrLines } from './cliHarness';

before(() => ensureCliBuilt());

const dbUrl = () => getSharedTestDatabase().then((db) => db.url);

const workspaces: { remove(): void }[] = [];
after(() => workspaces.forEach((w) => w.remove()));
function workspace(files: Record<string, string>): string {
  const created = scratchWorkspace(files);
  workspaces.push(created);
  return created.dir;
}

const CLEAN = workspace({
  'src/users.ts': [
    "import { pool } from './db';",
    "export const byEmail = (email: string) => pool.query('SELECT id, full_name FROM users WHERE email = $1', [email]);",
    "export const totals = () => pool.query('SELECT status, count(*) FROM orders GROUP BY status');",
    "export const countries = () => pool.query('SELECT code, name FROM countries ORDER BY name');",
    '',
  ].join('\n'),
});

/** Two warnings (sequential scans for selective filters on unindexed columns). */
const TWO_WARNINGS = workspace({
  'support.sql': [
    "SELECT id FROM orders WHERE customer_email = 'ann@example.com'; -- expect: seq-scan-large-table",
    "SELECT id FROM invoices WHERE status = 'pending'; -- expect: seq-scan-large-table",
    '',
  ].join('\n'),
});

const ONE_ERROR = workspace({
  'report.sql': "SELECT u.id, a.id FROM users u, accounts a WHERE u.status = 'invited'; -- expect: join-without-condition\n",
});

describe('exit codes', { concurrency: true }, () => {
  test('0 when there is nothing to report', async () => {
    const url = await dbUrl();
    const result = await runCli(['check', '.', '--db', url], { cwd: CLEAN });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^✔ no problems in 1 file \(3 sites, 3 checked, 0 skipped\), 3 statements \(3 planned\) against app@127\.0\.0\.1:\d+\/pglens_test\n$/);
  });

  test('0 with warnings only, and the warnings are listed', async () => {
    const url = await dbUrl();
    const result = await runCli(['check', '.', '--db', url, '--format', 'json'], { cwd: TWO_WARNINGS });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.map((f) => siteKey(f.file, f.line, f.ruleId)).sort(), expectedFindings(TWO_WARNINGS));
    assert.deepEqual([report.summary.errors, report.summary.warnings], [0, 2]);
  });

  test('1 on a finding at error level', async () => {
    const url = await dbUrl();
    const result = await runCli(['check', '.', '--db', url, '--format', 'json'], { cwd: ONE_ERROR });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.map((f) => siteKey(f.file, f.line, f.ruleId)), expectedFindings(ONE_ERROR));
    assert.equal(report.findings[0].severity, 'error');
  });

  test('1 when the warnings exceed --max-warnings, with one line saying so', async () => {
    const url = await dbUrl();
    const result = await runCli(['check', '.', '--db', url, '--max-warnings', '1'], { cwd: TWO_WARNINGS });
    assert.equal(result.code, 1);
    assert.deepEqual(stderrLines(result), ['pglens: 2 warnings exceed --max-warnings 1']);
    assert.match(result.stdout, /✖ 2 problems \(0 errors, 2 warnings\)/);
  });

  test('1 when the warnings exceed --max-warnings 0, in json too (stdout stays pure JSON)', async () => {
    const url = await dbUrl();
    const result = await runCli(['check', '.', '--db', url, '--max-warnings', '0', '--format', 'json'], { cwd: TWO_WARNINGS });
    assert.equal(result.code, 1);
    assert.equal(parseJsonReport(result).summary.warnings, 2);
  });

  test('0 when the warnings are within --max-warnings', async () => {
    const url = await dbUrl();
    const result = await runCli(['check', '.', '--db', url, '--max-warnings', '2'], { cwd: TWO_WARNINGS });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.equal(result.stderr, '');
  });
});

describe('pglens.json', { concurrency: true }, () => {
  test('database.url from ${env:VAR}, and a rule raised to error: exit 1', async () => {
    const url = await dbUrl();
    const dir = workspace({
      'pglens.json': '{\n  "database": { "url": "${env:PGLENS_CLI_TEST_DB}", "lockTimeoutMs": 5000 },\n  // CI fails on any missing index\n  "rules": { "seq-scan-large-table": "error" }\n}\n',
      'support.sql': "SELECT id FROM orders WHERE customer_email = 'ann@example.com'; -- expect: seq-scan-large-table\n",
    });
    const result = await runCli(['check', '--format', 'json'], { cwd: dir, env: { PGLENS_CLI_TEST_DB: url } });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.equal(report.database?.kind, 'postgres', 'the URL came from the environment variable');
    assert.deepEqual(report.findings.map((f) => [siteKey(f.file, f.line, f.ruleId), f.severity]), [[expectedFindings(dir)[0], 'error']]);
  });

  test('a rule turned off is not run: exit 0', async () => {
    const url = await dbUrl();
    const dir = workspace({
      'pglens.json': JSON.stringify({ database: { url: '${env:PGLENS_CLI_TEST_DB}', ...SHARED_DATABASE_TIMEOUTS }, rules: { 'seq-scan-large-table': { severity: 'off' } } }),
      'support.sql': "SELECT id FROM orders WHERE customer_email = 'ann@example.com';\n",
    });
    const result = await runCli(['check', '--format', 'json'], { cwd: dir, env: { PGLENS_CLI_TEST_DB: url } });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(parseJsonReport(result).findings, []);
  });

  test('--config names a file elsewhere; its folder is the root for paths', async () => {
    const url = await dbUrl();
    const configDir = workspace({ 'ci/pglens.json': JSON.stringify({ database: SHARED_DATABASE_TIMEOUTS, rules: { 'seq-scan-large-table': 'error' } }) });
    const result = await runCli(['check', TWO_WARNINGS, '--config', `${configDir}/ci/pglens.json`, '--db', url, '--format', 'json'], { cwd: configDir });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.map((f) => f.severity), ['error', 'error']);
  });
});

describe('comments in the code', { concurrency: true }, () => {
  test('pglens-ignore silences one site (-- and /* */ in SQL, // in TypeScript), other rules and sites still report', async () => {
    const url = await dbUrl();
    const dir = workspace({
      'queries.sql': [
        '-- pglens-ignore seq-scan-large-table',
        "SELECT id FROM orders WHERE customer_email = 'ann@example.com';",
        '',
        "SELECT id FROM orders WHERE customer_email = 'bob@example.com'; -- expect: seq-scan-large-table",
        '',
        '/* pglens-ignore */',
        "SELECT id FROM invoices WHERE status = 'pending';",
        '',
        '-- pglens-ignore large-sort',
        "SELECT id FROM invoices WHERE status = 'pending' ORDER BY id; -- expect: seq-scan-large-table",
        '',
      ].join('\n'),
      'src/jobs.ts': [
        "import { pool } from './db';",
        'export async function reassign(from: number, to: number) {',
        '  // pglens-ignore modify-scans-large-table',
        "  await pool.query('UPDATE projects SET owner_user_id = $2 WHERE owner_user_id = $1', [from, to]);",
        "  await pool.query('UPDATE projects SET name = $2 WHERE owner_user_id = $1', [from, 'x']); // expect: modify-scans-large-table",
        '}',
        '',
      ].join('\n'),
    });
    const result = await runCli(['check', '.', '--db', url, '--format', 'json'], { cwd: dir });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    const findings = parseJsonReport(result).findings.map((f) => siteKey(f.file, f.line, f.ruleId)).sort();
    assert.deepEqual(findings, expectedFindings(dir));
  });

  test('-- pglens: budget 500 on the line before a statement: cost-budget reports a statement that costs more', async () => {
    const url = await dbUrl();
    const dir = workspace({
      'reports.sql': [
        '-- pglens: budget 500',
        'SELECT currency, sum(total_cents) FROM orders GROUP BY currency; -- expect: cost-budget',
        '',
        '-- pglens: budget 100000',
        'SELECT currency, count(*) FROM orders GROUP BY currency;',
        '',
        '-- pglens: budget 500',
        'SELECT id, status FROM orders WHERE id = 42;',
        '',
        'SELECT status, count(*) FROM orders GROUP BY status;',
        '',
      ].join('\n'),
    });
    const result = await runCli(['check', '.', '--db', url, '--format', 'json'], { cwd: dir });
    assert.equal(result.code, 1, 'cost-budget is an error by default');
    const report = parseJsonReport(result);
    assert.deepEqual(report.findings.map((f) => siteKey(f.file, f.line, f.ruleId)), expectedFindings(dir));
    assert.match(report.findings[0].message, /^Estimated cost [\d,]+ exceeds the budget of 500 \(set by -- pglens: budget 500\)$/);
  });
});
