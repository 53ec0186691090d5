// The baseline's pieces that need no database: fingerprints, enclosing names, the file's text, matching a run's
// statements to the baseline's (same, moved, edited, renamed, new, removed), and what each kind of regression takes.

import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compareWithBaseline, planDiff } from '../../server/src/engine/baseline/compare';
import { BaselineFileError, parseBaseline, roundEstimate, serializeBaseline, type BaselinePlan, type BaselineStatement } from '../../server/src/engine/baseline/model';
import { enclosingNames, statementFingerprint, type CurrentStatement } from '../../server/src/engine/baseline/record';
import { loadParser, parseSite } from '../../server/src/engine/parse/parse';
import { pairRegressions, regressionOptions } from '../../server/src/engine/rules/baseline/plan-regression';
import type { SqlSite } from '../../server/src/engine/types';

before(() => loadParser());

function fingerprintOf(sql: string): string {
  const site: SqlSite = { file: 'x.sql', origin: 'sql-file', text: sql, segments: [], parameters: [], parameterCount: 0, fileStart: 0, fileEnd: sql.length };
  return statementFingerprint(parseSite(site).statements[0].node);
}

const indexPlan = (cost: number): BaselinePlan => ({ cost, rows: 1, shape: ['Index Scan on orders using orders_customer_idx'], scans: [{ relation: 'orders', node: 'Index Scan', index: 'orders_customer_idx', tableRows: 300000 }], joins: [] });
const seqPlan = (cost: number): BaselinePlan => ({ cost, rows: 7, shape: ['Seq Scan on orders'], scans: [{ relation: 'orders', node: 'Seq Scan', tableRows: 300000 }], joins: [] });

function stored(file: string, name: string | undefined, fingerprint: string, plan?: BaselinePlan): BaselineStatement {
  return { key: `${file}#${name ?? ''}#${fingerprint}`, file, ...(name ? { name } : {}), fingerprint, kind: 'SelectStmt', sql: 'SELECT ...', ...(plan ? { plan } : {}) };
}

function current(statement: BaselineStatement, line = 1): CurrentStatement {
  return { ...statement, absoluteFile: `/repo/${statement.file}`, line, range: { start: { line: line - 1, character: 0 }, end: { line: line - 1, character: 10 } }, fileStart: 0, fileEnd: 10 };
}

const OPTIONS = { baselineFile: 'pglens-baseline.json', root: '/repo', regression: regressionOptions(undefined), severity: 'error' as const, exists: () => true };

describe('fingerprints and names', () => {
  test('positions, comments and constant values do not change a fingerprint; a column or an operator does', () => {
    const base = fingerprintOf('SELECT id FROM orders WHERE customer_id = 1');
    assert.equal(fingerprintOf('select id\n  from orders -- a comment\n where customer_id = 42'), base);
    assert.equal(fingerprintOf('SELECT id FROM orders WHERE customer_id = $1'), base);
    assert.notEqual(fingerprintOf('SELECT id FROM orders WHERE customer_id + 0 = 1'), base);
    assert.notEqual(fingerprintOf('SELECT id, status FROM orders WHERE customer_id = 1'), base);
  });

  test('the enclosing function, method or module-level constant of an offset', () => {
    const text = [
      "const ORDERS_SQL = /* sql */ `SELECT 1`;",
      'export class OrderRepo {',
      '  async byCustomer(id: number) {',
      "    const { rows } = await pool.query('SELECT 2', [id]);",
      '  }',
      '}',
      "export const latest = () => pool.query('SELECT 3');",
    ].join('\n');
    const nameAt = enclosingNames('repo.ts', text);
    assert.equal(nameAt(text.indexOf('SELECT 1')), 'ORDERS_SQL');
    assert.equal(nameAt(text.indexOf('SELECT 2')), 'OrderRepo.byCustomer');
    assert.equal(nameAt(text.indexOf('SELECT 3')), 'latest');
    assert.equal(enclosingNames('schema.sql', 'SELECT 1')(0), undefined);
  });
});

describe('the baseline file', () => {
  test('sorted by key, estimates rounded to 3 significant digits, the same text for the same content', () => {
    const a = stored('src/b.ts', 'f', '2', seqPlan(6950.123));
    const b = stored('src/a.ts', 'g', '1', indexPlan(8.3125));
    const text = serializeBaseline({ pglensBaseline: 1, database: null, statements: [a, b] });
    assert.equal(text, serializeBaseline({ pglensBaseline: 1, database: null, statements: [b, a] }));
    assert.ok(text.indexOf('src/a.ts') < text.indexOf('src/b.ts'));
    assert.equal(roundEstimate(6950.123), 6950);
    assert.equal(roundEstimate(14183.4), 14200);
    assert.equal(roundEstimate(8.3125), 8.31);
    assert.equal(roundEstimate(0.1 * 3), 0.3);
  });

  test('a file that is not a baseline, or of another format, is refused with one line', () => {
    assert.throws(() => parseBaseline('{', 'b.json'), (error: Error) => error instanceof BaselineFileError && /^b\.json is not JSON/.test(error.message));
    assert.throws(() => parseBaseline('{"version": 1}', 'b.json'), /b\.json is not a pglens baseline/);
    assert.throws(() => parseBaseline('{"pglensBaseline": 99, "statements": []}', 'b.json'), /format 99; this pglens reads format 1/);
    assert.throws(() => parseBaseline('{"pglensBaseline": 1, "statements": [{"key": 1}]}', 'b.json'), /"statements" must be a list/);
  });
});

describe('matching a run to the baseline', () => {
  test('same key, moved, edited, renamed, new and removed', () => {
    const same = stored('src/a.ts', 'f', 'aaaa', indexPlan(8));
    const moved = stored('src/old.ts', 'g', 'bbbb', indexPlan(8));
    const edited = stored('src/a.ts', 'h', 'cccc', indexPlan(8));
    const renamed = stored('src/a.ts', 'oldName', 'dddd', indexPlan(8));
    const removed = stored('src/a.ts', 'gone', 'eeee', indexPlan(8));
    const run = [
      current(same),
      current({ ...moved, file: 'src/new.ts', key: 'src/new.ts#g#bbbb' }),
      current({ ...edited, fingerprint: 'ffff', key: 'src/a.ts#h#ffff', plan: seqPlan(6950) }),
      current({ ...renamed, name: 'newName', key: 'src/a.ts#newName#dddd' }),
      current(stored('src/a.ts', 'added', '9999', seqPlan(6950))),
    ];
    const comparison = compareWithBaseline({ pglensBaseline: 1, database: null, statements: [same, moved, edited, renamed, removed] }, run, null, {
      ...OPTIONS,
      checkedFiles: new Set(['/repo/src/a.ts', '/repo/src/new.ts']),
      exists: (file) => file !== '/repo/src/old.ts',
    });
    assert.deepEqual(
      [...comparison.pairs].map(([statement, pair]) => `${statement.name}: ${pair.match} ${pair.before.key}`),
      ['f: same src/a.ts#f#aaaa', 'g: moved src/old.ts#g#bbbb', 'h: edited src/a.ts#h#cccc', 'newName: renamed src/a.ts#oldName#dddd'],
    );
    assert.deepEqual(comparison.newStatements.map((s) => s.name), ['added']);
    assert.deepEqual(comparison.removed.map((s) => s.key), ['src/a.ts#gone#eeee']);
    assert.deepEqual(
      comparison.regressions.map((r) => `${r.statement.name} ${r.regression.kind} ${r.finding.severity}`),
      ['h index-to-seq-scan error', 'added new-over-budget error'],
    );
    assert.deepEqual(comparison.regressions[0].finding.evidence?.planDiff, ['- Index Scan on orders using orders_customer_idx', '+ Seq Scan on orders']);
  });

  test('statements of files this run did not check are carried over, not removed', () => {
    const elsewhere = stored('src/other.ts', 'f', 'aaaa', indexPlan(8));
    const comparison = compareWithBaseline({ pglensBaseline: 1, database: null, statements: [elsewhere] }, [], null, { ...OPTIONS, checkedFiles: new Set() });
    assert.equal(comparison.removed.length, 0);
    assert.equal(comparison.carriedOver, 1);
  });

  test('another database kind, version or planner setting is said', () => {
    const comparison = compareWithBaseline(
      { pglensBaseline: 1, database: { kind: 'embedded', serverMajor: 18, plannerSettings: { random_page_cost: '4' } }, statements: [] },
      [],
      { kind: 'configured', serverMajor: 15, plannerSettings: { random_page_cost: '1.1' } },
      { ...OPTIONS, checkedFiles: new Set() },
    );
    assert.deepEqual(comparison.databaseDifferences, [
      'the baseline was planned on an embedded database, this run on a configured one',
      'PostgreSQL 18 made the baseline, 15 planned this run',
      'random_page_cost was 4, is 1.1',
    ]);
  });
});

describe('what each kind of regression takes', () => {
  const options = regressionOptions(undefined);
  test('cost: 2x and at least minCost; below the floor a bigger factor is noise', () => {
    const before = stored('a.ts', 'f', '1', { ...seqPlan(1000), shape: ['Seq Scan on orders'] });
    assert.deepEqual(pairRegressions(before, { ...before, plan: { ...seqPlan(2100) } }, options).map((r) => r.kind), ['cost-increase']);
    assert.deepEqual(pairRegressions(before, { ...before, plan: { ...seqPlan(1900) } }, options), []);
    const cheap = stored('a.ts', 'f', '1', indexPlan(8));
    assert.deepEqual(pairRegressions(cheap, { ...cheap, plan: indexPlan(80) }, options), []);
  });

  test('a join method change on large inputs is a warning; on small inputs nothing', () => {
    const join = (method: string, inputRows: number): BaselinePlan => ({ ...indexPlan(100), joins: [{ method, relations: ['order_items', 'orders'], inputRows }] });
    const before = stored('a.ts', 'f', '1', join('Hash Join', 300000));
    const [regression] = pairRegressions(before, { ...before, plan: join('Nested Loop', 300000) }, options);
    assert.equal(regression.kind, 'join-method');
    assert.equal(regression.warningOnly, true);
    const small = stored('a.ts', 'f', '1', join('Hash Join', 50));
    assert.deepEqual(pairRegressions(small, { ...small, plan: join('Nested Loop', 50) }, options), []);
  });

  test('an index replaced by another is index-unused (a warning); a stronger lock on a large table is stronger-lock', () => {
    const before = stored('a.ts', 'f', '1', indexPlan(10));
    const other: BaselinePlan = { ...indexPlan(10), scans: [{ relation: 'orders', node: 'Index Scan', index: 'orders_pkey', tableRows: 300000 }] };
    assert.deepEqual(pairRegressions(before, { ...before, plan: other }, options).map((r) => `${r.kind} ${r.warningOnly}`), ['index-unused true']);

    const migration = { ...stored('m.sql', undefined, '1'), locks: [{ table: 'orders', mode: 'ShareUpdateExclusiveLock' as const, tableRows: 300000 }] };
    const stronger = { ...migration, locks: [{ table: 'orders', mode: 'AccessExclusiveLock' as const, tableRows: 300000 }] };
    assert.deepEqual(pairRegressions(migration, stronger, options).map((r) => r.kind), ['stronger-lock']);
    const small = { ...migration, locks: [{ table: 'orders', mode: 'AccessExclusiveLock' as const, tableRows: 50 }] };
    assert.deepEqual(pairRegressions(migration, small, options), []);
  });

  test('planDiff keeps common lines and lists the baseline’s before this run’s', () => {
    assert.deepEqual(planDiff(['Limit', '  Index Scan on events'], ['Limit', '  Sort', '    Seq Scan on events']), ['  Limit', '-   Index Scan on events', '+   Sort', '+     Seq Scan on events']);
  });
});
