import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig, parseConfigText } from '../../server/src/engine/config';
import { fixtureDatabase } from '../rules/planRuleTestUtils';

const FILE = '/workspace/src/orders.ts';
const SOURCE = `import { sql } from './db';
// Ünïcödé comment before the SQL 😀
export const byEmail = (email: string) =>
  pool.query('select id from orders where customer_email = $1', [email]);

// pglens-ignore seq-scan-large-table
export const byNote = (note: string) => pool.query('select id from orders where note = $1', [note]);

export const byId = (id: number) => sql\`select * from orders where id = \${id}\`;

// pglens: budget 10
export const all = () => sql\`select count(*) from users\`;

export const broken = () => pool.query('select * from orders where');
`;

describe('Engine.analyzeFile', () => {
  let engine: Engine;
  before(async () => {
    const { client } = await fixtureDatabase();
    engine = new Engine({ config: defaultConfig('/workspace'), database: client });
  });

  test('findings land on the SQL they are about, with rule, severity, docs link and generic-plan note', async () => {
    const analysis = await engine.analyzeFile(FILE, SOURCE);
    const seqScans = analysis.findings.filter((f) => f.ruleId === 'seq-scan-large-table');
    assert.equal(seqScans.length, 1, JSON.stringify(analysis.findings.map((f) => f.message)));
    const finding = seqScans[0];
    assert.equal(SOURCE.slice(finding.fileStart, finding.fileEnd), 'orders');
    assert.deepEqual(finding.range.start, { line: 3, character: 'pool.query(\'select id from '.length + 2 });
    assert.equal(finding.severity, 'warning');
    assert.match(finding.docsUrl ?? '', /docs\/rules\/seq-scan-large-table\.md$/);
    assert.ok(finding.notes?.some((n) => /generic plan/.test(n)));
  });

  test('pglens-ignore silences the next statement only; the budget comment applies to the next statement', async () => {
    const analysis = await engine.analyzeFile(FILE, SOURCE);
    const lines = analysis.findings.map((f) => `${f.range.start.line}:${f.ruleId}`);
    assert.ok(!lines.some((l) => l.startsWith('6:')), lines.join(', '));
    assert.ok(lines.includes('11:cost-budget'), lines.join(', '));
  });

  test('a syntax error is reported at the token where the parser stopped', async () => {
    const analysis = await engine.analyzeFile(FILE, SOURCE);
    const error = analysis.findings.find((f) => f.ruleId === 'syntax-error');
    assert.ok(error);
    assert.equal(error.severity, 'error');
    assert.equal(error.range.start.line, 13);
    assert.equal(SOURCE.slice(error.fileStart, error.fileEnd), "'");
  });

  test('every statement is planned once: a second analysis of unchanged code hits the cache', async () => {
    const fresh = new Engine({ config: defaultConfig('/workspace'), database: (await fixtureDatabase()).client });
    await fresh.analyzeFile(FILE, SOURCE);
    const missesAfterFirst = fresh.planCache.misses;
    await fresh.analyzeFile(FILE, SOURCE);
    assert.equal(fresh.planCache.misses, missesAfterFirst);
    assert.ok(fresh.planCache.hits >= 4);
  });

  test('severity from the config, and rules turned off', async () => {
    const config = parseConfigText('{ "rules": { "seq-scan-large-table": "error", "cost-budget": "off" } }', '/workspace/pglens.json', {});
    const strict = new Engine({ config, database: (await fixtureDatabase()).client });
    const analysis = await strict.analyzeFile(FILE, SOURCE);
    assert.equal(analysis.findings.find((f) => f.ruleId === 'seq-scan-large-table')?.severity, 'error');
    assert.ok(!analysis.findings.some((f) => f.ruleId === 'cost-budget'));
  });

  test('without a database only static rules run and statements say why they were not planned', async () => {
    const staticEngine = new Engine({ config: defaultConfig('/workspace') });
    const analysis = await staticEngine.analyzeFile(FILE, SOURCE);
    assert.deepEqual(analysis.findings.map((f) => f.ruleId), ['syntax-error']);
    assert.ok(analysis.statements.every((s) => s.planSkippedReason === 'no database'));
  });

  test('a cancelled analysis rejects with AbortError', async () => {
    const controller = new AbortController();
    controller.abort();
    await assert.rejects(() => engine.analyzeFile('/workspace/other.ts', SOURCE.replace('customer_email', 'currency'), { signal: controller.signal }), { name: 'AbortError' });
  });
});


