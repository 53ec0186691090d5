// index-would-help: a costly statement is handed to the advisor whatever its plan shape, and the finding stands only
// with an index what-if planning proves (through the engine, which withdraws it otherwise).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { connect } from '../advise/advisorTestUtils';

async function analyze(sql: string, deferNewAdvice = false) {
  const { client } = await connect('hypopg');
  const engine = new Engine({ config: defaultConfig(os.tmpdir()), database: client });
  return engine.analyzeFile(path.join(os.tmpdir(), 'index-would-help.sql'), sql, { deferNewAdvice });
}

describe('index-would-help', () => {
  test('a dashboard counter keeping 10% of 300k rows: too unselective for seq-scan-large-table, the proven partial index is reported', async () => {
    const { findings } = await analyze("select count(*) from orders where status = 'shipped';\n");
    assert.deepEqual(findings.map((f) => f.ruleId), ['index-would-help']);
    const finding = findings[0];
    const suggestion = finding.evidence!['indexSuggestion'] as { sql: string; verifiedWith: string; reduction: number };
    assert.match(suggestion.sql, /^CREATE INDEX ON orders \(\w+\) WHERE status = 'shipped'$/);
    assert.equal(suggestion.verifiedWith, 'hypopg');
    assert.ok(suggestion.reduction >= 0.5);
    assert.match(finding.message, /cuts the estimated cost from [\d,]+ to [\d,]+/);
  });

  test('two-phase: held back while advice is deferred, then published with its index', async () => {
    const sql = "select sum(total_cents) from orders where status = 'shipped';\n";
    const first = await analyze(sql, true);
    assert.equal(first.findings.filter((f) => f.ruleId === 'index-would-help').length, 0);
    const completed = first.withAdvice ? await first.withAdvice : first;
    assert.ok(first.withAdvice, 'advice was deferred');
    const proven = completed.findings.filter((f) => f.ruleId === 'index-would-help');
    assert.equal(proven.length, 1, JSON.stringify(completed.findings.map((f) => f.ruleId)));
    assert.ok(proven[0].evidence?.['indexSuggestion']);
  });

  test('negative controls stay quiet: a unique lookup, a whole-table aggregate, an already indexed query', async () => {
    for (const sql of ['select * from users where email = $1;', 'select count(*), sum(total_cents) from orders;', 'select * from orders where created_at > $1 order by created_at limit 20;', "select id, total_cents from orders where status = 'shipped' and total_cents > 50000;"]) {
      const { findings } = await analyze(`${sql}\n`);
      assert.deepEqual(findings.filter((f) => f.ruleId === 'index-would-help'), [], sql);
    }
  });
});
