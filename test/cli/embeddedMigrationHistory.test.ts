// The embedded database built from the repository's migrations holds the schema after the LAST of them. A statement
// of an older migration ran against the schema of its day: judged against today's, a table a later migration dropped
// "does not exist" and a foreign key a later migration added makes a 2020 DELETE "read a table" it never had (lemmy,
// 344 migrations: 2 false plan errors, 21 false fk-without-index). Such statements are not planned and say why; their
// lock findings stay, since a lock does not depend on what came later. The same holds for DDL further down the file.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace } from './cliHarness';

before(() => ensureCliBuilt());

const cacheHome = mkdtempSync(join(tmpdir(), 'pglens-history-cache-'));
const workspace = scratchWorkspace({
  'pglens.json': '{}',
  'migrations/20240101_init.sql': 'CREATE TABLE accounts (id bigint PRIMARY KEY, plan text);\nCREATE TABLE flags (id bigint PRIMARY KEY, flag text);\n',
  'migrations/20240102_rename.sql': 'ALTER TABLE flags RENAME TO legacy_flags;\n',
  'migrations/20240103_cleanup.sql': [
    "UPDATE legacy_flags SET flag = 'off' WHERE id = 1;",
    "DELETE FROM accounts WHERE plan = 'trial';",
    "UPDATE accounts SET plan = 'free' WHERE id = 2;",
    'ALTER TABLE accounts DROP COLUMN plan;',
    '',
  ].join('\n'),
  'migrations/20240104_sessions.sql': 'DROP TABLE legacy_flags;\nCREATE TABLE sessions (id bigint PRIMARY KEY, account_id bigint REFERENCES accounts (id));\n',
  // Grants and row security change no plan: the INSERT above them is planned.
  'migrations/20240105_policies.sql': 'INSERT INTO sessions (id, account_id) VALUES (1, 1);\nGRANT SELECT ON sessions TO PUBLIC;\nALTER TABLE sessions ENABLE ROW LEVEL SECURITY;\n',
  // A backfill runs once: no index is advised for it (lemmy's UPDATE of a settings table got CREATE INDEX advice).
  'migrations/20240106_backfill.sql': 'UPDATE sessions SET account_id = 2 WHERE account_id = 1;\n',
  // Test data kept per migration version (ory's migratest/testdata): read as of its version, like the migration.
  'migratest/testdata/20240103_testdata.sql': "UPDATE legacy_flags SET flag = 'on' WHERE id = 3;\n",
  'src/queries.sql': "DELETE FROM accounts WHERE id = $1;\n",
});
after(() => {
  workspace.remove();
  rmSync(cacheHome, { recursive: true, force: true });
});

test("an older migration's statements on tables a later migration changes are not planned against the last migration's schema", async () => {
  const result = await runCli(['check', '.', '--format', 'json'], { cwd: workspace.dir, env: { XDG_CACHE_HOME: cacheHome } });
  const report = parseJsonReport(result);
  const findings = report.findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}`);
  assert.ok(!findings.some((finding) => finding.startsWith('migrations/20240103_cleanup.sql') && /plan-error|fk-without-index/.test(finding)), findings.join('\n'));
  const notPlanned = report.skipped.filter((skip) => skip.file === 'migrations/20240103_cleanup.sql').map((skip) => `${skip.line}: ${skip.reason}`);
  assert.deepEqual(notPlanned, [
    '1: not planned: legacy_flags (20240104_sessions.sql) changed after this statement, so the embedded schema (built from every migration) is not the one it ran against',
    '2: not planned: accounts (line 4) changed after this statement, so the embedded schema (built from every migration) is not the one it ran against',
    '3: not planned: accounts (line 4) changed after this statement, so the embedded schema (built from every migration) is not the one it ran against',
  ]);
  assert.deepEqual(report.skipped.filter((skip) => skip.file === 'migrations/20240105_policies.sql'), []);
  assert.deepEqual(
    report.skipped.filter((skip) => skip.file.startsWith('migratest/')).map((skip) => `${skip.line}: ${skip.reason}`),
    ['1: not planned: legacy_flags (20240104_sessions.sql) changed after this statement, so the embedded schema (built from every migration) is not the one it ran against'],
  );
  // 15 statements, one site each: the 4 not planned are counted as skipped, not also as checked.
  assert.deepEqual([report.summary.sites, report.summary.checked, report.summary.skipped], [15, 11, 4]);
  const backfill = report.findings.filter((finding) => finding.file === 'migrations/20240106_backfill.sql' && finding.ruleId === 'modify-scans-large-table');
  assert.equal(backfill.length, 1, findings.join('\n'));
  assert.match(backfill[0].message, /It runs once: batch it by key range/);
  assert.doesNotMatch(backfill[0].message, /CREATE INDEX|Index the columns/);
  assert.ok(!findings.some((finding) => finding.startsWith('migrations/20240106_backfill.sql') && finding.endsWith('index-would-help')), findings.join('\n'));
  // Today's code is judged against today's schema: the DELETE of src/queries.sql reads sessions for the new foreign key.
  assert.ok(findings.includes('src/queries.sql:1 fk-without-index'), findings.join('\n'));
});
