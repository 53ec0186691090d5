// The runtime numbers as the editor and check use them: calls per minute when the counting period is known, numbers
// replaced (not added to) when live mode reads new ones, and the words that say where they come from.

import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadPgQuery } from '../../server/src/engine/parse/libpgQuery';
import { statementsSnapshot } from './statementsSnapshot';
import { addRuntimeCostNotes, describeRuntimeCost, orderByProductionImpact, RuntimeCosts, type RuntimeNumbers } from '../../server/src/engine/snapshot/match';
import { describeProductionSource } from '../../server/src/engine/snapshot/productionSource';

const QUERY = 'SELECT id FROM orders WHERE customer_id = $1';

before(() => loadPgQuery());

function numbers(calls: number, totalMs: number, statsReset?: string): RuntimeNumbers {
  return statementsSnapshot([{ query: QUERY, calls, totalMs }], { totalMs: 10_000, statsReset });
}

test('calls per minute (per hour, per day when rare) over the period pg_stat_statements counted; the total when it is unknown or under a minute', () => {
  const perMinute = new RuntimeCosts(numbers(12_400, 2_100, '2026-12-01T11:50:00.000Z')).costOf(QUERY)!;
  assert.equal(describeRuntimeCost(perMinute), 'prod: 1,240 calls/min · mean 0.17 ms · 21% of DB time');
  const slow = new RuntimeCosts(numbers(3, 2_100, '2026-11-30T12:00:00.000Z')).costOf(QUERY)!;
  assert.equal(describeRuntimeCost(slow), 'prod: 3 calls/day · mean 700 ms · 21% of DB time');
  const hourly = new RuntimeCosts(numbers(720, 2_100, '2026-11-30T12:00:00.000Z')).costOf(QUERY)!;
  assert.equal(describeRuntimeCost(hourly), 'prod: 30 calls/h · mean 2.9 ms · 21% of DB time');
  assert.equal(describeRuntimeCost(new RuntimeCosts(numbers(50, 2_100)).costOf(QUERY)!), 'prod: 50 calls · mean 42 ms · 21% of DB time');
  assert.equal(describeRuntimeCost(new RuntimeCosts(numbers(50, 2_100, '2026-12-01T11:59:30.000Z')).costOf(QUERY)!), 'prod: 50 calls · mean 42 ms · 21% of DB time');
});

test('new numbers replace the old ones on an analysis that is re-used: one note, the new impact', () => {
  const analysis = {
    statements: [{ statement: { text: QUERY }, fileStart: 0, fileEnd: 50 } as { statement: { text: string }; fileStart: number; fileEnd: number; runtimeCost?: unknown }],
    findings: [{ fileStart: 10, notes: ['generic plan'] } as { fileStart: number; notes?: string[]; productionImpact?: { shareOfTime: number; label: string } }],
  };
  addRuntimeCostNotes(analysis as never, new RuntimeCosts(numbers(50, 2_100), 'live'));
  assert.deepEqual(analysis.findings[0].notes, ['generic plan', 'prod: 50 calls · mean 42 ms · 21% of DB time (live, read 12:00 UTC)']);
  addRuntimeCostNotes(analysis as never, new RuntimeCosts(numbers(120, 6_000), 'live'));
  assert.deepEqual(analysis.findings[0].notes, ['generic plan', 'prod: 120 calls · mean 50 ms · 60% of DB time (live, read 12:00 UTC)']);
  assert.deepEqual(analysis.findings[0].productionImpact, { shareOfTime: 0.6, label: 'prod 60% of DB time' });
  // Production stops running it: no note, no impact.
  addRuntimeCostNotes(analysis as never, new RuntimeCosts({ takenAt: '2026-12-01T12:05:00.000Z', statements: { available: true, totalMs: 1, entries: [] } }, 'live'));
  assert.deepEqual(analysis.findings[0].notes, ['generic plan']);
  assert.equal(analysis.findings[0].productionImpact, undefined);
});

test('ordering: most impact first, the rest in the order they had; nothing moves without numbers', () => {
  const plain: Array<{ id: string; productionImpact?: { shareOfTime: number; label: string } }> = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
  assert.deepEqual(orderByProductionImpact([...plain]).map((f) => f.id), ['a', 'b', 'c']);
  const mixed = [{ id: 'a' }, { id: 'b', productionImpact: { shareOfTime: 0.05, label: '' } }, { id: 'c' }, { id: 'd', productionImpact: { shareOfTime: 0.6, label: '' } }];
  assert.deepEqual(orderByProductionImpact(mixed).map((f) => f.id), ['d', 'b', 'a', 'c']);
});

test('where the numbers come from, as the status bar and the hover say it', () => {
  const now = Date.parse('2026-12-01T12:02:30.000Z');
  assert.equal(describeProductionSource({ source: 'snapshot', takenAt: '2026-12-01T08:00:00.000Z' }, now), 'prod: snapshot of 2026-12-01');
  assert.equal(describeProductionSource({ source: 'live', takenAt: '2026-12-01T12:00:00.000Z' }, now), 'prod: live, 2 min ago');
  assert.equal(describeProductionSource({ source: 'unreachable', reason: 'connection refused', takenAt: '2026-12-01T12:00:00.000Z' }, now), 'prod: unreachable');
  assert.equal(
    describeProductionSource({ source: 'unreachable', reason: 'connection refused', takenAt: '2026-12-01T12:00:00.000Z' }, now, true),
    'prod: unreachable (connection refused); numbers of 12:00 UTC, 2 min ago',
  );
  assert.equal(describeProductionSource({ source: 'unreachable', reason: 'timeout' }, now, true), 'prod: unreachable (timeout); no numbers yet');
});
