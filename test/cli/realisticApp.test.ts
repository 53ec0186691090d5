// `pglens check` on a realistic app (test/fixtures/realistic-app): the slow queries are reported at their lines,
// the good ones are not, and the three output formats agree. The expected (file, line, rule) set is read from the
// `// expect: rule` comments in the fixture, so the fixture is the specification.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, expectedFindings, parseJsonReport, REALISTIC_APP, runCli, siteKey, type CliResult } from './cliHarness';

const CATEGORIES = new Set(['performance', 'locking', 'syntax', 'correctness']);

/** One run per format, shared by the tests below; the database URL comes from pglens.json's ${env:APP_DATABASE_URL}. */
const runs = new Map<string, Promise<CliResult>>();
function checkApp(format: 'json' | 'stylish' | 'sarif'): Promise<CliResult> {
  if (!runs.has(format)) {
    runs.set(
      format,
      getSharedTestDatabase().then((db) => runCli(['check', '.', '--format', format], { cwd: REALISTIC_APP, env: { APP_DATABASE_URL: db.url } })),
    );
  }
  return runs.get(format)!;
}

before(() => {
  ensureCliBuilt();
  // The three runs are independent: start them together.
  for (const format of ['json', 'stylish', 'sarif'] as const) void checkApp(format).catch(() => undefined);
});

test('json: exactly the slow queries are reported, each at the line the fixture marks, and nothing on the good ones', async () => {
  const result = await checkApp('json');
  const report = parseJsonReport(result);
  const expected = expectedFindings(REALISTIC_APP);
  assert.ok(expected.length >= 15, `the fixture declares ${expected.length} findings`);
  const actual = report.findings.map((f) => siteKey(f.file, f.line, f.ruleId)).sort();
  const planErrors = report.findings.filter((f) => f.ruleId === 'plan-error').map((f) => `${f.file}:${f.line} ${f.message}`);
  assert.deepEqual(actual, expected, planErrors.length ? `plan errors:\n${planErrors.join('\n')}` : undefined);

  // join-without-condition and cost-budget are errors by default: the run fails.
  assert.equal(result.code, 1, result.stderr);
  assert.equal(result.stderr, '', 'nothing on stderr when it is not a terminal and all went well');
  assert.equal(report.summary.errors, 2);
  assert.equal(report.summary.warnings, expected.length - 2);
  assert.equal(report.database?.kind, 'postgres');
  // Every file was read and every query planned, including the UPDATE/DELETE/INSERT statements; DDL is not EXPLAINed.
  assert.equal(report.summary.files, 10);
  assert.ok(report.summary.planned >= 38, `planned ${report.summary.planned} of ${report.summary.statements} statements`);
  assert.ok(report.summary.statements - report.summary.planned <= 6, 'only the migrations’ DDL and SET are left unplanned');
  // The one site built from a variable is skipped, not guessed at.
  assert.deepEqual(
    report.skipped.map((s) => s.file).sort(),
    ['src/lib/notSql.ts', 'src/reports/analytics.ts'],
  );
  for (const finding of report.findings) {
    assert.ok(CATEGORIES.has(finding.category), `${finding.ruleId}: category ${finding.category}`);
    assert.match(finding.docsUrl ?? '', /^https:\/\/.+\/docs\/rules\/[\w-]+\.md$/);
    assert.ok(finding.column >= 1 && finding.endLine >= finding.line);
    assert.match(finding.message, /\d/, `${finding.ruleId} gives numbers: ${finding.message}`);
  }
});

test('json: findings are anchored on what they are about (the table, the predicate)', async () => {
  const report = parseJsonReport(await checkApp('json'));
  const at = (file: string, ruleId: string, line: number) => report.findings.find((f) => f.file === file && f.ruleId === ruleId && f.line === line);
  // orders.ts:15 `pool.query('SELECT id, status, total_cents FROM orders WHERE customer_email = $1', ...)`: on `orders`.
  const seqScan = at('src/repositories/orders.ts', 'seq-scan-large-table', 15);
  assert.deepEqual(seqScan && [seqScan.column, seqScan.endColumn], [58, 64]);
  // users.ts:9 `... WHERE lower(email) = lower(${email})`: on `lower(email)`.
  const wrapped = at('src/repositories/users.ts', 'function-on-indexed-column', 9);
  assert.deepEqual(wrapped && [wrapped.column, wrapped.endColumn], [52, 64]);
});

test('stylish: the same findings, as `line:column  severity  message  rule`, and a summary line', async () => {
  const [stylish, json] = await Promise.all([checkApp('stylish'), checkApp('json')]);
  assert.equal(stylish.code, 1, stylish.stderr);
  const fromJson = parseJsonReport(json)
    .findings.map((f) => `${f.file} ${f.line}:${f.column} ${f.severity} ${f.ruleId}`)
    .sort();
  const fromStylish: string[] = [];
  let file = '';
  for (const line of stylish.stdout.split('\n')) {
    const row = /^ {2}(\d+):(\d+)\s+(error|warning)\s{2,}.*\s{2}([a-z-]+)$/.exec(line);
    if (row) fromStylish.push(`${file} ${row[1]}:${row[2]} ${row[3]} ${row[4]}`);
    else if (/^\S/.test(line) && !/^[✖✔]/.test(line)) file = line;
  }
  assert.deepEqual(fromStylish.sort(), fromJson);
  assert.match(stylish.stdout, new RegExp(`✖ ${fromJson.length} problems \\(2 errors, ${fromJson.length - 2} warnings\\) in 10 files`));
});

test('sarif: SARIF 2.1.0 with rule metadata (helpUri), 1-based regions and categories, the same results as json', async () => {
  const [sarifRun, json] = await Promise.all([checkApp('sarif'), checkApp('json')]);
  assert.equal(sarifRun.code, 1, sarifRun.stderr);
  const sarif = JSON.parse(sarifRun.stdout);
  assert.equal(sarif.version, '2.1.0');
  assert.match(sarif.$schema, /sarif-2\.1\.0/);
  assert.equal(sarif.runs.length, 1);
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'pglens');
  assert.equal(typeof run.tool.driver.version, 'string');

  const rules = run.tool.driver.rules as { id: string; helpUri: string; shortDescription: { text: string }; defaultConfiguration: { level: string }; properties: { category: string } }[];
  assert.ok(rules.length >= 10);
  assert.equal(new Set(rules.map((r) => r.id)).size, rules.length, 'rule ids are unique');
  for (const rule of rules) {
    assert.match(rule.helpUri, /^https:\/\/.+\/docs\/rules\/[\w-]+\.md$/, rule.id);
    assert.ok(rule.helpUri.endsWith(`/${rule.id}.md`), rule.id);
    assert.ok(rule.shortDescription.text.length > 10, rule.id);
    assert.ok(['error', 'warning', 'note'].includes(rule.defaultConfiguration.level), rule.id);
    assert.ok(CATEGORIES.has(rule.properties.category), `${rule.id}: ${rule.properties.category}`);
  }
  for (const id of ['syntax-error', 'seq-scan-large-table', 'modify-scans-large-table', 'require-concurrent-index-creation']) {
    assert.ok(rules.some((r) => r.id === id), `rule ${id} is described`);
  }

  const fromSarif: string[] = [];
  for (const result of run.results) {
    assert.ok(['error', 'warning', 'note'].includes(result.level));
    assert.ok(result.message.text.length > 0);
    assert.equal(rules[result.ruleIndex].id, result.ruleId, 'ruleIndex points at the rule');
    assert.ok(CATEGORIES.has(result.properties.category));
    const location = result.locations[0].physicalLocation;
    assert.equal(location.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.doesNotMatch(location.artifactLocation.uri, /^\//, 'uris are relative to %SRCROOT%');
    const region = location.region;
    for (const key of ['startLine', 'startColumn', 'endLine', 'endColumn']) assert.ok(Number.isInteger(region[key]) && region[key] >= 1, `${key} is 1-based`);
    assert.ok(region.endLine > region.startLine || region.endColumn > region.startColumn, 'a region covers at least one character');
    fromSarif.push(`${location.artifactLocation.uri} ${region.startLine}:${region.startColumn} ${result.ruleId} ${result.level}`);
  }
  assert.match(run.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/\/.*\/realistic-app\/$/);
  const fromJson = parseJsonReport(json).findings.map((f) => `${f.file} ${f.line}:${f.column} ${f.ruleId} ${f.severity}`);
  assert.deepEqual(fromSarif.sort(), fromJson.sort());

  // Suggested SQL travels with the result: the trigram index for the leading-wildcard LIKE, CONCURRENTLY for the index.
  const like = run.results.find((r: { ruleId: string }) => r.ruleId === 'leading-wildcard-like');
  assert.match(like.properties.suggestedSql[0].sql, /gin_trgm_ops/);
  const index = run.results.find((r: { ruleId: string }) => r.ruleId === 'require-concurrent-index-creation');
  assert.ok(
    index.fixes?.length > 0 || index.properties.suggestedSql?.length > 0,
    'the CREATE INDEX finding carries its CONCURRENTLY rewrite',
  );
});
