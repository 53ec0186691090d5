// The findings the engine raises itself, held to the same contract as the rule tables (ruleTester.ts): syntax-error
// and plan-error through Engine.analyzeFile (plan-error against the fixture database), and plan-regression's kinds
// from a baseline statement and this run's. Each case names its message id and the data or headline it fills.

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../server/src/engine/analyze';
import { parseConfigText } from '../../server/src/engine/config';
import { planErrorMeta, syntaxErrorMeta } from '../../server/src/engine/rules/index';
import { newStatementRegressions, pairRegressions, planRegressionMeta, regressionOptions } from '../../server/src/engine/rules/baseline/plan-regression';
import type { BaselinePlan, BaselineStatement } from '../../server/src/engine/baseline/model';
import { fixtureDatabase } from './planRuleTestUtils';
import { assertMessageContract } from './ruleTester';

async function findingsOf(sql: string, database: boolean) {
  const config = parseConfigText('{}', '/workspace/pglens.json', {});
  const engine = new Engine({ config, ...(database ? { database: (await fixtureDatabase()).client } : {}) });
  return (await engine.analyzeFile('/workspace/queries.sql', sql)).findings;
}

describe('syntax-error (engine)', () => {
  test('valid: select 1', async () => {
    assert.deepEqual((await findingsOf('select 1;\n', false)).filter((f) => f.ruleId === syntaxErrorMeta.id), []);
  });
  test('invalid: a WHERE without a condition', async () => {
    const [finding] = (await findingsOf('select * from orders where;\n', false)).filter((f) => f.ruleId === syntaxErrorMeta.id);
    assert.equal(finding.messageId, 'syntaxError');
    assert.equal(finding.headline, 'SQL syntax error: syntax error at end of input');
    assertMessageContract(finding, syntaxErrorMeta.id);
  });
});

describe('plan-error (engine)', () => {
  test('valid: a statement PostgreSQL plans', async () => {
    assert.deepEqual((await findingsOf('select id from orders where id = 1;\n', true)).filter((f) => f.ruleId === planErrorMeta.id), []);
  });
  test('invalid: a table the database does not have', async () => {
    const [finding] = (await findingsOf('select id from no_such_table where id = 1;\n', true)).filter((f) => f.ruleId === planErrorMeta.id);
    assert.equal(finding.messageId, 'cannotPlan');
    assert.equal(finding.headline, 'PostgreSQL cannot plan this statement: relation "no_such_table" does not exist');
    assertMessageContract(finding, planErrorMeta.id);
  });
});

describe('plan-regression (baseline)', () => {
  const options = regressionOptions({});
  const plan = (cost: number, scans: BaselinePlan['scans'], joins: BaselinePlan['joins'] = []): BaselinePlan => ({ cost, rows: 10, shape: [], scans, joins });
  const statement = (over: Partial<BaselineStatement>): BaselineStatement => ({ key: 'src/q.ts#q', file: 'src/q.ts', fingerprint: 'f', kind: 'SelectStmt', sql: 'select 1', ...over });
  const indexed = statement({ plan: plan(8.4, [{ relation: 'orders', node: 'Index Scan', index: 'orders_pkey', tableRows: 300000 }]) });

  test('valid: the same plan as the baseline, and a cheap new statement', () => {
    assert.deepEqual(pairRegressions(indexed, indexed, options), []);
    assert.deepEqual(newStatementRegressions(indexed, options), []);
  });

  const cases: { name: string; regressions: ReturnType<typeof pairRegressions>; messageId: string; data: Record<string, string> }[] = [
    {
      name: 'an index scan became a Seq Scan',
      regressions: pairRegressions(indexed, statement({ plan: plan(5400, [{ relation: 'orders', node: 'Seq Scan', tableRows: 300000 }]) }), options),
      messageId: 'indexToSeqScan',
      data: { table: 'orders', rows: '300k', before: 'an Index Scan using orders_pkey', costBefore: '8', costAfter: '5,400' },
    },
    {
      name: 'the cost grew past the factor',
      regressions: pairRegressions(statement({ plan: plan(1200, []) }), statement({ plan: plan(4800, []) }), options),
      messageId: 'costIncrease',
      data: { ratio: '4.0x', costBefore: '1,200', costAfter: '4,800' },
    },
    {
      name: 'a new statement over the budget, with its Seq Scan',
      regressions: newStatementRegressions(statement({ plan: plan(9000, [{ relation: 'orders', node: 'Seq Scan', tableRows: 300000 }]) }), options),
      messageId: 'newOverBudgetSeqScan',
      data: { cost: '9,000', budget: '5,000', table: 'orders', rows: '300k' },
    },
    {
      name: 'a stronger lock on a large table',
      regressions: pairRegressions(statement({ locks: [{ table: 'orders', mode: 'ShareUpdateExclusiveLock', tableRows: 300000 }] }), statement({ locks: [{ table: 'orders', mode: 'AccessExclusiveLock', tableRows: 300000 }] }), options),
      messageId: 'strongerLock',
      data: { lockMode: 'ACCESS EXCLUSIVE', table: 'orders', before: 'SHARE UPDATE EXCLUSIVE' },
    },
  ];
  for (const each of cases) {
    test(`invalid: ${each.name}`, () => {
      const [regression] = each.regressions;
      assert.ok(regression, 'no regression');
      assert.ok(Object.hasOwn(planRegressionMeta.messages, each.messageId));
      assert.equal(regression.messageId, each.messageId, regression.headline);
      for (const [key, value] of Object.entries(each.data)) assert.equal(String(regression.data[key]), value, `data.${key}`);
      assertMessageContract(regression, planRegressionMeta.id);
    });
  }
});
