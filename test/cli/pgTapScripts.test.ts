// pgTAP tests beside a Supabase project's migrations (supabase/tests/database/*.sql): fixtures set up inside a
// transaction the test rolls back, on a test database. basejump's 13 warnings were all `UPDATE config SET ...`
// without WHERE in such tests. The script is one skip with its reason; the same statement elsewhere is still judged.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { ensureCliBuilt, parseJsonReport, runCli, scratchWorkspace } from './cliHarness';

before(() => ensureCliBuilt());

const PGTAP = [
  'BEGIN;',
  "CREATE EXTENSION IF NOT EXISTS pgtap WITH SCHEMA extensions;",
  'SELECT plan(2);',
  '',
  'UPDATE app.settings SET invitations_enabled = true;',
  "SELECT has_table('app', 'settings', 'settings exists');",
  "SELECT is((SELECT invitations_enabled FROM app.settings), true, 'invitations on');",
  '',
  'SELECT * FROM finish();',
  'ROLLBACK;',
  '',
].join('\n');

const workspace = scratchWorkspace({
  'pglens.json': '{}',
  'supabase/tests/database/01-settings.sql': PGTAP,
  'supabase/seed.sql': 'UPDATE app.settings SET invitations_enabled = true;\n',
});
after(() => workspace.remove());

test('a pgTAP script is skipped whole with its reason; the same UPDATE in a seed file is judged', async () => {
  const result = await runCli(['check', '.', '--no-embedded', '--format', 'json'], { cwd: workspace.dir });
  const report = parseJsonReport(result);
  assert.deepEqual(
    report.findings.map((finding) => `${finding.file}:${finding.line} ${finding.ruleId}`),
    ['supabase/seed.sql:1 update-or-delete-without-where'],
  );
  assert.deepEqual(
    report.skipped.map((skip) => `${skip.file}:${skip.line} ${skip.reason}`),
    ['supabase/tests/database/01-settings.sql:1 pgTAP test script (select plan(...) ... finish()): it runs against a test database, in a transaction it rolls back; not checked'],
  );
});
