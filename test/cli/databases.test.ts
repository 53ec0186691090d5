// `pglens check` on projects that talk to other databases too (test/fixtures/realworld/dialects-*): SQL that is not
// PostgreSQL's never produces a finding, each such file says so once in --verbose and in JSON, and the PostgreSQL SQL
// beside it is still checked. Every foreign query in the fixtures would be a syntax or plan error if it were read as
// PostgreSQL, so any finding on one of them fails here.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { getSharedTestDatabase } from '../harness/postgres';
import { ensureCliBuilt, parseJsonReport, REPO_ROOT, runCli } from './cliHarness';

const REALWORLD = join(REPO_ROOT, 'test', 'fixtures', 'realworld');

before(() => ensureCliBuilt());

async function check(folder: string, format: 'json' | 'stylish') {
  const db = await getSharedTestDatabase();
  return runCli(['check', '.', '--db', db.url, '--format', format, '--verbose'], { cwd: join(REALWORLD, folder) });
}

/** Files (and for mixed files, lines) whose SQL is another database's: no finding may start there. */
const FOREIGN: Record<string, { file: string; lines?: number[]; reason: string }[]> = {
  'dialects-slonik-clickhouse': [
    { file: 'src/analytics/events.ts', reason: 'ClickHouse SQL (tag `sql` from ../clickhouse, which imports @clickhouse/client): not checked (2 sites)' },
    { file: 'src/mixed.ts', lines: [12], reason: 'ClickHouse SQL (tag `ch.sql`: `ch` from ./clickhouse, which imports @clickhouse/client): not checked' },
  ],
  'dialects-mysql-beside-pg': [
    { file: 'src/customers.ts', lines: [5, 16], reason: 'MySQL SQL (`legacy.query`: `legacy` from ./pools, which imports mysql2/promise): not checked (2 sites)' },
  ],
  'dialects-prisma-clickhouse': ['0001_traces.up.sql', '0002_scores.up.sql', '0003_scores_source.up.sql'].map((name) => ({
    file: `clickhouse/migrations/${name}`,
    reason: 'ClickHouse SQL (path matches pglens.json databases.clickhouse.paths "clickhouse/**"): not checked',
  })),
  'dialects-knex-mysql': [{ file: 'src/orders.ts', reason: "MySQL SQL (`db.raw`: `db` from ./db, which imports knex (client 'mysql2')): not checked" }],
};

/** The PostgreSQL queries beside them: the unindexed lookup on the fixture database's large orders table is reported. */
const CHECKED: Record<string, string[]> = {
  'dialects-slonik-clickhouse': ['src/orders.ts', 'src/mixed.ts'],
  'dialects-mysql-beside-pg': ['src/customers.ts'],
  'dialects-prisma-clickhouse': ['src/orders.ts', 'prisma/migrations/20240105093000_init/migration.sql'],
  'dialects-knex-mysql': ['src/reporting.ts'],
};

for (const folder of Object.keys(FOREIGN)) {
  test(`${folder}: no finding from another database's SQL, one skip line per file, PostgreSQL beside it still checked`, async () => {
    const result = await check(folder, 'json');
    const report = parseJsonReport(result);
    for (const foreign of FOREIGN[folder]) {
      const on = report.findings.filter((finding) => finding.file === foreign.file && (!foreign.lines || foreign.lines.includes(finding.line)));
      assert.deepEqual(on.map((finding) => `${finding.line} ${finding.ruleId}: ${finding.message}`), [], `${folder}/${foreign.file}`);
      const skips = report.skipped.filter((skip) => skip.file === foreign.file && / SQL \(.*\): not checked/.test(skip.reason));
      assert.deepEqual(skips.map((skip) => skip.reason), [foreign.reason], `${folder}/${foreign.file}`);
    }
    for (const file of CHECKED[folder]) {
      assert.ok(
        report.findings.some((finding) => finding.file === file),
        `${folder}/${file} is checked: ${JSON.stringify(report.findings.map((f) => `${f.file}:${f.line} ${f.ruleId}`))}\n${result.stderr}`,
      );
    }
  });
}

test('stylish --verbose lists each skip with file:line:column and the database', async () => {
  const result = await check('dialects-slonik-clickhouse', 'stylish');
  const output = result.stdout + result.stderr;
  assert.match(output, /src\/analytics\/events\.ts[\s\S]*?\d+:\d+.*ClickHouse SQL \(tag `sql` from \.\.\/clickhouse, which imports @clickhouse\/client\): not checked \(2 sites\)/);
  assert.doesNotMatch(output, /events\.ts[^\n]*\n(?:\s+\d+:\d+\s+(?:error|warning)[^\n]*\n)+/, 'no finding under events.ts');
  assert.match(output, /seq-scan-large-table/, 'the slonik query on orders is still reported');
});
