// `"off"` in pglens.json silences every rule, the two the engine raises itself (syntax-error, plan-error) included.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../server/src/engine/analyze';
import { parseConfigText } from '../../server/src/engine/config';
import { allRuleMetas } from '../../server/src/engine/rules/index';
import { fixtureDatabase } from '../rules/planRuleTestUtils';

const FILE = '/workspace/queries.sql';
// A syntax error, a statement PostgreSQL cannot plan (no such table), and a missing index on a large table.
const SQL = `select * from orders where;
select id from no_such_table where id = 1;
select id from orders where note = 'x';
`;

async function ruleIdsWith(rules: Record<string, string>): Promise<string[]> {
  const config = parseConfigText(JSON.stringify({ rules }), '/workspace/pglens.json', {});
  const engine = new Engine({ config, database: (await fixtureDatabase()).client });
  const analysis = await engine.analyzeFile(FILE, SQL);
  return [...new Set(analysis.findings.map((f) => f.ruleId))].sort();
}

describe('rule severity off', () => {
  test('by default the three are reported', async () => {
    assert.deepEqual(await ruleIdsWith({}), ['plan-error', 'seq-scan-large-table', 'syntax-error']);
  });

  test('syntax-error, plan-error and a plan rule each honour off', async () => {
    assert.deepEqual(await ruleIdsWith({ 'syntax-error': 'off' }), ['plan-error', 'seq-scan-large-table']);
    assert.deepEqual(await ruleIdsWith({ 'plan-error': 'off' }), ['seq-scan-large-table', 'syntax-error']);
    assert.deepEqual(await ruleIdsWith({ 'seq-scan-large-table': 'off' }), ['plan-error', 'syntax-error']);
  });

  test('every rule of the registry off: no findings at all', async () => {
    assert.deepEqual(await ruleIdsWith(Object.fromEntries(allRuleMetas().map((meta) => [meta.id, 'off']))), []);
  });
});
