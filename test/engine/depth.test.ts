// Pathological nesting: 10,000 `+` terms in SQL, 20,000 nested parentheses and 3,000 nested `sql` templates in
// TypeScript overflowed the stack and ended the whole run. Each is now one skip with a reason, quickly, and the
// other SQL of the run is still analysed; NUL bytes and byte order marks are handled before the parser.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../server/src/engine/analyze';
import { defaultConfig } from '../../server/src/engine/config';
import { loadPgQuery, parseToJson, resetPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { estimatedNesting, loadParser, MAX_NESTING_DEPTH, parseSite } from '../../server/src/engine/parse/parse';
import { planNodeFromJson, walkPlan } from '../../server/src/engine/plan/model';
import type { SqlSite } from '../../server/src/engine/types';

before(() => loadParser());

/** No database: the static rules (syntax-error, lock rules) still run, which is what these inputs exercise. */
const engine = () => new Engine({ config: defaultConfig('/ws') });

const PLUS_CHAIN = `SELECT ${Array(10_000).fill('1').join('+')};\n`;
const DEEP_PARENS_TS = `export const n = ${'('.repeat(20_000)}1${')'.repeat(20_000)};\nexport const q = sql\`SELECT 1\`;\n`;
const NESTED_TEMPLATES_TS = `export const q = ${'sql`SELECT ${'.repeat(3_000)}1${'}`'.repeat(3_000)};\n`;
const PLUS_CHAIN_TS = `pool.query("SELECT 1"${' + "x"'.repeat(20_000)});\n`;

describe('nesting limits', () => {
  for (const [name, file, text, reason] of [
    ['10,000 `+` terms in a .sql file', '/ws/plus.sql', PLUS_CHAIN, `nesting deeper than ${MAX_NESTING_DEPTH} levels`],
    ['20,000 nested parentheses in TypeScript', '/ws/parens.ts', DEEP_PARENS_TS, 'nesting too deep to read the syntax tree'],
    ['3,000 nested sql templates', '/ws/templates.ts', NESTED_TEMPLATES_TS, 'nesting too deep to read the syntax tree'],
    ['a 20,000-part string concatenation as a query argument', '/ws/concat.ts', PLUS_CHAIN_TS, 'nesting too deep to read the syntax tree'],
  ] as const) {
    test(`${name}: one skip with a reason, no exception, within a few seconds`, async () => {
      const started = Date.now();
      const analysis = await engine().analyzeFile(file, text);
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
      assert.deepEqual(analysis.findings, []);
      assert.deepEqual(
        analysis.skipped.map((s) => s.reason),
        [reason],
      );
    });
  }

  test('the statement after a too-deep one in the same file is still analysed', async () => {
    const text = `${PLUS_CHAIN}SELECT FROM WHERE;\n`;
    const analysis = await engine().analyzeFile('/ws/mixed.sql', text);
    assert.deepEqual(analysis.skipped.map((s) => [s.reason, s.fileStart]), [[`nesting deeper than ${MAX_NESTING_DEPTH} levels`, 0]]);
    assert.deepEqual(analysis.findings.map((f) => [f.ruleId, f.range.start.line]), [['syntax-error', 1]]);
  });

  test('one engine analyses a normal file after each pathological one', async () => {
    const shared = engine();
    for (const [file, text] of [['/ws/a.sql', PLUS_CHAIN], ['/ws/b.ts', DEEP_PARENS_TS], ['/ws/c.ts', NESTED_TEMPLATES_TS]]) {
      await shared.analyzeFile(file, text);
      const normal = await shared.analyzeFile('/ws/normal.sql', 'SELECT id FROM orders;\nSELEC 1;\n');
      assert.deepEqual(normal.findings.map((f) => f.ruleId), ['syntax-error']);
      assert.equal(normal.statements.length, 1);
    }
  });

  test('nesting just under the limit is parsed as usual', () => {
    const text = `SELECT ${Array(MAX_NESTING_DEPTH - 10).fill('1').join('+')}`;
    const parsed = parseSite(siteOf(text));
    assert.equal(parsed.skipped, undefined);
    assert.equal(parsed.statements.length, 1);
  });

  test('the estimate ignores what strings, quoted names, dollar quotes and comments hold, and AND lists', () => {
    const inert = `SELECT '${'('.repeat(5000)}', "${'+'.repeat(5000)}", $x$${'-'.repeat(5000)}$x$ /* ${'*'.repeat(5000)} */ -- ${'('.repeat(5000)}\n`;
    assert.ok(estimatedNesting(inert) < 10, String(estimatedNesting(inert)));
    const andList = `SELECT 1 WHERE ${Array.from({ length: 3000 }, (_, i) => `c${i} = ${i}`).join(' AND ')}`;
    assert.ok(estimatedNesting(andList) < 10);
    assert.equal(parseSite(siteOf(andList)).statements.length, 1);
    assert.ok(estimatedNesting(`SELECT ${'NOT '.repeat(5000)} true`) > MAX_NESTING_DEPTH);
    assert.ok(estimatedNesting(`SELECT ${'('.repeat(2000)}1${')'.repeat(2000)}`) > MAX_NESTING_DEPTH);
  });

  test('after a stack overflow inside the parser the module is replaced and parses correctly again', async () => {
    // Bypasses the estimate on purpose: the backstop for nesting it cannot see.
    const deep = `SELECT ${Array(40_000).fill('1').join('+')}`;
    assert.throws(() => parseToJson(deep), RangeError);
    resetPgQuery();
    await loadPgQuery();
    assert.equal(parseToJson('SELECT a FROM t WHERE b = 1; SELECT 2').stmts.length, 2);
  });

  test('plans nested 50,000 deep are read and walked without recursion', () => {
    let json: Record<string, unknown> = { 'Node Type': 'Seq Scan', 'Relation Name': 't', 'Total Cost': 1 };
    for (let i = 0; i < 50_000; i++) json = { 'Node Type': 'Limit', 'Total Cost': 1, Plans: [json] };
    const root = planNodeFromJson(json);
    let count = 0;
    let deepest = 0;
    for (const { ancestors } of walkPlan(root)) {
      count++;
      deepest = Math.max(deepest, ancestors.length);
    }
    assert.deepEqual([count, deepest], [50_001, 50_000]);
  });
});

describe('bytes PostgreSQL must not see', () => {
  test('a statement with a NUL byte is skipped before parsing or planning; the others are analysed', async () => {
    const analysis = await engine().analyzeFile('/ws/nul.sql', "SELECT 'a\u0000b';\nSELEC 2;\n");
    assert.deepEqual(analysis.skipped.map((s) => [s.reason, s.fileStart]), [['contains a NUL byte', 0]]);
    assert.deepEqual(analysis.findings.map((f) => [f.ruleId, f.range.start.line]), [['syntax-error', 1]]);
  });

  test('a NUL byte inside a TypeScript query site skips that site', async () => {
    const analysis = await engine().analyzeFile('/ws/nul.ts', 'export const q = sql`SELECT \u0000 1`;\nexport const r = sql`SELECT 2 FROM`;\n');
    assert.deepEqual(analysis.skipped.map((s) => s.reason), ['contains a NUL byte']);
    assert.deepEqual(analysis.findings.map((f) => [f.ruleId, f.range.start.line]), [['syntax-error', 1]]);
  });

  test('a .sql file starting with a byte order mark has no syntax error and its findings keep their columns', async () => {
    const analysis = await engine().analyzeFile('/ws/bom.sql', '\uFEFFSELECT 1;\nSELECT 2 FROM;\n');
    assert.deepEqual(analysis.statements.length, 1);
    assert.deepEqual(analysis.findings.map((f) => [f.ruleId, f.range.start.line, f.range.start.character]), [['syntax-error', 1, 13]]);
  });
});

function siteOf(text: string): SqlSite {
  return { file: '/ws/x.sql', origin: 'sql-file', text, segments: [{ sqlStart: 0, fileStart: 0, length: text.length }], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: text.length };
}
