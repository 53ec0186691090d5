// Test code (`files.tests`): its schema changes and destructive statements set up and tear down the tests' own tables,
// so the rules about them stay quiet there; its queries are still checked. `files.tests: []` judges everything.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig, parseConfigText } from '../../server/src/engine/config';
import type { DatabaseClient } from '../../server/src/engine/db/client';
import { fixtureDatabase } from '../rules/planRuleTestUtils';

const SETUP = `import { pool } from './db';
export async function reset() {
  await pool.query('TRUNCATE orders');
  await pool.query('DROP TABLE IF EXISTS scratch');
  await pool.query('DELETE FROM users');
}
export const pending = () => pool.query("select * from orders where customer_email = 'a@example.com'");
`;

describe('test code', () => {
  let database: DatabaseClient;
  before(async () => {
    database = (await fixtureDatabase()).client;
  });

  const rulesIn = async (config: ReturnType<typeof defaultConfig>, file: string) =>
    [...new Set((await new Engine({ config, database }).analyzeFile(file, SETUP)).findings.map((finding) => finding.ruleId))].sort();

  test('set-up statements in test files are not judged, their queries are', async () => {
    const config = defaultConfig('/workspace');
    const app = await rulesIn(config, '/workspace/src/jobs/reset.ts');
    assert.ok(app.includes('truncate') && app.includes('dropping-table') && app.includes('update-or-delete-without-where'), app.join(', '));
    for (const file of ['/workspace/test/reset.ts', '/workspace/src/jobs/__tests__/reset.ts', '/workspace/src/jobs/reset.spec.ts', '/workspace/packages/api/e2e/reset.ts']) {
      const found = await rulesIn(config, file);
      assert.deepEqual(found.filter((id) => ['truncate', 'dropping-table', 'update-or-delete-without-where'].includes(id)), [], `${file}: ${found.join(', ')}`);
      assert.ok(found.includes('seq-scan-large-table'), `${file}: the query is still checked (${found.join(', ')})`);
    }
  });

  test('files.tests in pglens.json replaces the globs; [] judges test code like any other', async () => {
    const none = parseConfigText('{ "files": { "tests": [] } }', '/workspace/pglens.json');
    assert.ok((await rulesIn(none, '/workspace/test/reset.ts')).includes('truncate'));
    const own = parseConfigText('{ "files": { "tests": ["qa/**"] } }', '/workspace/pglens.json');
    assert.ok((await rulesIn(own, '/workspace/test/reset.ts')).includes('truncate'));
    assert.ok(!(await rulesIn(own, '/workspace/qa/reset.ts')).includes('truncate'));
  });
});
